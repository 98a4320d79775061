/// How old a feature value may be at the time it is used: `2d`, `36h`, `90m`, `45s`, `1w`, or a
/// sum such as `1d12h`.
public struct TimeToLive: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The length in microseconds.
    public let microseconds: Int64

    /// A TTL of `microseconds`.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` for a negative length.
    public init(microseconds: Int64) throws(FeatureParityError) {
        guard microseconds >= 0 else {
            throw FeatureParityError(.invalidArgument, "A TTL of \(microseconds) µs is negative", fix: "give a length such as 2d.")
        }
        self.microseconds = microseconds
    }

    /// A TTL from text: numbers with units `w`, `d`, `h`, `m`, `s`, `ms`, summed (`1d12h`).
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` naming the text that cannot be read.
    public init(parsing text: String) throws(FeatureParityError) {
        let units: [(String, Int64)] = [("ms", 1_000), ("w", 604_800_000_000), ("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000)]
        var rest = Substring(text.trimmingCharacters(in: " "))
        var total: Int64 = 0
        func refuse() -> FeatureParityError {
            FeatureParityError(.invalidArgument, "'\(text)' is not a duration", location: "--ttl", fix: "write a number and a unit: 2d, 36h, 90m, 45s, 1w, or a sum such as 1d12h.")
        }
        guard !rest.isEmpty else { throw refuse() }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let amount = Double(digits), amount.isFinite else { throw refuse() }
            rest = rest.dropFirst(digits.count)
            guard let (unit, size) = units.first(where: { rest.hasPrefix($0.0) }) else { throw refuse() }
            rest = rest.dropFirst(unit.count)
            let micros = amount * Double(size)
            guard micros < 9e18 else { throw refuse() }
            let (sum, overflow) = total.addingReportingOverflow(Int64(micros.rounded()))
            guard !overflow else { throw refuse() }
            total = sum
        }
        try self.init(microseconds: total)
    }

    /// The TTL as text, in the largest unit that divides it.
    public var description: String {
        for (unit, size) in [("w", Int64(604_800_000_000)), ("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000)]
        where microseconds >= size && microseconds % size == 0 {
            return "\(microseconds / size)\(unit)"
        }
        return microseconds % 1_000 == 0 ? "\(microseconds / 1_000)ms" : "\(microseconds)µs"
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
