import Foundation
import TensorCore

/// The two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(method="auto")`.
///
/// The statistic is the largest distance between the two empirical CDFs. The p-value is exact
/// when both samples have at most 10,000 values (Hodges' lattice-path counts, in the numerically
/// stable "1 − p" form of Viehmann 2021, as scipy computes them), and otherwise asymptotic: the
/// one-sample Kolmogorov–Smirnov distribution at n = round(n₁n₂/(n₁+n₂)).
public struct KolmogorovSmirnovTest: Sendable, Hashable, Codable {
    /// The KS statistic D.
    public let statistic: Double
    /// The p-value of D under "both samples come from one distribution".
    public let pValue: Double
    /// Whether the p-value is exact (true) or asymptotic.
    public let exact: Bool

    /// Largest sample size for which the exact p-value is used (scipy's `MAX_AUTO_N`).
    public static let exactLimit = 10_000

    /// Tests two samples.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/emptySample``) when a sample has no non-NaN value.
    /// - Complexity: O(n log n) for the sorts; the exact p-value adds O(n₁·n₂ / gcd) at worst.
    public init(reference: SortedSample, current: SortedSample) throws(DriftError) {
        try reference.requireValues("reference")
        try current.requireValues("current")
        let (maxS, minS) = Self.largestGaps(reference.values, current.values)
        (statistic, pValue, exact) = Self.decide(minS > maxS ? minS : maxS, reference.count, current.count)
    }

    /// The statistic as reported and its p-value for the largest gap `d` between samples of `n1`
    /// and `n2` values, as scipy's `ks_2samp(method="auto")`: exact (with D rounded to the
    /// lattice of multiples of 1 / lcm(n1, n2)) when neither sample holds more than
    /// ``exactLimit`` values and the computation fits, otherwise asymptotic.
    static func decide(_ d: Double, _ n1: Int, _ n2: Int) -> (statistic: Double, pValue: Double, exact: Bool) {
        if Swift.max(n1, n2) <= Self.exactLimit, let (exactD, p) = Self.exactPValue(n1, n2, d) {
            return (exactD, Swift.min(Swift.max(p, 0), 1), true)
        }
        let (m, n) = (Double(Swift.max(n1, n2)), Double(Swift.min(n1, n2)))
        let effective = (m * n / (m + n)).rounded(.toNearestOrEven)
        let p = (try? KolmogorovSmirnovDistribution(sampleSize: Int(effective)))?.sf(d) ?? .nan
        return (d, Swift.min(Swift.max(p, 0), 1), false)
    }

    /// The largest positive and negative gaps F_a − F_b between two sorted samples' empirical
    /// CDFs (the second as a positive number), after each distinct value.
    ///
    /// A merge without unpredictable branches: the next value is the smaller head, each side
    /// steps past it by a comparison turned into 0 or 1, and only ties (rare in measured data)
    /// take a loop. Once one side is exhausted the gap only moves toward zero, so the loop
    /// stops there. (The plain two-loop walk mispredicted about every other comparison: a
    /// third of a 100,000-row KS test.)
    ///
    /// The CDF steps i / n₁ and j / n₂ come from two tables filled before the merge (a loop
    /// the compiler vectorizes) instead of two divisions per value inside it: the same
    /// quotients, so the same gaps bit for bit, as scipy computes them.
    static func largestGaps(_ a: [Double], _ b: [Double]) -> (Double, Double) {
        a.count + b.count >= interleavedMinimum ? largestGapsInterleaved(a, b) : largestGapsMerged(a, b)
    }

    /// From this many values in all, ``largestGaps(_:_:)`` runs four merges at once.
    static let interleavedMinimum = 8_192

