/// What every team uses against its quota, per GPU model, and what it may still admit (Kueue's
/// nominal quota, borrowing and lending within a cohort).
///
/// Amounts are in milli-GPUs. A team without a ``TeamQuota`` is limited only by the cluster.
struct QuotaLedger: Sendable {
    private let quotas: [String: TeamQuota]
    /// cohort → its teams.
    private let cohorts: [String: [String]]
    /// team → quota key → milli-GPUs in use.
    private(set) var usage: [String: [String: Int]] = [:]
    /// team → milli-GPUs in use over all models (for shares).
    private(set) var teamUsage: [String: Int] = [:]

    init(teams: [TeamQuota]) {
        var quotas: [String: TeamQuota] = [:]
        var cohorts: [String: [String]] = [:]
        for quota in teams {
            quotas[quota.team] = quota
            if let cohort = quota.cohort { cohorts[cohort, default: []].append(quota.team) }
        }
        self.quotas = quotas
        self.cohorts = cohorts
    }

    func quota(of team: String) -> TeamQuota? { quotas[team] }

    /// The quota entry a job of `team` on `model` counts against: the model's own, else `"*"`.
    func key(team: String, model: String) -> String {
        guard let quota = quotas[team] else { return model }
        return quota.nominal[model] != nil ? model : (quota.nominal["*"] != nil ? "*" : model)
    }

    /// GPUs as milli-GPUs, clamped far above any cluster (a limit of 1e20 GPUs means no limit).
    private static func milli(_ gpus: Double) -> Int { Int((min(max(gpus, 0), 1e12) * 1000).rounded()) }

    func nominal(team: String, key: String) -> Int {
        guard let quota = quotas[team] else { return Int.max / 4 }
        return Self.milli(quota.nominal[key] ?? 0)
    }

    /// What a team may lend of a quota key: its `lending_limit`, at most its nominal quota, or
    /// the whole nominal quota when it sets no limit. The rest of its quota is guaranteed to it.
    private func lendable(team: String, key k: String) -> Int {
        let own = nominal(team: team, key: k)
        return min(own, quotas[team]?.lendingLimit.map(Self.milli) ?? own)
    }

    /// How much of `milli` more would be borrowed from the cohort, or `nil` when the quota
    /// refuses it.
    ///
    /// Kueue's accounting (its `resource_node.go`): a team's quota splits into a guaranteed part
    /// (nominal minus the lending limit), which only it uses, and a lendable part it puts into
    /// its cohort's pool. Three rules, each kept true after every admission: a team uses at most
    /// its nominal quota plus its borrowing limit; a cohort uses at most the sum of its teams'
    /// nominal quotas; and what the cohort's teams use beyond their guaranteed parts is at most
    /// the pool. So a team lends only quota it leaves unused: one running at its own quota
    /// lends nothing, whatever its lending limit. An admission that takes more from the pool
    /// is judged by the third rule even within the team's own quota (a lender taking back quota
    /// another team borrowed), and preemption can then reclaim it: once no team runs over its
    /// own quota, the pool always holds what the teams take from it.
    func borrowing(team: String, model: String, milli: Int) -> Int? {
        guard let quota = quotas[team] else { return 0 }
        let k = key(team: team, model: model)
        let own = nominal(team: team, key: k)
        let used = usage[team]?[k] ?? 0
        let alreadyOver = max(0, used - own)
        let over = max(0, used + milli - own)
        if over > 0, let limit = quota.borrowingLimit, over > Self.milli(limit) { return nil }
        guard let cohort = quota.cohort, let members = cohorts[cohort] else { return over > 0 ? nil : 0 }
        let totals = cohortTotals(members, key: k, adding: (team, milli))
        if totals.used > totals.nominal { return nil }
        let guaranteed = own - lendable(team: team, key: k)
        if used + milli > guaranteed && totals.pooled > totals.pool { return nil }
        return over - alreadyOver
    }

