import Foundation

/// A mergeable quantiles sketch over `Double` values: the KLL sketch.
///
/// Algorithm: Karnin, Lang & Liberty, "Optimal Quantile Approximation in Streams"
/// (FOCS 2016), in the engineering of Apache DataSketches' `KllDoublesSketch`:
/// a stack of compactors ("levels") whose capacities decay by a factor 2/3 from the top
/// level down (never below 8), stored in one array with the free space at its front.
/// Compaction is lazy: only when the whole array is full is the lowest over-full level
/// sorted and halved, keeping the odd- or even-indexed items at random; survivors move
/// up one level, where each item stands for twice as many values. Merging follows
/// DataSketches' `mergeDoubleImpl` / `generalDoublesCompress`.
///
/// ### Error bound
/// With parameter `k`, the normalized rank error of ``rank(_:inclusive:)``, ``quantile(_:)`` and
/// ``cdf(at:inclusive:)`` is at most ``rankErrorBound`` (`2.296 / k^0.9723`, about 1.33 % for the
/// default k = 200) with 99 % confidence; ``pmf(at:inclusive:)`` has ``pmfErrorBound``
/// (`2.446 / k^0.9433`, about 1.65 %). These are DataSketches' empirically fitted
/// `getNormalizedRankError(k, pmf)` constants. Merging any number of sketches with the
/// same `k` keeps the same bound. While ``count`` is at most `k`, nothing has been
/// compacted and results are exact.
///
/// The sketch also keeps its own, tighter account: ``compactionVariance`` sums the squared
/// weight of every compaction it (or any sketch merged into it) performed, and
/// ``rankErrorBound(failureProbability:queries:)`` turns it into a bound that holds for every rank
/// at once with a chosen probability (see there for the argument).
///
/// ### Special values
/// NaN values are not sketched: they are counted in ``nanCount`` and excluded from
/// ``count``, ranks and quantiles. `+infinity` and `-infinity` are ordinary values (they
/// order below and above every finite value). `-0.0` and `0.0` compare equal.
///
/// ### Determinism
/// The compaction coin flips come from a SplitMix64 generator seeded by `seed`, mixed
/// with the bits of the data being compacted, so the same inputs in the same order
/// always give the same sketch. Shards may share a seed; distinct seeds (e.g. the shard
/// index) make their coin flips independent in the strict sense of the analysis.
///
/// ### Serialization
/// ``serialized()`` / ``init(serialized:)`` give a compact little-endian binary form
/// (about 5 KB at k = 200); `Codable` encodes that binary form as one base64 string.
///
/// ### Equality
/// `==` is structural: equal parameters, counts, extremes, generator state and the same
/// retained items in the same levels. Two sketches of the same data built differently
/// may answer queries alike yet compare unequal. Round-tripping through
/// ``serialized()`` / ``init(serialized:)`` or `Codable` preserves equality.
///
/// `update(_:)` performs no heap allocation except when the sketch grows a level
/// (O(log n) times over the whole stream).
public struct KLLSketch: Sendable {
    /// The default accuracy parameter, as in DataSketches (≈1.33 % rank error).
    public static let defaultK = 200
    /// The smallest supported `k`.
    public static let minK = 8
    /// The largest supported `k`.
    public static let maxK = 65_535
    /// Minimum level width (DataSketches' `m`).
    static let minLevelWidth = 8

    /// The accuracy parameter: larger `k` gives smaller error and a larger sketch.
    public let k: Int
    /// The number of non-NaN values the sketch has seen (including ±infinity).
    public internal(set) var count: Int
    /// The number of NaN values seen, which are excluded from every statistic.
    public internal(set) var nanCount: Int
    /// Exact minimum of the non-NaN values; `+infinity` while empty.
    var minValue: Double
    /// Exact maximum of the non-NaN values; `-infinity` while empty.
    var maxValue: Double
    /// All levels in one buffer, level 0 lowest. `items[0..<levels[0]]` is free space.
    var items: [Double]
    /// Level boundaries: level `h` occupies `items[levels[h]..<levels[h + 1]]`;
    /// `levels.count == numLevels + 1` and `levels.last == items.count`.
    var levels: [Int]
    /// The compaction coin-flip generator.
    var random: SplitMix64
    /// `capacities[h]` is the capacity of level `h` for the current number of levels
    /// (derived from `k` and `levels.count`; cached because compaction consults it often).
    var capacities: [Int]
    /// Σ over every compaction of (weight of the compacted items)²: `4^h` for a compaction
    /// at level `h`. `nil` when unknown (a sketch read from the version-1 binary form, or
    /// merged with one).
    public internal(set) var compactionVariance: Double?

