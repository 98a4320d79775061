/// Assigns requests to variants: deterministic, sticky, and allocation-free.
///
/// A router is an immutable value built (and checked) once per configuration: a salt, a
/// ``BucketAllocation`` and optional ``TargetingRule``s. Routing a request hashes its unit key
/// (user id, session, device) with the salt to one of 10,000 buckets (see ``UnitHash``) and
/// reads the bucket's owner: the same unit gets the same variant on every replica and after
/// every restart, and nothing is allocated or locked.
///
/// ```swift
/// let router = try Router(salt: "ranker-2026-12", weights: TrafficWeights(parsing: "control=95,candidate=5"))
/// let variant = router.variant(for: "user-42")   // "control" or "candidate", the same every time
/// ```
///
/// To change the split while serving, build the next router with ``reweighted(to:)`` (units only
/// move from shrinking to growing variants) and publish it through a ``RouterHandle``.
public struct Router: Sendable {
    /// The salt: change it to reshuffle every unit (a new experiment), keep it to stay sticky.
    public let salt: String
    /// Who owns each bucket.
    public let allocation: BucketAllocation
    /// Rules checked before the weighted split.
    public let rules: [TargetingRule]
    /// The variant an empty unit key goes to: the one with the largest share (the first of
    /// equals), so the control in a canary and the winner once a rollout has ended.
    public let fallbackVariant: Int

    @usableFromInline let hash: UnitHash
    @usableFromInline let owners: [UInt8]
    @usableFromInline let ruleTargets: [Int]

    /// A router splitting traffic by `weights` (a fresh allocation).
    ///
    /// - Throws: ``RolloutError/Code/unknownVariant`` when a rule names a variant the weights do not have.
    public init(salt: String, weights: TrafficWeights, rules: [TargetingRule] = []) throws(RolloutError) {
        try self.init(salt: salt, allocation: BucketAllocation(weights), rules: rules)
    }

    /// A router over an existing allocation (one restored from a stored rollout).
    ///
    /// - Throws: ``RolloutError/Code/unknownVariant`` when a rule names a variant the allocation does not have.
    public init(salt: String, allocation: BucketAllocation, rules: [TargetingRule] = []) throws(RolloutError) {
        guard allocation.owners.count == TrafficWeights.bucketCount, !allocation.variants.isEmpty,
            allocation.owners.allSatisfy({ Int($0) < allocation.variants.count })
        else {
            throw RolloutError(
                .invalidPlan, "The bucket allocation has \(allocation.owners.count) buckets for \(allocation.variants.count) variants, or a bucket owned by no variant",
                fix: "build allocations from TrafficWeights; restore the store from a backup.")
        }
        var targets: [Int] = []
        for rule in rules {
            guard let index = allocation.variants.firstIndex(of: rule.variant) else {
                throw RolloutError(
                    .unknownVariant, "The rule on '\(rule.attribute)' sends traffic to '\(rule.variant)', which is not one of \(allocation.variants.joined(separator: ", "))",
                    location: rule.attribute, fix: "name a variant of the split.")
            }
            targets.append(index)
        }
        self.salt = salt
        self.allocation = allocation
        self.rules = rules
        let counts = allocation.counts
        self.fallbackVariant = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
        self.hash = UnitHash(salt: salt)
        self.owners = allocation.owners
        self.ruleTargets = targets
    }

    /// The variants, in index order.
    public var variants: [String] { allocation.variants }

    /// The index (into ``variants``) of the variant `unit` is assigned to.
    ///
    /// An empty key cannot be sticky; it goes to ``fallbackVariant`` (validate keys where they
    /// enter the service with ``UnitKey`` to refuse them instead).
    ///
    /// - Complexity: O(length of the key); no allocation, no lock.
    @inlinable
    public func variantIndex(for unit: String) -> Int {
        var unit = unit
        return unit.withUTF8 { bytes in
            bytes.isEmpty ? fallbackVariant : Int(owners[UnitHash.bucket(ofHash: hash.hash(bytes: UnsafeRawBufferPointer(bytes)))])
        }
    }

    /// The index of the variant for `unit`, after the targeting rules have had their say.
    @inlinable
    public func variantIndex(for unit: String, attributes: [String: String]) -> Int {
        for (rule, target) in zip(rules, ruleTargets) where rule.matches(attributes) { return target }
        return variantIndex(for: unit)
    }

    /// The name of the variant `unit` is assigned to.
    @inlinable
    public func variant(for unit: String) -> String { allocation.variants[variantIndex(for: unit)] }

    /// The bucket, in `0..<10_000`, of `unit` (see ``UnitHash``).
    @inlinable
    public func bucket(for unit: String) -> Int { hash.bucket(unit) }

    /// The next router: the same salt and rules, with buckets moved only from shrinking to
    /// growing variants (see ``BucketAllocation/reweighted(to:)``).
    ///
    /// - Throws: ``RolloutError`` when the new weights cannot be realised.
    public func reweighted(to weights: TrafficWeights) throws(RolloutError) -> Router {
        try Router(salt: salt, allocation: allocation.reweighted(to: weights), rules: rules)
    }
}

/// A unit key checked where it enters a service: never empty, so routing on it is sticky.
public struct UnitKey: Sendable, Hashable, CustomStringConvertible {
    /// The key.
    public let value: String

    /// A checked key.
    ///
    /// - Throws: ``RolloutError/Code/emptyUnitKey`` for an empty key.
    public init(_ value: String) throws(RolloutError) {
        guard !value.isEmpty else {
            throw RolloutError(.emptyUnitKey, "The unit key is empty, so no sticky assignment can be made", fix: "route on a user, session or device id that every request carries.")
        }
        self.value = value
    }

    public var description: String { value }
}
