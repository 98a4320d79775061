import Foundation

/// A mergeable summary of the first four central moments of a stream of `Double`s, plus
/// counts, minimum and maximum.
///
/// Algorithm: one-pass updates by Welford (1962) extended to the third and fourth central
/// moments by Terriberry (2007); merging by the pairwise formulas of Chan, Golub & LeVeque
/// (1979) as generalized by Pébay, "Formulas for robust, one-pass parallel computation of
/// covariances and arbitrary-order statistical moments" (Sandia SAND2008-6212). The
/// sketch stores `n`, the mean and the central moment sums `M2 = Σ(x-x̄)²`,
/// `M3 = Σ(x-x̄)³`, `M4 = Σ(x-x̄)⁴` over the finite values.
///
/// ### Definitions (numpy / scipy defaults)
/// - ``variance`` = `M2/n` (`numpy.var`, ddof = 0); ``sampleVariance`` = `M2/(n-1)` (ddof = 1).
/// - ``skewness`` = `g1 = sqrt(n)·M3 / M2^1.5` (`scipy.stats.skew`, `bias=True`);
///   ``adjustedSkewness`` = `g1·sqrt(n(n-1))/(n-2)` (`bias=False`).
/// - ``kurtosis`` = excess kurtosis `g2 = n·M4/M2² - 3` (`scipy.stats.kurtosis`,
///   `fisher=True, bias=True`); ``adjustedKurtosis`` = `((n+1)g2 + 6)(n-1)/((n-2)(n-3))`
///   (`bias=False`).
///
/// Undefined results are NaN (as numpy returns): every statistic of an empty sketch,
/// ``sampleVariance`` with fewer than 2 values, skewness and kurtosis of constant data.
///
/// ### Special values
/// NaN inputs are counted in ``nanCount`` and excluded (like `numpy.nanmean`). Infinite
/// inputs are counted in ``positiveInfinityCount`` / ``negativeInfinityCount`` and
/// included in ``count``, ``min`` and ``max``; the moments of the finite values are kept
/// separately (``finiteCount``, ``finiteMean``), and the public statistics then follow
/// numpy: ``mean`` is `+inf`, `-inf`, or NaN when both signs occur; the variance,
/// skewness and kurtosis are NaN.
///
/// ### Serialization
/// ``serialized()`` / ``init(serialized:)`` give an 84-byte little-endian binary form;
/// `Codable` encodes that binary form as one base64 string.
///
/// ### Accuracy
/// Updates and merges are numerically stable: results agree with a two-pass computation
/// to about `n·ε` relative (1e-12 for millions of values in practice); merging shards in
/// any grouping gives the same result up to rounding.
public struct MomentSketch: Sendable, Hashable {
    /// The number of finite values.
    public internal(set) var finiteCount: Int = 0
    /// The number of NaN values seen (excluded from every statistic).
    public internal(set) var nanCount: Int = 0
    /// The number of `+infinity` values seen.
    public internal(set) var positiveInfinityCount: Int = 0
    /// The number of `-infinity` values seen.
    public internal(set) var negativeInfinityCount: Int = 0
    /// The mean of the finite values (0 when there are none).
    public internal(set) var finiteMean: Double = 0
    /// `Σ(x - mean)²` over the finite values.
    public internal(set) var m2: Double = 0
    /// `Σ(x - mean)³` over the finite values.
    public internal(set) var m3: Double = 0
    /// `Σ(x - mean)⁴` over the finite values.
    public internal(set) var m4: Double = 0
    /// Smallest non-NaN value; `+infinity` while empty.
    var minValue: Double = .infinity
    /// Largest non-NaN value; `-infinity` while empty.
    var maxValue: Double = -.infinity

    /// Creates an empty sketch.
    ///
    /// - Complexity: O(1).
    public init() {}

    // MARK: - Update

