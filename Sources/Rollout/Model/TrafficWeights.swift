/// How traffic is split between variants: each variant's share in percent, summing to 100.
///
/// Shares are kept in basis points (hundredths of a percent), the resolution of the router's
/// 10,000 buckets, so 97.5/2.5 is exact and a weight finer than 0.01% is refused rather than
/// rounded. The order of the variants is the order they were given in; it fixes which buckets
/// a fresh allocation gives each (see ``BucketAllocation``).
///
/// ```swift
/// let weights = try TrafficWeights(parsing: "control=95,candidate=5")
/// ```
public struct TrafficWeights: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The number of buckets traffic is split into: one per basis point.
    public static let bucketCount = 10_000
    /// The most variants one split may have.
    public static let maximumVariants = 255

    /// The variants, in the order given.
    public let variants: [String]
    /// Each variant's share in basis points (1/100 of a percent), summing to 10,000.
    public let basisPoints: [Int]

    /// A split from variant names and percentages.
    ///
    /// - Throws: ``RolloutError/Code/invalidWeights`` when the percentages do not sum to 100,
    ///   one is negative or not a multiple of 0.01, a name is empty or repeated, or there are
    ///   no variants (or more than 255).
    public init(_ shares: [(variant: String, percent: Double)]) throws(RolloutError) {
        guard !shares.isEmpty else {
            throw RolloutError(.invalidWeights, "No variants were given", fix: "give at least one, such as control=100.")
        }
        guard shares.count <= Self.maximumVariants else {
            throw RolloutError(.invalidWeights, "\(shares.count) variants were given; at most \(Self.maximumVariants) can share traffic", fix: "split into fewer variants.")
        }
        var names: [String] = []
        var points: [Int] = []
        for (name, percent) in shares {
            try Self.validateName(name)
            if names.contains(name) {
                throw RolloutError(.invalidWeights, "Variant '\(name)' is given twice", location: name, fix: "give each variant once.")
            }
            guard percent.isFinite, percent >= 0, percent <= 100 else {
                throw RolloutError(.invalidWeights, "Weight \(percent) of '\(name)' is not a percentage from 0 to 100", location: name, fix: "give a number from 0 to 100.")
            }
            let scaled = (percent * 100).rounded()
            guard abs(scaled - percent * 100) < 1e-6 else {
                throw RolloutError(
                    .invalidWeights, "Weight \(percent) of '\(name)' is finer than 0.01%, the router's resolution", location: name,
                    fix: "round it to two decimals.")
            }
            names.append(name)
            points.append(Int(scaled))
        }
        let total = points.reduce(0, +)
        guard total == Self.bucketCount else {
            let given = shares.map { "\($0.variant)=\(Self.format($0.percent))" }.joined(separator: ",")
            throw RolloutError(
                .invalidWeights, "The weights \(given) sum to \(Self.format(Double(total) / 100)), not 100",
                fix: "make them add up to exactly 100, such as control=95,candidate=5.")
        }
        self.variants = names
        self.basisPoints = points
    }

    /// A split from text such as `control=95,candidate=5` (percentages, up to two decimals).
    ///
    /// - Throws: ``RolloutError/Code/invalidWeights`` naming the part that cannot be read, or
    ///   what ``init(_:)`` refuses.
    public init(parsing text: String) throws(RolloutError) {
        var shares: [(variant: String, percent: Double)] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2, let percent = Double(pieces[1].trimmingSpaces()) else {
                throw RolloutError(
                    .invalidWeights, "'\(part)' in '\(text)' is not NAME=PERCENT", location: String(part),
                    fix: "write the weights as control=95,candidate=5.")
            }
            shares.append((String(pieces[0].trimmingSpaces()), percent))
        }
        try self.init(shares)
    }

    /// The index of `variant`, or nil.
    public func index(of variant: String) -> Int? { variants.firstIndex(of: variant) }

    /// The share of `variant` in percent (0 for a variant not in the split).
    public func percent(of variant: String) -> Double {
        index(of: variant).map { Double(basisPoints[$0]) / 100 } ?? 0
    }

    /// The split as text, such as `control=95,candidate=5`.
    public var description: String {
        zip(variants, basisPoints).map { "\($0)=\(Self.format(Double($1) / 100))" }.joined(separator: ",")
    }

    /// Checks a variant name: not empty, at most 200 characters, no comma, equals sign or control character.
    static func validateName(_ name: String) throws(RolloutError) {
        guard !name.isEmpty, name.utf8.count <= 200 else {
            throw RolloutError(.invalidWeights, "A variant name is empty or longer than 200 bytes", location: name, fix: "name each variant, such as control.")
        }
        guard !name.contains(where: { $0 == "," || $0 == "=" || $0.isNewline || $0.asciiValue.map { $0 < 32 } == true }) else {
            throw RolloutError(.invalidWeights, "Variant name '\(name)' holds a comma, '=' or a control character", location: name, fix: "use letters, digits, '-' or '_'.")
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
