import Foundation

extension SpecialFunctions {
    /// The survival function P(Dₙ⁺ ≥ x) and distribution function of the one-sided
    /// Kolmogorov–Smirnov statistic Dₙ⁺ for a sample of size n: a port of SciPy's `_smirnov`
    /// (xsf `kolmogorov.h`, after P. van Mulbregt, arXiv:1802.06966).
    ///
    /// It sums the Smirnov–Birnbaum–Tingey series
    /// x Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v)
    /// in double-double arithmetic, keeping each term's binomial coefficient and powers as a
    /// mantissa and a separate binary exponent so that nothing overflows. (SciPy also computes the
    /// density alongside; it is not needed here and is left out.)
    ///
    /// - Returns: `(sf, cdf)`; NaN for n < 1 or x outside [0, 1].
    /// - Complexity: O(n) terms in the worst case, each O(log n).
    static func smirnov(_ n: Int, _ x: Double) -> (sf: Double, cdf: Double) {
        guard n > 0, x >= 0, x <= 1 else { return (.nan, .nan) }
        if n == 1 { return (1 - x, x) }
        if x == 0 { return (1, 0) }
        if x == 1 { return (0, 1) }
        let nDouble = Double(n)
        let (alpha, nxFloor) = splitNX(n, x)
        var n1mxFloor = n - nxFloor - (alpha == 0 ? 0 : 1)
        var n1mxCeil = n - nxFloor
        if alpha == 0 {
            n1mxFloor -= 1
            n1mxCeil += 1
        }
        // x ≤ 1/n
        if nxFloor == 0 || (nxFloor == 1 && alpha == 0) {
            let t = power(DoubleDouble(1) + x, n - 1).value
            let cdf = x * t
            return (1 - cdf, cdf)
        }
        // The survival function underflows.
        if -2 * nDouble * x * x < -708.396418532264106224 {
            return (0, 1)
        }
        // x ≥ 1 − 1/n
        if nxFloor >= n - 1 {
            let sf = power(DoubleDouble(1) - x, n).value
            return (sf, 1 - sf)
        }
        // Too many terms: the asymptotic p ≈ e^(−(6nx+1)²/(18n)).
        if n > 1_000_000 {
            let logP = -pow(6 * nDouble * x + 1, 2) / 18 / nDouble
            if logP < -M_LN2 {
                let sf = exp(logP)
                return (sf, 1 - sf)
            }
            let cdf = -expm1(logP)
            return (1 - cdf, cdf)
        }
        let upperTermCount = n - n1mxCeil + 1
        var useUpperSum = upperTermCount <= 1 && x < 0.5
        useUpperSum = useUpperSum || (n >= 10 && upperTermCount <= 3 && x <= 0.5 / nDouble.squareRoot())

        var start = 0
        var step = 1
        var termCount = n1mxFloor + 1
        let middle = n / 2
        var coefficient = DoubleDouble(1)
        var coefficientExponent = 0
        var sum = DoubleDouble(0)
        var term: DoubleDouble
        if useUpperSum {
            start = n
            step = -1
            termCount = n - n1mxCeil + 1
            term = power(DoubleDouble(1) + x, n - 1)
        } else {
            term = power(DoubleDouble(1) - x, n) / x
        }
        sum = sum + term
        updateBinomial(&coefficient, &coefficientExponent, n, 0)
        var j = 1
        while j < termCount {
            let v = start + j * step
            term = smirnovTerm(n, x, v, coefficient, coefficientExponent)
            if term.hi.isFinite, term.hi != 0 {
                sum = sum + term
            }
            if term.hi != 0 {
                if 4 * Double(termCount - j) * abs(term.value) < Double.ulpOfOne * sum.value,
                   j != termCount - 1 {
                    break
                }
            } else if j > middle {
                break
            }
            updateBinomial(&coefficient, &coefficientExponent, n, j)
            j += 1
        }
        let probability = (sum * x).value
        let sf: Double
        let cdf: Double
        if step < 0 {
            cdf = probability
            sf = 1 - probability
        } else {
            cdf = 1 - probability
            sf = probability
        }
        return (min(max(sf, 0), 1), min(max(cdf, 0), 1))
    }

    /// floor(n·x) and the fractional part of n·x, computed exactly.
    private static func splitNX(_ n: Int, _ x: Double) -> (alpha: Double, floor: Int) {
        let nx = DoubleDouble.twoProduct(Double(n), x)
        let nxFloor = nx.floor
        var alpha = (nx - nxFloor).hi
        var floorValue = Int(nxFloor.value)
        if alpha == 1 {
            floorValue += 1
            alpha = 0
        }
        return (alpha, floorValue)
    }