    /// Adds one value.
    ///
    /// - Parameter x: The value; NaN is only counted, ±infinity only counted and tracked
    ///   in ``min``/``max``.
    /// - Complexity: O(1), no allocation.
    public mutating func update(_ x: Double) {
        if x.isNaN {
            nanCount += 1
            return
        }
        if x < minValue { minValue = x }
        if x > maxValue { maxValue = x }
        if x.isInfinite {
            if x > 0 { positiveInfinityCount += 1 } else { negativeInfinityCount += 1 }
            return
        }
        if finiteCount == 0 {
            // The first value is the mean, and the moment sums stay 0 (the general update would
            // multiply an overflowed square of a value beyond ±1.3e154 by 0 and get NaN).
            finiteCount = 1
            finiteMean = x
            return
        }
        // Terriberry's online update of the third and fourth central moments.
        let n1 = Double(finiteCount)
        finiteCount += 1
        let n = Double(finiteCount)
        let delta = x - finiteMean
        // Values of opposite signs near the largest double overflow `delta`; the mean is then
        // moved by the two halves scaled first (it stays finite), and M2 to M4 overflow to ∞
        // as numpy's variance of such data does.
        let deltaN = delta.isFinite ? delta / n : x / n - finiteMean / n
        let deltaN2 = deltaN * deltaN
        let term1 = delta * deltaN * n1
        finiteMean += deltaN
        m4 += term1 * deltaN2 * (n * n - 3 * n + 3) + 6 * deltaN2 * m2 - 4 * deltaN * m3
        m3 += term1 * deltaN * (n - 2) - 3 * deltaN * m2
        m2 += term1
    }

    /// Adds every value in a buffer.
    ///
    /// - Parameter values: The values.
    /// - Complexity: O(n), no allocation.
    public mutating func update(contentsOf values: UnsafeBufferPointer<Double>) {
        // Blocks of finite values: two SIMD passes (sum, then the centred powers) and one
        // pairwise merge, instead of a division per value. A block holding NaN or ±∞ takes the
        // per-value path.
        let blockSize = 2_048
        var start = 0
        while start < values.count {
            let end = Swift.min(start + blockSize, values.count)
            if let block = Self.finiteBlock(UnsafeBufferPointer(rebasing: values[start..<end])) {
                // A merge of finite blocks cannot overflow a count that fits in memory.
                try? merge(block)
            } else {
                for x in values[start..<end] { update(x) }
            }
            start = end
        }
    }

    /// The sketch of a block of values, or nil when the block holds a NaN or an infinity.
    private static func finiteBlock(_ values: UnsafeBufferPointer<Double>) -> MomentSketch? {
        let lanes = values.count / 4 * 4
        var sum = SIMD4<Double>(repeating: 0)
        var low = SIMD4<Double>(repeating: .infinity), high = SIMD4<Double>(repeating: -.infinity)
        var index = 0
        while index < lanes {
            let x = SIMD4(values[index], values[index + 1], values[index + 2], values[index + 3])
            sum += x
            // pointwiseMin/Max as selects (see Reductions.blockSummary).
            low = low.replacing(with: x, where: x .< low)
            high = high.replacing(with: x, where: high .<= x)
            index += 4
        }
        var total = sum.sum()
        var minimum = low.min(), maximum = high.max()
        while index < values.count {
            total += values[index]
            minimum = Swift.min(minimum, values[index])
            maximum = Swift.max(maximum, values[index])
            index += 1
        }
        // NaN or ±∞ anywhere makes the sum non-finite (or the extremes infinite).
        guard total.isFinite, minimum.isFinite, maximum.isFinite else { return nil }
        let n = Double(values.count)
        // A constant block's mean is its value, exactly: the rounded sum's quotient (20 × 4.4 / 20
        // = 4.3999999999999995) gave it a spread of 1e-15, which Welch's t on two profiles of
        // one constant read as a drift (QA sweep). Any mean stays within the block's range.
        let mean = minimum == maximum ? minimum : Swift.min(Swift.max(total / n, minimum), maximum)
        var s2 = SIMD4<Double>(repeating: 0), s3 = s2, s4 = s2
        let centre = SIMD4<Double>(repeating: mean)
        index = 0
        while index < lanes {
            let d = SIMD4(values[index], values[index + 1], values[index + 2], values[index + 3]) - centre
            let d2 = d * d
            s2 += d2
            s3 += d2 * d
            s4 += d2 * d2
            index += 4
        }
        var (m2, m3, m4) = (s2.sum(), s3.sum(), s4.sum())
        while index < values.count {
            let d = values[index] - mean, d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
            index += 1
        }
        var block = MomentSketch()
        block.finiteCount = values.count
        block.finiteMean = mean
        block.m2 = m2
        block.m3 = m3
        block.m4 = m4
        block.minValue = minimum
        block.maxValue = maximum
        return block
    }