    /// Creates an empty sketch with `k` = ``defaultK`` (200).
    ///
    /// - Complexity: O(k).
    public init() {
        self.init(validK: KLLSketch.defaultK, seed: 0)
    }

    /// Creates an empty sketch with the given accuracy parameter.
    ///
    /// - Parameters:
    ///   - k: The accuracy parameter, in `8...65535`; the rank error bound is
    ///     ``normalizedRankError(k:pmf:)``.
    ///   - seed: Seeds the compaction coin flips, making the sketch reproducible.
    /// - Throws: ``SketchError/Code/invalidParameter`` when `k` is out of range.
    /// - Complexity: O(k).
    public init(k: Int, seed: UInt64 = 0) throws(SketchError) {
        guard k >= KLLSketch.minK && k <= KLLSketch.maxK else {
            throw SketchError(
                .invalidParameter,
                "KLL parameter k is \(k) but must be in \(KLLSketch.minK)...\(KLLSketch.maxK); use k = 200 for about 1.33% rank error.")
        }
        self.init(validK: k, seed: seed)
    }

    init(validK k: Int, seed: UInt64) {
        self.k = k
        count = 0
        nanCount = 0
        minValue = .infinity
        maxValue = -.infinity
        let capacity = KLLSketch.totalCapacity(k: k, numLevels: 1)
        items = [Double](repeating: 0, count: capacity)
        levels = [capacity, capacity]
        random = SplitMix64(seed: seed)
        capacities = [capacity]
        compactionVariance = 0
    }

    /// Recomputes ``capacities`` after the number of levels changed.
    mutating func refreshCapacities() {
        let n = numLevels
        capacities = (0..<n).map { KLLSketch.levelCapacity(k: k, numLevels: n, height: $0) }
    }

    // MARK: - Error bounds

    /// DataSketches' empirical normalized rank error at 99 % confidence for a given `k`.
    ///
    /// - Parameters:
    ///   - k: The accuracy parameter.
    ///   - pmf: `false` for single-sided queries (rank, quantile, CDF): `2.296 / k^0.9723`;
    ///     `true` for double-sided queries (PMF, mass between two points): `2.446 / k^0.9433`.
    /// - Returns: The error as a fraction of ``count`` (e.g. 0.0133 for 1.33 %).
    /// - Complexity: O(1).
    public static func normalizedRankError(k: Int, pmf: Bool) -> Double {
        let kd = Double(Swift.max(k, 1))
        return pmf ? 2.446 / pow(kd, 0.9433) : 2.296 / pow(kd, 0.9723)
    }

    /// The normalized rank error ε of ``rank(_:inclusive:)``, ``quantile(_:)`` and ``cdf(at:inclusive:)`` at
    /// 99 % confidence for this sketch's `k`: the true normalized rank of `quantile(q)` is
    /// within `q ± ε`, and `rank(x)` is within ε of the true rank of `x`.
    ///
    /// - Complexity: O(1).
    public var rankErrorBound: Double { KLLSketch.normalizedRankError(k: k, pmf: false) }

    /// The normalized error of each ``pmf(at:inclusive:)`` bucket at 99 % confidence for this `k`.
    ///
    /// - Complexity: O(1).
    public var pmfErrorBound: Double { KLLSketch.normalizedRankError(k: k, pmf: true) }

