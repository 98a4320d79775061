import Foundation

/// A mergeable frequent-items (heavy hitters) sketch: weighted SpaceSaving with
/// `capacity` counters over any `Hashable & Sendable & Codable` key.
///
/// Algorithm: Metwally, Agrawal & El Abbadi, "Efficient Computation of Frequent and
/// Top-k Elements in Data Streams" (ICDT 2005), weighted form. A monitored key's weight
/// is added to its counter; an unmonitored key takes over the smallest counter `μ`
/// (count `μ + w`, overestimate `μ`). Counters live in a min-heap indexed by a
/// dictionary, so updates cost O(log m).
///
/// Merging follows Agarwal, Cormode, Huang, Phillips, Wei & Yi, "Mergeable Summaries"
/// (PODS 2012 / TODS 2013), which shows SpaceSaving is isomorphic to Misra–Gries and so
/// mergeable with the same bound: counters of shared keys are added; a key missing from a
/// full summary is charged that summary's minimum counter (its largest possible count
/// there); the `capacity` largest counters are kept. (This is the parallel SpaceSaving
/// merge of Cafaro, Pulimeno & Tempesta, 2016.)
///
/// ### Guarantee
/// With N = ``totalWeight`` and m = ``capacity``, for every monitored key with true
/// weight `f`: `f ≤ estimate ≤ f + maxOverestimate` and `maxOverestimate ≤ N/m`
/// (``errorBound``). An unmonitored key has a true weight of at most ``minimumCount``,
/// which is itself at most N/m. These hold after any number of merges of sketches with
/// the same capacity (deterministically, not only with high probability). Every key with
/// `f > N/m` is monitored.
///
/// ### Serialization
/// `Codable` encodes the fields (`capacity`, `totalWeight`, `keys`, `counts`,
/// `maxOverestimates`) so any `Codable` key works; decoding validates them. Sketches with
/// `String` or `Int64` keys also have a compact binary form, `serialized()` /
/// `init(serialized:)`.
///
/// Weights are `UInt64`; counts saturate at `UInt64.max` instead of trapping.
///
/// `update` performs no heap allocation once the sketch is full and the key is
/// allocation-free to copy (the dictionary's storage is reused).
public struct HeavyHitters<Key: Hashable & Sendable & Codable>: Sendable {
    /// The largest supported capacity (2^24 counters).
    public static var maxCapacity: Int { 1 << 24 }

    /// The number of counters `m`.
    public let capacity: Int
    /// The total weight N of all updates (saturating at `UInt64.max`).
    public internal(set) var totalWeight: UInt64
    /// Monitored keys, indexed by entry id (ids never move while a key is monitored).
    var keys: [Key]
    /// Counter values (upper bounds of the keys' weights), by entry id.
    var counts: [UInt64]
    /// Per-key maximum overestimates, by entry id.
    var errors: [UInt64]
    /// Entry ids in min-heap order of `counts`.
    var heap: [Int]
    /// Position of each entry id in `heap`.
    var heapPositions: [Int]
    /// Entry id of each monitored key.
    var slots: [Key: Int]

    /// Creates an empty sketch with `capacity` counters.
    ///
    /// - Parameter capacity: The number of counters `m`, in `1...maxCapacity`; estimates
    ///   are within `N/m` of the truth.
    /// - Throws: ``SketchError/Code/invalidParameter`` when out of range.
    /// - Complexity: O(min(capacity, 65536)) to reserve storage.
    public init(capacity: Int) throws(SketchError) {
        guard capacity >= 1 && capacity <= HeavyHitters.maxCapacity else {
            throw SketchError(
                .invalidParameter,
                "HeavyHitters capacity is \(capacity) but must be in 1...\(HeavyHitters.maxCapacity); pick m so that N/m is an acceptable error, e.g. 1000 for 0.1% of the total weight.")
        }
        self.init(validCapacity: capacity)
    }

    init(validCapacity capacity: Int) {
        self.capacity = capacity
        totalWeight = 0
        let reserve = Swift.min(capacity, 1 << 16)
        keys = []
        keys.reserveCapacity(reserve)
        counts = []
        counts.reserveCapacity(reserve)
        errors = []
        errors.reserveCapacity(reserve)
        heap = []
        heap.reserveCapacity(reserve)
        heapPositions = []
        heapPositions.reserveCapacity(reserve)
        slots = [:]
        slots.reserveCapacity(reserve)
    }

    // MARK: - State

    /// The number of monitored keys (at most ``capacity``).
    public var monitoredCount: Int { keys.count }

    /// Whether every counter is in use.
    public var isFull: Bool { keys.count >= capacity }