    /// Adds every value of a sequence.
    ///
    /// - Parameter values: The values.
    /// - Complexity: O(n).
    public mutating func update(contentsOf values: some Sequence<Double>) {
        for x in values { update(x) }
    }

    // MARK: - Merge

    /// Merges another sketch into this one with Pébay's pairwise formulas, giving (up to
    /// rounding) the sketch of the concatenated streams.
    ///
    /// - Parameter other: Any moment sketch.
    /// - Throws: ``SketchError/Code/overflow`` when a combined count exceeds `Int.max`;
    ///   `self` is then unchanged. Moment sketches have no parameters, so they are always
    ///   compatible.
    /// - Complexity: O(1).
    public mutating func merge(_ other: MomentSketch) throws(SketchError) {
        let (nf, o1) = finiteCount.addingReportingOverflow(other.finiteCount)
        let (nn, o2) = nanCount.addingReportingOverflow(other.nanCount)
        let (np, o3) = positiveInfinityCount.addingReportingOverflow(other.positiveInfinityCount)
        let (nm, o4) = negativeInfinityCount.addingReportingOverflow(other.negativeInfinityCount)
        let (t1, o5) = nf.addingReportingOverflow(np)
        let (_, o6) = t1.addingReportingOverflow(nm)
        guard !(o1 || o2 || o3 || o4 || o5 || o6) else {
            throw SketchError(
                .overflow,
                "Merging would make a MomentSketch count exceed Int.max; merge fewer sketches into one.")
        }
        if other.minValue < minValue { minValue = other.minValue }
        if other.maxValue > maxValue { maxValue = other.maxValue }
        nanCount = nn
        positiveInfinityCount = np
        negativeInfinityCount = nm
        if other.finiteCount == 0 { return }
        if finiteCount == 0 {
            finiteCount = other.finiteCount
            finiteMean = other.finiteMean
            m2 = other.m2
            m3 = other.m3
            m4 = other.m4
            return
        }
        let na = Double(finiteCount)
        let nb = Double(other.finiteCount)
        let n = na + nb
        let delta = other.finiteMean - finiteMean
        let delta2 = delta * delta
        let nanb = na * nb
        let newM4 =
            m4 + other.m4 + delta2 * delta2 * nanb * (na * na - nanb + nb * nb) / (n * n * n)
            + 6 * delta2 * (na * na * other.m2 + nb * nb * m2) / (n * n)
            + 4 * delta * (na * other.m3 - nb * m3) / n
        let newM3 =
            m3 + other.m3 + delta * delta2 * nanb * (na - nb) / (n * n)
            + 3 * delta * (na * other.m2 - nb * m2) / n
        let newM2 = m2 + other.m2 + delta2 * nanb / n
        // As in `update`: means of opposite signs near the largest double are weighted
        // separately when their difference overflows.
        finiteMean = delta.isFinite ? finiteMean + delta * nb / n : finiteMean * (na / n) + other.finiteMean * (nb / n)
        m2 = newM2
        m3 = newM3
        m4 = newM4
        finiteCount = nf
    }

    // MARK: - Statistics

    /// The number of non-NaN values, infinities included.
    ///
    /// - Complexity: O(1).
    public var count: Int { finiteCount + positiveInfinityCount + negativeInfinityCount }

    /// Whether no non-NaN value has been added.
    public var isEmpty: Bool { count == 0 }