    /// C(n, j+1) = C(n, j)·(n − j)/(j + 1), kept as a mantissa and a binary exponent.
    private static func updateBinomial(_ mantissa: inout DoubleDouble, _ exponent: inout Int, _ n: Int, _ j: Int) {
        let ratio = DoubleDouble(Double(n - j)) / (Double(j) + 1)
        let (normalized, shift) = (mantissa * ratio).frexp
        exponent += shift
        mantissa = normalized
    }

    /// a^m in double-double, from pow() of the leading part and a first-order correction for the
    /// trailing part (SciPy's `pow_D`).
    private static func power(_ a: DoubleDouble, _ m: Int) -> DoubleDouble {
        if m <= 0 {
            if m == 0 { return DoubleDouble(1) }
            return DoubleDouble(1) / power(a, -m)
        }
        if a.hi == 0 { return DoubleDouble(0) }
        let answer = pow(a.hi, Double(m))
        let r = a.lo / a.hi
        var adjustment = Double(m) * r
        if abs(adjustment) > 1e-8 {
            if abs(adjustment) < 1e-4 {
                adjustment += (Double(m) * r) * ((Double(m) - 1) / 2 * r)
            } else {
                adjustment = expm1(Double(m) * log1p(r))
            }
        }
        return DoubleDouble(answer) + answer * adjustment
    }

    /// SciPy's `nextPowerOf2` helper, used to split long exponentiations.
    private static func nextPowerOf2(_ x: Double) -> Double {
        let q = scalbn(x, 1 - Double.significandBitCount - 1)
        var l = abs(q + x)
        if l == 0 {
            l = abs(x)
        } else if l < 0x1p62, l == l.rounded(.towardZero) {
            l = l.rounded(.towardZero)
        }
        return l
    }

    /// a^m as a mantissa in [½, 1) and a binary exponent (SciPy's `pow2Scaled_D`).
    private static func scaledPower(_ a: DoubleDouble, _ m: Int) -> (mantissa: DoubleDouble, exponent: Int) {
        let maxExponent = 960
        if m <= 0 {
            if m == 0 { return (DoubleDouble(1), 0) }
            let (inverse, e1) = scaledPower(a, -m)
            let (mantissa, e2) = (DoubleDouble(1) / inverse).frexp
            return (mantissa, -e1 + e2)
        }
        let (y, yExponent) = a.frexp
        if m == 1 { return (y, yExponent) }
        var chunk = maxExponent
        if Double(m) * (y.hi - 1) / y.hi < -Double(maxExponent) * M_LN2 {
            let log2Y = log(y.hi) / M_LN2
            let log2Answer = Double(m) * log2Y
            if log2Answer <= -Double(maxExponent) {
                chunk = Int(nextPowerOf2(-Double(maxExponent) / log2Y + 1) / 2)
            }
        }
        if m <= chunk {
            let (mantissa, e) = power(y, m).frexp
            return (mantissa, e + m * yExponent)
        }
        let quotient = m / chunk
        let remainder = m % chunk
        let (yToR, yToRExponent) = scaledPower(y, remainder)
        let (yToChunk, yToChunkExponent) = scaledPower(y, chunk)
        let (yToChunkQ, yToChunkQExponent) = scaledPower(yToChunk, quotient)
        let (mantissa, e) = (yToR * yToChunkQ).frexp
        let total = e + yToChunkQExponent + yToChunkExponent * quotient + yToRExponent + m * yExponent
        return (mantissa, total)
    }

    /// One term C(n,v) (1 − x − v/n)^(n−v) (x + v/n)^(v−1) of the Smirnov series.
    private static func smirnovTerm(
        _ n: Int, _ x: Double, _ v: Int, _ coefficient: DoubleDouble, _ coefficientExponent: Int
    ) -> DoubleDouble {
        let nDouble = Double(n)
        let t2x = DoubleDouble(Double(n - v)) / nDouble - x
        let (t2, t2Exponent) = scaledPower(t2x, n - v)
        let t1x = DoubleDouble(Double(v)) / nDouble + x
        let (t1, t1Exponent) = scaledPower(t1x, v - 1)
        let product = t1 * t2 * coefficient
        return product.scaled(by: coefficientExponent + t1Exponent + t2Exponent)
    }
}
