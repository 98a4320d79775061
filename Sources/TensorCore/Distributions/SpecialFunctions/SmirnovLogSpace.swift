import Foundation

extension SpecialFunctions {
    /// The sample size from which ``kolmogorovSmirnov(_:_:cdf:)`` sums the Smirnov series in
    /// log space (``smirnovSurvivalLogSpace(_:_:)``) instead of double-double arithmetic. The two
    /// agree to 10⁻¹¹ relative from n = 500 (tested from there up to 1,000,000); from 2,000 the
    /// log-space sum is the faster (it was 100,000, which left a two-sample test of 100,000
    /// against 100,000 values, effective size 50,000, spending most of its time in this sum).
    static let smirnovLogSpaceThreshold = 2_000

    /// P(Dₙ⁺ ≥ x) by the same Smirnov–Birnbaum–Tingey series as ``smirnov(_:_:)``,
    /// x Σ_{j=0}^{⌊n(1−x)⌋} C(n,j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j),
    /// with each term's logarithm written so that no large quantities cancel, for large n.
    ///
    /// Why not the double-double port: it costs about 400 ns per term, and at n = 500,000 (the
    /// effective size of a two-sample test of 1M vs 1M values) the series has ~500,000 terms,
    /// which made the p-value ten times dearer than the sorting. Here a term costs a few
    /// logarithms and one exponential, and the terms are summed on all cores.
    ///
    /// Accuracy: for j ≥ 64 Stirling's series turns log C(n,j) + (n−j)·log(1−x−j/n) + (j−1)·log(x+j/n)
    /// into (n−j)·log1p(−nx/(n−j)) + j·log1p(nx/j) − log(x + j/n) + ½·log(n / (2π j (n−j))) plus
    /// Stirling corrections — quantities of size n·x, not n·log n — so each term's logarithm
    /// is good to about 10⁻¹³ absolute; below 64, log C(n,j) is summed exactly from its
    /// factors. Tested against the double-double port to 10⁻¹¹ relative.
    ///
    /// - Complexity: O(n) terms, in parallel.
    static func smirnovSurvivalLogSpace(_ n: Int, _ x: Double) -> Double {
        guard n > 0, x > 0, x < 1 else { return x <= 0 ? 1 : 0 }
        let nDouble = Double(n)
        let last = Int((nDouble * (1 - x)).rounded(.down))
        guard last >= 0 else { return 0 }
        let nx = nDouble * x
        // Small j: log C(n, j) from its factors, exactly enough (|log C| ≤ 64·log n).
        let direct = Swift.min(last, 63)
        var logBinomial = 0.0
        var smallTerms: [Double] = []
        smallTerms.reserveCapacity(direct + 1)
        for j in 0...direct {
            if j > 0 { logBinomial += log(Double(n - j + 1) / Double(j)) }
            smallTerms.append(logTerm(n: nDouble, j: j, x: x, logBinomial: logBinomial))
        }
        // Large j: Stirling, in parallel chunks; each chunk returns its largest log term and
        // the sum of its terms scaled by it.
        var partials: [(maximum: Double, sum: Double)] = [scaledSum(smallTerms)]
        if last >= 64 {
            let count = last - 63
            partials += ParallelFor.map(count: count, minimumChunk: 16_384) { range in
                // Blocks of 4,096 log terms, each reduced to (largest, scaled sum) and folded in,
                // so memory stays constant whatever n is.
                var logs = [Double](repeating: 0, count: Swift.min(4_096, range.count))
                var folded: (maximum: Double, sum: Double) = (-.infinity, 0)
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = Swift.min(start + logs.count, range.upperBound)
                    for offset in start..<end {
                        logs[offset - start] = stirlingLogTerm(n: nDouble, j: Double(64 + offset), nx: nx, x: x)
                    }
                    folded = fold(folded, scaledSum(logs[0..<(end - start)]))
                    start = end
                }
                return folded
            }
        }
        let maximum = partials.map(\.maximum).max() ?? -.infinity
        guard maximum > -.infinity else { return 0 }
        var total = 0.0
        for part in partials where part.maximum > -.infinity {
            total += part.sum * exp(part.maximum - maximum)
        }
        return Swift.min(Swift.max(x * exp(maximum) * total, 0), 1)
    }

    /// log of C(n,j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j) with log C(n,j) given.
    private static func logTerm(n: Double, j: Int, x: Double, logBinomial: Double) -> Double {
        let jDouble = Double(j)
        let remaining = 1 - x - jDouble / n
        let right = n - jDouble
        if remaining <= 0 { return right == 0 ? logBinomial + (jDouble - 1) * log(x + jDouble / n) : -.infinity }
        return logBinomial + (jDouble - 1) * log(x + jDouble / n) + right * log1p(-x - jDouble / n)
    }

    /// The same log term for j ≥ 64 through Stirling's series, in the cancellation-free form.
    private static func stirlingLogTerm(n: Double, j: Double, nx: Double, x: Double) -> Double {
        let right = n - j
        if right - nx <= 0 {
            // The last term, where 1 − x − j/n reaches 0: only (x + j/n)^(j−1) · C(n, n) survives.
            return right == 0 ? (j - 1) * log(x + j / n) : -.infinity
        }
        // log C(n,j) = n log n − j log j − (n−j) log(n−j) + ½ log(n / (2π j (n−j))) + c(n) − c(j) − c(n−j)
        // and n log n − j log j − (n−j) log(n−j) + (n−j) log((n−j−nx)/n) + (j−1) log((j+nx)/n)
        //   = (n−j) log1p(−nx/(n−j)) + j log1p(nx/j) − log((j+nx)/n).
        let main = right * log1p(-nx / right) + j * log1p(nx / j) - log((j + nx) / n)
        let half = 0.5 * log(n / (2 * Double.pi * j * right))
        return main + half + stirlingCorrection(n) - stirlingCorrection(j) - (right >= 64 ? stirlingCorrection(right) : log1pFactorialRemainder(right))
    }

    /// log Γ(m + 1) − (m log m − m + ½ log(2π m)) for m ≥ 64: 1/(12m) − 1/(360m³) + 1/(1260m⁵).
    private static func stirlingCorrection(_ m: Double) -> Double {
        let inverse = 1 / m, inverseSquared = inverse * inverse
        return inverse * (1.0 / 12 - inverseSquared * (1.0 / 360 - inverseSquared / 1260))
    }

    /// The same remainder for small m (the right side of the last few terms), from lgamma.
    private static func log1pFactorialRemainder(_ m: Double) -> Double {
        guard m > 0 else { return 0 }
        return lgamma(m + 1) - (m * log(m) - m + 0.5 * log(2 * Double.pi * m))
    }

    /// Two (largest, scaled sum) pairs as one.
    private static func fold(_ a: (maximum: Double, sum: Double), _ b: (maximum: Double, sum: Double)) -> (maximum: Double, sum: Double) {
        if a.maximum == -.infinity { return b }
        if b.maximum == -.infinity { return a }
        let maximum = Swift.max(a.maximum, b.maximum)
        return (maximum, a.sum * exp(a.maximum - maximum) + b.sum * exp(b.maximum - maximum))
    }

    /// The largest of some log terms and the sum of exp(term − largest).
    private static func scaledSum(_ logs: some Collection<Double>) -> (maximum: Double, sum: Double) {
        let maximum = logs.max() ?? -.infinity
        guard maximum > -.infinity else { return (maximum, 0) }
        var sum = 0.0
        for value in logs where value > maximum - 745 { sum += exp(value - maximum) }
        return (maximum, sum)
    }
}