    /// A cohort's use and quotas of one quota key, with `adding` milli-GPUs more for one team
    /// (an admission being judged): `pool` is what its teams lend in all (``lendable(team:key:)``),
    /// `pooled` what they use beyond their guaranteed parts, and `borrowed` what they use beyond
    /// their nominal quotas.
    private func cohortTotals(_ members: [String], key k: String, adding: (team: String, milli: Int)? = nil) -> (used: Int, nominal: Int, borrowed: Int, pooled: Int, pool: Int) {
        var totals = (used: 0, nominal: 0, borrowed: 0, pooled: 0, pool: 0)
        for member in members {
            let own = nominal(team: member, key: k)
            let lendable = lendable(team: member, key: k)
            let used = (usage[member]?[k] ?? 0) + (adding?.team == member ? adding?.milli ?? 0 : 0)
            totals.used += used
            totals.nominal += own
            totals.borrowed += max(0, used - own)
            totals.pooled += max(0, used - (own - lendable))
            totals.pool += lendable
        }
        return totals
    }

    /// The most milli-GPUs of `model` a job of `team` could ever be admitted with: its own
    /// quota plus what it may borrow (its borrowing limit, and what its cohort-mates lend).
    func maximumAdmissible(team: String, model: String) -> Int {
        guard let quota = quotas[team] else { return Int.max / 4 }
        let k = key(team: team, model: model)
        let own = nominal(team: team, key: k)
        guard let cohort = quota.cohort, let members = cohorts[cohort] else { return own }
        var lent = 0
        for member in members where member != team { lent += lendable(team: member, key: k) }
        return own + min(lent, quota.borrowingLimit.map(Self.milli) ?? Int.max / 4)
    }

    /// Whether the team is within its nominal quota for `model` once `milli` more is added.
    func withinNominal(team: String, model: String, adding milli: Int) -> Bool {
        let k = key(team: team, model: model)
        return (usage[team]?[k] ?? 0) + milli <= nominal(team: team, key: k)
    }

    /// Whether two teams share a cohort.
    func sameCohort(_ a: String, _ b: String) -> Bool {
        guard let ca = quotas[a]?.cohort, let cb = quotas[b]?.cohort else { return false }
        return ca == cb
    }

    /// Changes with every admission and release, so answers can be kept until it moves.
    private(set) var version = 0

    mutating func add(team: String, model: String, milli: Int) {
        version &+= 1
        usage[team, default: [:]][key(team: team, model: model), default: 0] += milli
        teamUsage[team, default: 0] += milli
    }

    mutating func remove(team: String, model: String, milli: Int) {
        add(team: team, model: model, milli: -milli)
    }

    /// Every way use breaks a quota: for the invariant checks.
    func problems() -> [String] {
        var problems: [String] = []
        for (team, quota) in quotas.sorted(by: { $0.key < $1.key }) {
            for (k, used) in (usage[team] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let own = nominal(team: team, key: k)
                if used < 0 { problems.append("team \(team) uses \(used) milli-GPUs of \(k)") }
                if used > own {
                    if quota.cohort == nil {
                        problems.append("team \(team) uses \(used) milli-GPUs of \(k), over its quota \(own) with no cohort to borrow from")
                    } else if let limit = quota.borrowingLimit, used - own > Self.milli(limit) {
                        problems.append("team \(team) borrows \(used - own) milli-GPUs of \(k), over its limit \(Self.milli(limit))")
                    }
                }
            }
        }
        for (cohort, members) in cohorts.sorted(by: { $0.key < $1.key }) {
            var keys = Set<String>()
            for member in members { keys.formUnion((usage[member] ?? [:]).keys) }
            for k in keys.sorted() {
                let totals = cohortTotals(members, key: k)
                if totals.used > totals.nominal {
                    problems.append("cohort \(cohort) uses \(totals.used) milli-GPUs of \(k), over its teams' quotas \(totals.nominal)")
                }
                if totals.pooled > totals.pool {
                    problems.append("cohort \(cohort) uses \(totals.pooled) milli-GPUs of \(k) beyond its teams' guaranteed quotas (\(totals.borrowed) of them borrowed), but its teams lend \(totals.pool)")
                }
            }
        }
        return problems
    }
}
