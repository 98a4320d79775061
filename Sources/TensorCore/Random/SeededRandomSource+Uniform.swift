import Foundation

extension SeededRandomSource {
    /// Returns a uniformly distributed number in the half-open interval [0, 1).
    ///
    /// The result is the top 53 bits of one call to ``next()`` divided by 2⁵³, so every value is a
    /// multiple of 2⁻⁵³ and each of the 2⁵³ values is equally likely. The same state always gives
    /// the same number, on every machine.
    ///
    /// - Returns: A number `u` with `0 <= u < 1`.
    /// - Complexity: O(1); consumes one word of the stream.
    public mutating func nextUniform() -> Double {
        Double(next() &>> 11) * 0x1p-53
    }

    /// Returns a uniformly distributed integer in `0..<upperBound`, without bias.
    ///
    /// Uses Daniel Lemire's multiply-and-reject method ("Fast Random Integer Generation in an
    /// Interval", ACM TOMACS 2019): the high word of `next() × upperBound`, rejecting the rare
    /// low words that would make some results more likely than others. It does not depend on the
    /// standard library's `Int.random(in:using:)`, whose algorithm may change between toolchains.
    ///
    /// - Parameter upperBound: The exclusive upper bound; must be positive.
    /// - Returns: An integer `k` with `0 <= k < upperBound`.
    /// - Throws: ``DistributionError`` with code `invalidParameter` if `upperBound` is not positive.
    /// - Complexity: O(1) expected; consumes one word of the stream, rarely more.
    public mutating func nextInt(below upperBound: Int) throws(DistributionError) -> Int {
        guard upperBound > 0 else {
            throw DistributionError(.invalidParameter, parameter: "upperBound",
                                    value: Double(upperBound), requirement: "a positive integer")
        }
        return Int(truncatingIfNeeded: boundedWord(below: UInt64(upperBound)))
    }

    /// Lemire's nearly divisionless bounded draw; `bound` must be positive.
    @inline(__always)
    mutating func boundedWord(below bound: UInt64) -> UInt64 {
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}