    /// The smallest non-NaN value (exact), or `nil` when empty.
    public var min: Double? { count == 0 ? nil : minValue }

    /// The largest non-NaN value (exact), or `nil` when empty.
    public var max: Double? { count == 0 ? nil : maxValue }

    private var hasInfinity: Bool { positiveInfinityCount > 0 || negativeInfinityCount > 0 }

    /// The arithmetic mean (`numpy.mean` of the non-NaN values): `±infinity` when only
    /// infinities of one sign occur, NaN when both signs occur or when empty.
    ///
    /// - Complexity: O(1).
    public var mean: Double {
        if positiveInfinityCount > 0 && negativeInfinityCount > 0 { return .nan }
        if positiveInfinityCount > 0 { return .infinity }
        if negativeInfinityCount > 0 { return -.infinity }
        return finiteCount == 0 ? .nan : finiteMean
    }

    /// The sum of the non-NaN values, `mean · count` (infinite or NaN as for ``mean``).
    ///
    /// - Complexity: O(1).
    public var sum: Double { hasInfinity ? mean : finiteMean * Double(finiteCount) }

    /// The population variance `M2/n` (`numpy.var`, ddof = 0); NaN when empty or when
    /// infinities occurred.
    ///
    /// - Complexity: O(1).
    public var variance: Double {
        if hasInfinity || finiteCount == 0 { return .nan }
        return m2 / Double(finiteCount)
    }

    /// The sample variance `M2/(n-1)` (`numpy.var(ddof=1)`); NaN with fewer than 2 values
    /// or when infinities occurred.
    ///
    /// - Complexity: O(1).
    public var sampleVariance: Double {
        if hasInfinity || finiteCount < 2 { return .nan }
        return m2 / Double(finiteCount - 1)
    }

    /// The population standard deviation `sqrt(variance)` (`numpy.std`, ddof = 0).
    ///
    /// - Complexity: O(1).
    public var standardDeviation: Double { variance.squareRoot() }

    /// The sample standard deviation `sqrt(sampleVariance)` (`numpy.std(ddof=1)`).
    ///
    /// - Complexity: O(1).
    public var sampleStandardDeviation: Double { sampleVariance.squareRoot() }

    /// The biased sample skewness `g1 = sqrt(n)·M3/M2^1.5` (`scipy.stats.skew`, default
    /// `bias=True`); NaN when empty, constant, or when infinities occurred.
    ///
    /// - Complexity: O(1).
    public var skewness: Double {
        if hasInfinity || finiteCount == 0 { return .nan }
        let n = Double(finiteCount)
        return n.squareRoot() * m3 / (m2 * m2.squareRoot())
    }

    /// The adjusted Fisher–Pearson skewness `G1 = g1·sqrt(n(n-1))/(n-2)`
    /// (`scipy.stats.skew(bias=False)`); NaN with fewer than 3 values.
    ///
    /// - Complexity: O(1).
    public var adjustedSkewness: Double {
        if finiteCount < 3 { return .nan }
        let n = Double(finiteCount)
        return skewness * (n * (n - 1)).squareRoot() / (n - 2)
    }

    /// The biased excess kurtosis `g2 = n·M4/M2² - 3` (`scipy.stats.kurtosis`, default
    /// `fisher=True, bias=True`; 0 for a normal distribution); NaN when empty, constant,
    /// or when infinities occurred.
    ///
    /// - Complexity: O(1).
    public var kurtosis: Double {
        if hasInfinity || finiteCount == 0 { return .nan }
        let n = Double(finiteCount)
        return n * m4 / (m2 * m2) - 3
    }

    /// The bias-corrected excess kurtosis `((n+1)·g2 + 6)(n-1)/((n-2)(n-3))`
    /// (`scipy.stats.kurtosis(bias=False)`); NaN with fewer than 4 values.
    ///
    /// - Complexity: O(1).
    public var adjustedKurtosis: Double {
        if finiteCount < 4 { return .nan }
        let n = Double(finiteCount)
        return ((n + 1) * kurtosis + 6) * (n - 1) / ((n - 2) * (n - 3))
    }
}
