import Foundation

extension HeavyHitters {
    /// One key's estimated weight, as returned by ``HeavyHitters/topK(_:)`` and
    /// ``HeavyHitters/estimate(_:)``.
    ///
    /// The true weight `f` satisfies `lowerBound ≤ f ≤ estimate`, and
    /// `maxOverestimate ≤ N/m` for the sketch's total weight N and capacity m.
    public struct Item: Sendable, Hashable, Codable {
        /// The key.
        public let key: Key
        /// An upper bound on the key's true weight (the SpaceSaving counter).
        public let estimate: UInt64
        /// How much `estimate` may exceed the true weight.
        public let maxOverestimate: UInt64

        /// Creates an item.
        ///
        /// - Parameters:
        ///   - key: The key.
        ///   - estimate: The upper bound on its weight.
        ///   - maxOverestimate: How much `estimate` may exceed the true weight.
        public init(key: Key, estimate: UInt64, maxOverestimate: UInt64) {
            self.key = key
            self.estimate = estimate
            self.maxOverestimate = maxOverestimate
        }

        /// A guaranteed lower bound on the key's true weight: `estimate - maxOverestimate`.
        ///
        /// - Complexity: O(1).
        public var lowerBound: UInt64 { estimate >= maxOverestimate ? estimate - maxOverestimate : 0 }
    }
}
