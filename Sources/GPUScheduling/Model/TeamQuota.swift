/// What one team may use: a nominal quota per GPU model, what it may borrow from and lend to the
/// other teams of its cohort, and its weight for fair sharing (Kueue's model).
///
/// Quotas are in whole GPUs; use is counted in milli-GPUs, so fractional jobs count for what
/// they take. The GPU model `"*"` stands for any model the team has no quota of its own for, as
/// one budget. Borrowing and lending happen between entries of the same key, as Kueue lends
/// within one resource flavor: an `"A100"` entry borrows from cohort-mates' `"A100"` entries, a
/// `"*"` entry from their `"*"` entries.
public struct TeamQuota: Sendable, Hashable, Codable {
    /// The team's name (a job's `team`).
    public var team: String
    /// Teams of one cohort lend each other unused quota; `nil` makes the team a cohort of one.
    public var cohort: String?
    /// GPUs the team is guaranteed, per GPU model (`"*"` for any model).
    public var nominal: [String: Double]
    /// How many GPUs above its nominal quota the team may borrow, per model; `nil` is no limit
    /// beyond what the cohort has unused.
    public var borrowingLimit: Double?
    /// How many of its own unused GPUs the team lends to the cohort, per model; `nil` lends all.
    public var lendingLimit: Double?
    /// The team's weight for fair sharing (DRF and finish-time fairness); 1 by default.
    public var weight: Double

    /// Creates a quota.
    public init(
        team: String, cohort: String? = nil, nominal: [String: Double], borrowingLimit: Double? = nil,
        lendingLimit: Double? = nil, weight: Double = 1
    ) {
        self.team = team
        self.cohort = cohort
        self.nominal = nominal
        self.borrowingLimit = borrowingLimit
        self.lendingLimit = lendingLimit
        self.weight = weight
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case team = "name"
        case cohort, weight
        case nominal = "quota"
        case borrowingLimit = "borrowing_limit"
        case lendingLimit = "lending_limit"
    }

    /// Decodes a quota; `cohort`, the limits and `weight` may be left out.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        team = try c.decode(String.self, forKey: .team)
        cohort = try c.decodeIfPresent(String.self, forKey: .cohort)
        nominal = try c.decode([String: Double].self, forKey: .nominal)
        borrowingLimit = try c.decodeIfPresent(Double.self, forKey: .borrowingLimit)
        lendingLimit = try c.decodeIfPresent(Double.self, forKey: .lendingLimit)
        weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1
    }
}