    /// A bound ε on the normalized rank error that holds for every value at once, except with
    /// probability at most `failureProbability` over the sketch's coin flips: with that
    /// probability or more, `|cdf(x) − F(x)| ≤ ε` for every `x`, where `F` is the exact
    /// empirical CDF of the values seen. Zero while nothing was compacted.
    ///
    /// The argument (Karnin, Lang & Liberty 2016, §3): a compaction at level `h` keeps every
    /// other item of a sorted run of items of weight `w = 2^h`, so for a fixed `x` it changes
    /// the weight at or below `x` by `+w`, `−w` (one coin flip each way) or 0; the schedule of
    /// compactions depends only on the counts, never on the coins. The error at `x` is thus a
    /// sum of martingale differences bounded by `w`, and Azuma–Hoeffding gives
    /// `P(|error| ≥ t) ≤ 2·exp(−t² / (2V))` with `V` = ``compactionVariance``. The empirical
    /// CDF changes only at the `count` values seen, so a union bound over them gives
    /// `ε = √(2V·ln(2·count / failureProbability)) / count`.
    ///
    /// This is the sketch's own account of the compactions it actually did, usually several
    /// times tighter than DataSketches' 99 % figure (``rankErrorBound``) at a far smaller
    /// failure probability. When ``compactionVariance`` is unknown it falls back to
    /// ``rankErrorBound`` (a 99 % figure whatever `failureProbability` asks).
    ///
    /// When the values the CDF will be read at are fixed before the sketch's coins are known
    /// (bin edges taken from another sketch, say), the union bound needs only those points:
    /// pass their number as `queries` for `ε = √(2V·ln(2·queries / failureProbability)) / count`.
    ///
    /// - Parameters:
    ///   - failureProbability: The chance the bound may fail, in `(0, 1)`; values outside are
    ///     clamped to `[1e-300, 0.5]`.
    ///   - queries: The number of fixed points the bound must hold at together; `nil` (the
    ///     default) for every value at once.
    /// - Returns: ε as a fraction of ``count``, at most 1.
    /// - Complexity: O(1).
    public func rankErrorBound(failureProbability: Double, queries: Int? = nil) -> Double {
        guard let variance = compactionVariance else { return isEstimationMode ? rankErrorBound : 0 }
        return KLLSketch.rankErrorBound(
            variance: variance, count: count, failureProbability: failureProbability, queries: queries)
    }

    /// The bound of ``rankErrorBound(failureProbability:queries:)`` for a known compaction
    /// variance and count (for a sketch that is described rather than held).
    ///
    /// - Parameters:
    ///   - variance: A ``compactionVariance``.
    ///   - count: The number of values the sketch saw.
    ///   - failureProbability: The chance the bound may fail, clamped to `[1e-300, 0.5]`.
    ///   - queries: The number of fixed query points, or `nil` for every value at once.
    /// - Returns: ε as a fraction of `count`, in `[0, 1]`.
    /// - Complexity: O(1).
    public static func rankErrorBound(variance: Double, count: Int, failureProbability: Double, queries: Int? = nil) -> Double {
        guard variance > 0, count > 0 else { return 0 }
        let delta = failureProbability.isNaN ? 0.5 : Swift.min(Swift.max(failureProbability, 1e-300), 0.5)
        let n = Double(count)
        let points = Double(Swift.max(1, Swift.min(queries ?? count, count)))
        let bound = (2 * variance * log(2 * points / delta)).squareRoot() / n
        return Swift.min(bound, 1)
    }

    /// Adds one compaction at `level` to ``compactionVariance``.
    @inline(__always)
    mutating func recordCompaction(atLevel level: Int) {
        if let variance = compactionVariance { compactionVariance = variance + scalbn(1.0, 2 * level) }
    }

    // MARK: - State

    /// Whether the sketch has seen no non-NaN value.
    public var isEmpty: Bool { count == 0 }

    /// The smallest non-NaN value seen (exact), or `nil` when empty.
    public var min: Double? { count == 0 ? nil : minValue }

    /// The largest non-NaN value seen (exact), or `nil` when empty.
    public var max: Double? { count == 0 ? nil : maxValue }

    /// The number of levels (compactors).
    var numLevels: Int { levels.count - 1 }

    /// The number of values currently stored (at most about `3k + 8·log2(n)`).
    public var retainedCount: Int { items.count - levels[0] }

    /// Whether compaction has started, so answers are approximate rather than exact.
    public var isEstimationMode: Bool { numLevels > 1 }

    // MARK: - Capacities (DataSketches KllHelper)

    /// `round(k · (2/3)^depth)` with exact integer arithmetic (DataSketches `intCapAuxAux`).
    static func capacityAux(_ k: Int, _ depth: Int) -> Int {
        var pow3 = 1
        for _ in 0..<depth { pow3 *= 3 }
        let tmp = ((k << 1) << depth) / pow3
        return (tmp + 1) >> 1
    }