    /// Whether no weight has been added.
    public var isEmpty: Bool { keys.isEmpty }

    /// An upper bound on the weight of every unmonitored key: the smallest counter when
    /// the sketch is full, otherwise 0 (every key seen is monitored).
    ///
    /// - Complexity: O(1).
    public var minimumCount: UInt64 { isFull ? counts[heap[0]] : 0 }

    /// The guaranteed bound `N/m` on every ``Item/maxOverestimate``.
    ///
    /// - Complexity: O(1).
    public var errorBound: Double { Double(totalWeight) / Double(capacity) }

    @inline(__always)
    static func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : s
    }

    // MARK: - Update

    /// Adds `weight` occurrences of `key`.
    ///
    /// - Parameters:
    ///   - key: The key.
    ///   - weight: How many occurrences (default 1); 0 does nothing.
    /// - Complexity: O(log m) plus one or two hash lookups; no allocation once full.
    public mutating func update(_ key: Key, weight: UInt64 = 1) {
        guard weight > 0 else { return }
        totalWeight = HeavyHitters.saturatingAdd(totalWeight, weight)
        if let id = slots[key] {
            counts[id] = HeavyHitters.saturatingAdd(counts[id], weight)
            siftDown(heapPositions[id])
        } else if keys.count < capacity {
            let id = keys.count
            keys.append(key)
            counts.append(weight)
            errors.append(0)
            heap.append(id)
            heapPositions.append(id)
            slots[key] = id
            siftUp(id)
        } else {
            // Replace the minimum counter: the new key inherits it as its overestimate.
            let id = heap[0]
            slots.removeValue(forKey: keys[id])
            let mu = counts[id]
            keys[id] = key
            errors[id] = mu
            counts[id] = HeavyHitters.saturatingAdd(mu, weight)
            slots[key] = id
            siftDown(0)
        }
    }

    /// Adds one occurrence of every key in a sequence.
    ///
    /// - Parameter keys: The keys.
    /// - Complexity: O(n log m).
    public mutating func update(contentsOf keys: some Sequence<Key>) {
        for key in keys { update(key) }
    }

    /// Moves the entry at heap position `start` down until its children are not smaller.
    mutating func siftDown(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { h in
            heapPositions.withUnsafeMutableBufferPointer { pos in
                counts.withUnsafeBufferPointer { c in
                    let n = h.count
                    var i = start
                    let id = h[i]
                    let value = c[id]
                    while true {
                        let left = 2 * i + 1
                        if left >= n { break }
                        var child = left
                        if left + 1 < n && c[h[left + 1]] < c[h[left]] { child = left + 1 }
                        guard c[h[child]] < value else { break }
                        h[i] = h[child]
                        pos[h[i]] = i
                        i = child
                    }
                    h[i] = id
                    pos[id] = i
                }
            }
        }
    }

    /// Moves the entry at heap position `start` up until its parent is not larger.
    mutating func siftUp(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { h in
            heapPositions.withUnsafeMutableBufferPointer { pos in
                counts.withUnsafeBufferPointer { c in
                    var i = start
                    let id = h[i]
                    let value = c[id]
                    while i > 0 {
                        let parent = (i - 1) / 2
                        guard value < c[h[parent]] else { break }
                        h[i] = h[parent]
                        pos[h[i]] = i
                        i = parent
                    }
                    h[i] = id
                    pos[id] = i
                }
            }
        }
    }

    /// Rebuilds the heap (Floyd's method) and the key index from `keys`/`counts`/`errors`.
    /// Entries already in heap order keep their order.
    mutating func rebuildIndex() {
        heap = Array(keys.indices)
        heapPositions = Array(keys.indices)
        var i = keys.count / 2 - 1
        while i >= 0 {
            siftDown(i)
            i -= 1
        }
        slots.removeAll(keepingCapacity: true)
        for (id, key) in keys.enumerated() { slots[key] = id }
    }

    // MARK: - Queries

    /// Returns the estimate for one key.
    ///
    /// For a monitored key, `estimate - maxOverestimate ≤ f ≤ estimate`. For an
    /// unmonitored key both `estimate` and `maxOverestimate` equal ``minimumCount``, the
    /// largest weight it can have (0 when the sketch is not full).
    ///
    /// - Parameter key: The key.
    /// - Returns: The key's estimate.
    /// - Complexity: O(1) expected.
    public func estimate(_ key: Key) -> Item {
        if let i = slots[key] {
            return Item(key: key, estimate: counts[i], maxOverestimate: errors[i])
        }
        let mu = minimumCount
        return Item(key: key, estimate: mu, maxOverestimate: mu)
    }

    /// Returns the `k` monitored keys with the largest estimates, largest first (ties by
    /// larger guaranteed lower bound).
    ///
    /// Each item satisfies `f ≤ estimate ≤ f + maxOverestimate ≤ f + N/m`. If a key's
    /// ``Item/lowerBound`` exceeds the `(k+1)`-th estimate, it is certainly in the true top k.
    ///
    /// - Parameter k: How many keys; values above ``monitoredCount`` return them all,
    ///   values `<= 0` return none.
    /// - Returns: Up to `k` items sorted by decreasing estimate.
    /// - Complexity: O(m log m).
    public func topK(_ k: Int) -> [Item] {
        guard k > 0 else { return [] }
        let order = heap.sorted { a, b in
            if counts[a] != counts[b] { return counts[a] > counts[b] }
            return counts[a] - errors[a] > counts[b] - errors[b]
        }
        return order.prefix(k).map { Item(key: keys[$0], estimate: counts[$0], maxOverestimate: errors[$0]) }
    }

    /// Returns every monitored key whose estimate exceeds `fraction · N`, largest first.
    ///
    /// When `fraction >= 1/capacity` there are no false negatives: every key with true
    /// weight above `fraction · N` is returned. Keys whose ``Item/lowerBound`` exceeds
    /// `fraction · N` are certainly frequent.
    ///
    /// - Parameter fraction: The threshold as a fraction of ``totalWeight``.
    /// - Returns: The frequent items sorted by decreasing estimate.
    /// - Complexity: O(m log m).
    public func frequentItems(aboveFraction fraction: Double) -> [Item] {
        let threshold = fraction * Double(totalWeight)
        return topK(keys.count).filter { Double($0.estimate) > threshold }
    }

    // MARK: - Merge

    /// Merges another sketch into this one; the result summarizes both streams with the
    /// same guarantee as one sketch over all the data (see the type's documentation).
    ///
    /// - Parameter other: A sketch with the same capacity.
    /// - Throws: ``SketchError/Code/incompatibleSketches`` when the capacities differ;
    ///   ``SketchError/Code/overflow`` when the total weight would exceed `UInt64.max`.
    ///   On error `self` is unchanged.
    /// - Complexity: O((m₁ + m₂) log(m₁ + m₂)).
    public mutating func merge(_ other: HeavyHitters) throws(SketchError) {
        guard other.capacity == capacity else {
            throw SketchError(
                .incompatibleSketches,
                "Cannot merge a HeavyHitters sketch with capacity \(other.capacity) into one with capacity \(capacity); build every shard's sketch with the same capacity.")
        }
        let (total, overflow) = totalWeight.addingReportingOverflow(other.totalWeight)
        guard !overflow else {
            throw SketchError(
                .overflow,
                "Merging would make the HeavyHitters total weight exceed UInt64.max; merge fewer sketches into one or use smaller weights.")
        }
        let myMin = minimumCount
        let otherMin = other.minimumCount
        var mergedKeys: [Key] = []
        var mergedCounts: [UInt64] = []
        var mergedErrors: [UInt64] = []
        let upper = keys.count + other.keys.count
        mergedKeys.reserveCapacity(upper)
        mergedCounts.reserveCapacity(upper)
        mergedErrors.reserveCapacity(upper)
        // Iterate in heap order (not dictionary order) so the result is deterministic.
        for i in heap {
            mergedKeys.append(keys[i])
            if let j = other.slots[keys[i]] {
                mergedCounts.append(HeavyHitters.saturatingAdd(counts[i], other.counts[j]))
                mergedErrors.append(HeavyHitters.saturatingAdd(errors[i], other.errors[j]))
            } else {
                mergedCounts.append(HeavyHitters.saturatingAdd(counts[i], otherMin))
                mergedErrors.append(HeavyHitters.saturatingAdd(errors[i], otherMin))
            }
        }
        for j in other.heap where slots[other.keys[j]] == nil {
            mergedKeys.append(other.keys[j])
            mergedCounts.append(HeavyHitters.saturatingAdd(other.counts[j], myMin))
            mergedErrors.append(HeavyHitters.saturatingAdd(other.errors[j], myMin))
        }
        if mergedKeys.count > capacity {
            let order = mergedKeys.indices.sorted { a, b in
                if mergedCounts[a] != mergedCounts[b] { return mergedCounts[a] > mergedCounts[b] }
                return a < b
            }.prefix(capacity)
            keys = order.map { mergedKeys[$0] }
            counts = order.map { mergedCounts[$0] }
            errors = order.map { mergedErrors[$0] }
        } else {
            keys = mergedKeys
            counts = mergedCounts
            errors = mergedErrors
        }
        totalWeight = total
        rebuildIndex()
    }
}
