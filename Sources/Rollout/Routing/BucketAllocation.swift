/// Which variant owns each of the router's 10,000 buckets.
///
/// A fresh allocation gives the variants consecutive ranges in the order of their weights:
/// `control=95,candidate=5` gives control buckets 0–9,499 and candidate 9,500–9,999.
///
/// ``reweighted(to:)`` moves as few buckets as possible, and only from variants whose share
/// shrinks to variants whose share grows: a unit in a growing variant stays in it. So when a
/// canary grows from 5% to 25%, every unit that was in the canary stays in the canary, whatever
/// the number of variants. The first variant gives up its highest-numbered buckets and the others
/// their lowest, so for two variants the result is always the fresh allocation of the new weights
/// (the command line's `rollout assign --weights control=75,candidate=25` agrees with a service
/// whose canary grew there).
public struct BucketAllocation: Sendable, Hashable, Codable {
    /// The variants, in index order (a reweighting may append new ones, never reorders).
    public private(set) var variants: [String]
    /// The owner (an index into ``variants``) of each bucket.
    public private(set) var owners: [UInt8]

    /// The fresh allocation of `weights`: consecutive ranges in the order given.
    public init(_ weights: TrafficWeights) {
        variants = weights.variants
        var owners = [UInt8](repeating: 0, count: TrafficWeights.bucketCount)
        var start = 0
        for (index, points) in weights.basisPoints.enumerated() {
            for bucket in start..<(start + points) { owners[bucket] = UInt8(index) }
            start += points
        }
        self.owners = owners
    }

    /// The number of buckets each variant owns, in index order.
    public var counts: [Int] {
        var counts = [Int](repeating: 0, count: variants.count)
        for owner in owners { counts[Int(owner)] += 1 }
        return counts
    }

    /// The weights this allocation realises, in index order.
    public var weights: TrafficWeights {
        get throws(RolloutError) { try TrafficWeights(zip(variants, counts).map { ($0, Double($1) / 100) }) }
    }

    /// This allocation moved to `weights`, moving buckets only from shrinking to growing variants.
    ///
    /// Variants of `weights` that this allocation does not have are appended; variants it has
    /// that `weights` does not name keep their index with a share of 0.
    ///
    /// - Throws: ``RolloutError/Code/invalidWeights`` when the union would exceed 255 variants.
    public func reweighted(to weights: TrafficWeights) throws(RolloutError) -> BucketAllocation {
        var next = self
        for variant in weights.variants where !next.variants.contains(variant) {
            guard next.variants.count < TrafficWeights.maximumVariants else {
                throw RolloutError(.invalidWeights, "A rollout can hold at most \(TrafficWeights.maximumVariants) variants", fix: "end the rollout and start another.")
            }
            next.variants.append(variant)
        }
        let targets = next.variants.map { variant in weights.index(of: variant).map { weights.basisPoints[$0] } ?? 0 }
        var surplus = zip(next.counts, targets).map { $0 - $1 }  // > 0: gives up buckets; < 0: takes them
        // The first variant frees its highest buckets, the others their lowest: with two
        // variants the result is then always the fresh allocation of the new weights.
        var freed: [Int] = []
        for bucket in next.owners.indices.reversed() where next.owners[bucket] == 0 && surplus[0] > 0 {
            surplus[0] -= 1
            freed.append(bucket)
        }
        for bucket in next.owners.indices {
            let owner = Int(next.owners[bucket])
            if owner != 0 && surplus[owner] > 0 {
                surplus[owner] -= 1
                freed.append(bucket)
            }
        }
        freed.sort()
        // Growing variants take the freed buckets in variant order, lowest first.
        var cursor = 0
        for variant in next.variants.indices where surplus[variant] < 0 {
            for _ in 0..<(-surplus[variant]) {
                next.owners[freed[cursor]] = UInt8(variant)
                cursor += 1
            }
        }
        return next
    }
}