    /// The capacity of the level at `height` when the sketch has `numLevels` levels.
    static func levelCapacity(k: Int, numLevels: Int, height: Int) -> Int {
        let depth = numLevels - height - 1
        let cap: Int
        if depth <= 30 {
            cap = capacityAux(k, depth)
        } else {
            let half = depth / 2
            cap = capacityAux(capacityAux(k, half), depth - half)
        }
        return Swift.max(minLevelWidth, cap)
    }

    /// The total number of slots for a sketch with `numLevels` levels.
    static func totalCapacity(k: Int, numLevels: Int) -> Int {
        var total = 0
        for h in 0..<numLevels { total += levelCapacity(k: k, numLevels: numLevels, height: h) }
        return total
    }

    // MARK: - Update

    /// Adds one value.
    ///
    /// NaN is counted in ``nanCount`` and otherwise ignored; ±infinity are ordinary values.
    ///
    /// - Parameter value: The value to add.
    /// - Complexity: Amortized O(1)-ish (O(log k) amortized for the level-0 sort); no heap
    ///   allocation except when a level is added.
    public mutating func update(_ value: Double) {
        if value.isNaN {
            nanCount += 1
            return
        }
        if value < minValue { minValue = value }
        if value > maxValue { maxValue = value }
        count += 1
        insertIntoLevelZero(value)
    }

    /// Adds every value in a buffer; faster than calling ``update(_:)`` in a loop.
    ///
    /// - Parameter values: The values to add; NaNs are counted in ``nanCount``.
    /// - Complexity: O(n) amortized, as ``update(_:)``.
    public mutating func update(contentsOf values: UnsafeBufferPointer<Double>) {
        let n = values.count
        var i = 0
        var lo = minValue
        var hi = maxValue
        var added = 0
        var nans = 0
        while i < n {
            if levels[0] == 0 { compressWhileUpdating() }
            var free = levels[0]
            items.withUnsafeMutableBufferPointer { buffer in
                while free > 0 && i < n {
                    let v = values[i]
                    i += 1
                    if v.isNaN {
                        nans += 1
                        continue
                    }
                    if v < lo { lo = v }
                    if v > hi { hi = v }
                    free -= 1
                    buffer[free] = v
                    added += 1
                }
            }
            levels[0] = free
        }
        count += added
        nanCount += nans
        minValue = lo
        maxValue = hi
    }

    /// Adds every value of a sequence.
    ///
    /// - Parameter values: The values to add; NaNs are counted in ``nanCount``.
    /// - Complexity: O(n) amortized.
    public mutating func update(contentsOf values: some Sequence<Double>) {
        let done: Void? = values.withContiguousStorageIfAvailable { buffer in
            update(contentsOf: buffer)
        }
        if done == nil {
            for v in values { update(v) }
        }
    }

    /// Stores a non-NaN value in level 0 without touching `count`, `min` or `max`.
    mutating func insertIntoLevelZero(_ value: Double) {
        if levels[0] == 0 { compressWhileUpdating() }
        let slot = levels[0] - 1
        levels[0] = slot
        items[slot] = value
    }

    /// Frees space by compacting the lowest over-full level (DataSketches
    /// `compressWhileUpdatingSketch`). Called only when the buffer is full.
    mutating func compressWhileUpdating() {
        let level = findLevelToCompact()
        if level == numLevels - 1 { addEmptyTopLevel() }
        compactLevel(level)
    }

    /// The lowest level whose population reaches its capacity. One exists whenever the
    /// buffer is full, because the capacities sum to the buffer size.
    func findLevelToCompact() -> Int {
        let n = numLevels
        var level = 0
        while level < n - 1 {
            if levels[level + 1] - levels[level] >= capacities[level] { return level }
            level += 1
        }
        return n - 1
    }

    /// Grows the buffer by the new bottom level's capacity and appends an empty top level.
    mutating func addEmptyTopLevel() {
        let n = numLevels
        let delta = KLLSketch.levelCapacity(k: k, numLevels: n + 1, height: 0)
        var grown = [Double](repeating: 0, count: items.count + delta)
        let start = levels[0]
        grown.withUnsafeMutableBufferPointer { dst in
            items.withUnsafeBufferPointer { src in
                for i in start..<src.count { dst[i + delta] = src[i] }
            }
        }
        items = grown
        for h in 0...n { levels[h] += delta }
        levels.append(items.count)
        refreshCapacities()
    }