    /// One merge over both samples (see ``largestGaps(_:_:)``).
    static func largestGapsMerged(_ a: [Double], _ b: [Double]) -> (Double, Double) {
        let steps1 = cdfSteps(a.count), steps2 = cdfSteps(b.count)
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                steps1.withUnsafeBufferPointer { f1 in
                    steps2.withUnsafeBufferPointer { f2 in
                        let (n1, n2) = (a.count, b.count)
                        var (i, j) = (0, 0)
                        var (largest, smallest) = (0.0, 0.0)
                        while i < n1 && j < n2 {
                            let x = a[i], y = b[j]
                            let value = Swift.min(x, y)
                            i &+= x == value ? 1 : 0
                            j &+= y == value ? 1 : 0
                            while i < n1 && a[i] == value { i &+= 1 }
                            while j < n2 && b[j] == value { j &+= 1 }
                            let gap = f1[i] - f2[j]
                            largest = Swift.max(largest, gap)
                            smallest = Swift.min(smallest, gap)
                        }
                        return (largest, -smallest)
                    }
                }
            }
        }
    }

    /// The same gaps as ``largestGapsMerged(_:_:)``, from four merges advanced together.
    ///
    /// A merge is one long chain: each step's loads wait on the previous step's comparison.
    /// Splitting the values at three of the reference's quartiles gives four ranges whose merges
    /// are independent, so the processor overlaps their chains. Every state a range's merge
    /// passes through (the counts below some pooled value) is a state of the whole merge, and
    /// the states the whole merge would evaluate beyond one side's end of a range lie between
    /// that range's last state and its end, which is evaluated too; so the largest and smallest
    /// gaps are the same, bit for bit (the same quotients from the same tables).
    static func largestGapsInterleaved(_ a: [Double], _ b: [Double]) -> (Double, Double) {
        let steps1 = cdfSteps(a.count), steps2 = cdfSteps(b.count)
        struct Chain {
            var i: Int, j: Int
            let endI: Int, endJ: Int
            var largest = 0.0, smallest = 0.0
            var active: Bool { i < endI && j < endJ }
        }
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                steps1.withUnsafeBufferPointer { f1 in
                    steps2.withUnsafeBufferPointer { f2 in
                        let (n1, n2) = (a.count, b.count)
                        var startsA = [0, 0, 0, 0, n1], startsB = [0, 0, 0, 0, n2]
                        for s in 1..<4 {
                            let split = a[s * n1 / 4]
                            (startsA[s], startsB[s]) = (a.partitioningIndex { !($0 < split) }, b.partitioningIndex { !($0 < split) })
                        }
                        func chain(_ s: Int) -> Chain { Chain(i: startsA[s], j: startsB[s], endI: startsA[s + 1], endJ: startsB[s + 1]) }
                        @inline(__always) func step(_ c: inout Chain) {
                            let x = a[c.i], y = b[c.j]
                            let value = Swift.min(x, y)
                            c.i &+= x == value ? 1 : 0
                            c.j &+= y == value ? 1 : 0
                            while c.i < c.endI && a[c.i] == value { c.i &+= 1 }
                            while c.j < c.endJ && b[c.j] == value { c.j &+= 1 }
                            let gap = f1[c.i] - f2[c.j]
                            c.largest = Swift.max(c.largest, gap)
                            c.smallest = Swift.min(c.smallest, gap)
                        }
                        var (c0, c1, c2, c3) = (chain(0), chain(1), chain(2), chain(3))
                        while c0.active && c1.active && c2.active && c3.active {
                            step(&c0)
                            step(&c1)
                            step(&c2)
                            step(&c3)
                        }
                        var (largest, smallest) = (0.0, 0.0)
                        for var c in [c0, c1, c2, c3] {
                            while c.active { step(&c) }
                            // The range's end: the counts below the next range's first value.
                            let end = f1[c.endI] - f2[c.endJ]
                            largest = Swift.max(largest, Swift.max(c.largest, end))
                            smallest = Swift.min(smallest, Swift.min(c.smallest, end))
                        }
                        return (largest, -smallest)
                    }
                }
            }
        }
    }

    /// k / n for k = 0…n: an empirical CDF's possible values, as numpy's `searchsorted(…) / n`
    /// gives them.
    static func cdfSteps(_ n: Int) -> [Double] {
        let size = Double(n)
        return [Double](unsafeUninitializedCapacity: n + 1) { buffer, initialized in
            for k in 0...n { buffer[k] = Double(k) / size }
            initialized = n + 1
        }
    }

    /// Convenience: sorts both samples first.
    public init(reference: [Double], current: [Double]) throws(DriftError) {
        try self.init(reference: SortedSample(reference), current: SortedSample(current))
    }

    /// scipy's `_attempt_exact_2kssamp` for the two-sided alternative: (rounded D, p), or nil when
    /// the computation would overflow (then the asymptotic p-value is used).
    static func exactPValue(_ n1: Int, _ n2: Int, _ d: Double) -> (Double, Double)? {
        let g = gcd(n1, n2)
        let (lcm, overflow) = (n1 / g).multipliedReportingOverflow(by: n2)
        guard !overflow, lcm < Int(Int32.max) else { return nil }
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let roundedD = Double(h) / Double(lcm)
        if h == 0 { return (roundedD, 1) }
        let p = n1 == n2 ? probabilityOutsideSquare(n1, h) : outerProbabilityInside(n1, n2, g, h)
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return (roundedD, p)
    }

    /// Pr(D(n,n) ≥ h/n), by the alternating series in Horner form (scipy `_compute_prob_outside_square`).
    static func probabilityOutsideSquare(_ n: Int, _ h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var term = 1.0
            for j in 0..<h {
                term = Double(n - k * h - j) * term / Double(n + k * h + j + 1)
            }
            p = term * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The share of lattice paths leaving the band |x/m − y/n| < h/lcm (scipy `_compute_outer_prob_inside_method`).
    static func outerProbabilityInside(_ first: Int, _ second: Int, _ g: Int, _ h: Int) -> Double {
        let (m, n) = first < second ? (second, first) : (first, second)
        let mg = m / g, ng = n / g
        var minj = 0
        var maxj = Swift.min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var currentLength = maxj - minj
        let length = Swift.min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1, count: length)
        for index in minj..<maxj { a[index] = 0 }
        for i in 1...m {
            let lastMinj = minj, lastLength = currentLength
            minj = Swift.max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minj = Swift.min(minj, n)
            maxj = Swift.min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1 }
            var value = minj == 0 ? 0.0 : 1.0
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                value = (a[jj + minj - lastMinj] * Double(i) + value * Double(j)) / Double(i + j)
                a[jj] = value
            }
            currentLength = maxj - minj
            if lastLength > currentLength {
                for index in (maxj - minj)..<Swift.min(maxj - minj + (lastLength - currentLength), length) { a[index] = 1 }
            }
        }
        return a[maxj - minj - 1]
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