    /// The next compaction offset (0 = keep even-indexed items, 1 = keep odd-indexed).
    /// Pseudo-random bits from SplitMix64, xored with a hash of a value being compacted so
    /// shards built with the same seed do not flip identical coins.
    mutating func nextCoin(mixing value: Double) -> Int {
        let bits = random.next() ^ SplitMix64.mix(value.bitPattern)
        return Int(truncatingIfNeeded: bits >> 63)
    }

    /// Halves level `level` into `level + 1` (DataSketches `compressWhileUpdatingSketch`
    /// body). Requires `levels[level + 2]` to exist and the level to hold at least 2 items.
    mutating func compactLevel(_ level: Int) {
        let rawBeg = levels[level]
        let rawEnd = levels[level + 1]
        let popAbove = levels[level + 2] - rawEnd
        let rawPop = rawEnd - rawBeg
        let oddPop = rawPop & 1 == 1
        let adjBeg = oddPop ? rawBeg + 1 : rawBeg
        let adjPop = oddPop ? rawPop - 1 : rawPop
        let half = adjPop / 2
        let bottom = levels[0]
        let offset = nextCoin(mixing: items[rawBeg])
        recordCompaction(atLevel: level)
        items.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            if level == 0 { SketchDoubleSort.sort(base + adjBeg, count: adjPop) }
            if popAbove == 0 {
                KLLSketch.halveUp(base + adjBeg, count: adjPop, offset: offset)
            } else {
                KLLSketch.halveDown(base + adjBeg, count: adjPop, offset: offset)
                KLLSketch.mergeSorted(
                    base + adjBeg, half, base + rawEnd, popAbove, into: base + adjBeg + half)
            }
            if oddPop {
                // The unpaired item stays at this level, just below the new level + 1.
                base[adjBeg + half - 1] = base[rawBeg]
            }
            if level > 0 {
                // Shift the levels below up by `half`, handing the freed space to level 0.
                var i = rawBeg - 1
                while i >= bottom {
                    base[i + half] = base[i]
                    i -= 1
                }
            }
        }
        levels[level + 1] -= half
        levels[level] = oddPop ? levels[level + 1] - 1 : levels[level + 1]
        if level > 0 {
            for h in 0..<level { levels[h] += half }
        }
    }

    /// Keeps every other item of a sorted run in its lower half (DataSketches
    /// `randomlyHalveDownDoubles`).
    static func halveDown(_ a: UnsafeMutablePointer<Double>, count: Int, offset: Int) {
        let half = count / 2
        var j = offset
        for i in 0..<half {
            a[i] = a[j]
            j += 2
        }
    }

    /// Keeps every other item of a sorted run in its upper half (DataSketches
    /// `randomlyHalveUpDoubles`).
    static func halveUp(_ a: UnsafeMutablePointer<Double>, count: Int, offset: Int) {
        let half = count / 2
        var j = count - 1 - offset
        var i = count - 1
        while i >= half {
            a[i] = a[j]
            j -= 2
            i -= 1
        }
    }

    /// Merges sorted runs `a[0..<aCount]` and `b[0..<bCount]` into `dst`. `dst` may
    /// overlap `b` from below (`dst + aCount + bCount == b + bCount`, `dst <= b`), as in
    /// the in-place compaction, and must not overlap `a`. (A galloping merge was measured
    /// and was slower here: the runs interleave finely.)
    /// Disjoint runs (the merge of two sketches) are the simplest case of the same contract.
    static func mergeSorted(
        _ a: UnsafePointer<Double>, _ aCount: Int,
        _ b: UnsafePointer<Double>, _ bCount: Int,
        into dst: UnsafeMutablePointer<Double>
    ) {
        var i = 0
        var j = 0
        var t = 0
        while i < aCount && j < bCount {
            if b[j] < a[i] {
                dst[t] = b[j]
                j += 1
            } else {
                dst[t] = a[i]
                i += 1
            }
            t += 1
        }
        while i < aCount {
            dst[t] = a[i]
            i += 1
            t += 1
        }
        while j < bCount {
            dst[t] = b[j]
            j += 1
            t += 1
        }
    }

    // MARK: - Merge

    /// Merges another sketch into this one, so this sketch summarizes both streams with
    /// the same error bound as a single sketch over all the data.
    ///
    /// Algorithm: DataSketches `mergeDoubleImpl`: the other sketch's level-0 items are
    /// inserted one by one, then levels of equal height are merged pairwise and the
    /// result is compacted bottom-up until it fits (`generalDoublesCompress`).
    ///
    /// - Parameter other: A sketch with the same `k`.
    /// - Throws: ``SketchError/Code/incompatibleSketches`` when `k` differs;
    ///   ``SketchError/Code/overflow`` when the combined count exceeds `Int.max`.
    ///   On error `self` is unchanged.
    /// - Complexity: O(retained items of both sketches · log k).
    public mutating func merge(_ other: KLLSketch) throws(SketchError) {
        guard other.k == k else {
            throw SketchError(
                .incompatibleSketches,
                "Cannot merge a KLL sketch with k = \(other.k) into one with k = \(k); build every shard's sketch with the same k.")
        }
        let (newCount, o1) = count.addingReportingOverflow(other.count)
        let (newNaNs, o2) = nanCount.addingReportingOverflow(other.nanCount)
        guard !o1 && !o2 else {
            throw SketchError(
                .overflow,
                "Merging would make the KLL sketch's count exceed Int.max; merge fewer sketches into one.")
        }
        nanCount = newNaNs
        if let mine = compactionVariance, let theirs = other.compactionVariance {
            compactionVariance = mine + theirs
        } else {
            compactionVariance = nil
        }
        if other.count == 0 { return }
        // 1) Level-0 items of the other sketch go through the normal insert path.
        let otherBase = other.levels[0]
        let otherLevel0End = other.levels[1]
        for i in otherBase..<otherLevel0End { insertIntoLevelZero(other.items[i]) }
        // 2) Higher levels are merged level by level, then compacted.
        if other.numLevels > 1 { mergeHigherLevels(of: other) }
        count = newCount
        if other.minValue < minValue { minValue = other.minValue }
        if other.maxValue > maxValue { maxValue = other.maxValue }
    }

    /// Merges levels 1 and above of `other` (DataSketches `mergeHigherLevels`).
    mutating func mergeHigherLevels(of other: KLLSketch) {
        let myNumLevels = numLevels
        let otherNumLevels = other.numLevels
        let provisionalNumLevels = Swift.max(myNumLevels, otherNumLevels)
        let myRetained = levels[myNumLevels] - levels[0]
        let otherAbove = other.levels[otherNumLevels] - other.levels[1]
        var work = [Double](repeating: 0, count: myRetained + otherAbove)
        // Enough room for every level the compaction can add (n < 2^63 bounds the height).
        let levelSlots = Swift.max(provisionalNumLevels, 64) + 3
        var workLevels = [Int](repeating: 0, count: levelSlots)
        var outLevels = [Int](repeating: 0, count: levelSlots)

        work.withUnsafeMutableBufferPointer { wb in
            guard let w = wb.baseAddress else { return }
            items.withUnsafeBufferPointer { mine in
                other.items.withUnsafeBufferPointer { theirs in
                    guard let my = mine.baseAddress, let their = theirs.baseAddress else { return }
                    // Level 0 comes from self only; other's level 0 was already inserted.
                    let pop0 = levels[1] - levels[0]
                    (w).update(from: my + levels[0], count: pop0)
                    workLevels[0] = 0
                    workLevels[1] = pop0
                    for lvl in 1..<provisionalNumLevels {
                        let selfPop = lvl < myNumLevels ? levels[lvl + 1] - levels[lvl] : 0
                        let otherPop = lvl < otherNumLevels ? other.levels[lvl + 1] - other.levels[lvl] : 0
                        let dst = w + workLevels[lvl]
                        workLevels[lvl + 1] = workLevels[lvl] + selfPop + otherPop
                        if selfPop > 0 && otherPop == 0 {
                            dst.update(from: my + levels[lvl], count: selfPop)
                        } else if selfPop == 0 && otherPop > 0 {
                            dst.update(from: their + other.levels[lvl], count: otherPop)
                        } else if selfPop > 0 && otherPop > 0 {
                            KLLSketch.mergeSorted(
                                my + levels[lvl], selfPop, their + other.levels[lvl], otherPop, into: dst)
                        }
                    }
                }
            }
        }

        let (finalNumLevels, finalCapacity, finalPop) = generalCompress(
            numLevelsIn: provisionalNumLevels, buffer: &work, inLevels: &workLevels, outLevels: &outLevels)

        var newItems = [Double](repeating: 0, count: finalCapacity)
        let freeSpace = finalCapacity - finalPop
        let outStart = outLevels[0]
        newItems.withUnsafeMutableBufferPointer { dst in
            work.withUnsafeBufferPointer { src in
                for i in 0..<finalPop { dst[freeSpace + i] = src[outStart + i] }
            }
        }
        var newLevels = [Int](repeating: 0, count: finalNumLevels + 1)
        for lvl in 0...finalNumLevels { newLevels[lvl] = outLevels[lvl] - outStart + freeSpace }
        items = newItems
        levels = newLevels
        refreshCapacities()
    }

    /// Compacts `buffer` (levels described by `inLevels`) bottom-up until the item count is
    /// below the total capacity, writing the result back into `buffer` at `outLevels`
    /// (DataSketches `generalDoublesCompress`). Returns the final number of levels, the
    /// capacity for that many levels and the number of items kept.
    mutating func generalCompress(
        numLevelsIn: Int, buffer: inout [Double], inLevels: inout [Int], outLevels: inout [Int]
    ) -> (numLevels: Int, capacity: Int, population: Int) {
        var numLevels = numLevelsIn
        var currentItemCount = inLevels[numLevels] - inLevels[0]
        var targetItemCount = KLLSketch.totalCapacity(k: k, numLevels: numLevels)
        outLevels[0] = 0
        var curLevel = -1
        var done = false
        while !done {
            curLevel += 1
            // At the current top level, add an empty level above it for convenience.
            if curLevel == numLevels - 1 { inLevels[curLevel + 2] = inLevels[curLevel + 1] }
            let rawBeg = inLevels[curLevel]
            let rawLim = inLevels[curLevel + 1]
            let rawPop = rawLim - rawBeg
            if currentItemCount < targetItemCount
                || rawPop < KLLSketch.levelCapacity(k: k, numLevels: numLevels, height: curLevel)
            {
                // Copy the level down as is (the output never lies above the input).
                let outBeg = outLevels[curLevel]
                buffer.withUnsafeMutableBufferPointer { b in
                    for i in 0..<rawPop { b[outBeg + i] = b[rawBeg + i] }
                }
                outLevels[curLevel + 1] = outBeg + rawPop
            } else {
                let popAbove = inLevels[curLevel + 2] - rawLim
                let oddPop = rawPop & 1 == 1
                let adjBeg = oddPop ? rawBeg + 1 : rawBeg
                let adjPop = oddPop ? rawPop - 1 : rawPop
                let half = adjPop / 2
                let outBeg = outLevels[curLevel]
                let offset = nextCoin(mixing: buffer[rawBeg])
                recordCompaction(atLevel: curLevel)
                buffer.withUnsafeMutableBufferPointer { b in
                    guard let base = b.baseAddress else { return }
                    if oddPop {
                        base[outBeg] = base[rawBeg]
                    }
                    if curLevel == 0 { SketchDoubleSort.sort(base + adjBeg, count: adjPop) }
                    if popAbove == 0 {
                        KLLSketch.halveUp(base + adjBeg, count: adjPop, offset: offset)
                    } else {
                        KLLSketch.halveDown(base + adjBeg, count: adjPop, offset: offset)
                        KLLSketch.mergeSorted(
                            base + adjBeg, half, base + rawLim, popAbove, into: base + adjBeg + half)
                    }
                }
                outLevels[curLevel + 1] = oddPop ? outBeg + 1 : outBeg
                currentItemCount -= half
                inLevels[curLevel + 1] -= half
                if curLevel == numLevels - 1 {
                    numLevels += 1
                    targetItemCount += KLLSketch.levelCapacity(k: k, numLevels: numLevels, height: 0)
                }
            }
            if curLevel == numLevels - 1 { done = true }
        }
        return (numLevels, targetItemCount, currentItemCount)
    }
}
