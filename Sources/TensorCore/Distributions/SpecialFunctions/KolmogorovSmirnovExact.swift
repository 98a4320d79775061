import Foundation

extension SpecialFunctions {
    private static let scaleExponent = 128
    private static let scaleUp = 0x1p128
    private static let scaleDown = 0x1p-128

    /// P(Dₙ ≤ x) (or P(Dₙ > x) when `cdf` is false) for the two-sided one-sample
    /// Kolmogorov–Smirnov statistic Dₙ: a port of SciPy's `_kolmogn` (`scipy/stats/_ksstats.py`),
    /// which follows the decision rules of Simard and L'Ecuyer (2011).
    ///
    /// - Ruben–Gambino closed forms for x ≤ 1/n and x ≥ 1 − 1/n;
    /// - 2·P(Dₙ⁺ ≥ x) (``smirnov(_:_:)``) for x ≥ ½, where the one-sided events cannot overlap;
    /// - for n ≤ 140: Durbin's matrix algorithm in the form of Marsaglia, Tsang and Wang when
    ///   n·x² ≤ 0.754693, Pomeranz's recursion when n·x² ≤ 4, and 2·smirnov beyond (the
    ///   intersection term is below double precision there);
    /// - for n > 140: 2·smirnov for the survival function when n·x² ≥ 2.2 (summed in log space,
///   ``smirnovSurvivalLogSpace(_:_:)``, from n = 2,000); otherwise Durbin's
    ///   matrix when n ≤ 100 000 and n·x^1.5 ≤ 1.4, and the Pelz–Good asymptotic series beyond.
    ///
    /// - Complexity: O(m³ log n) with m ≈ 2nx for Durbin's matrix, O(n·(nx)²) for Pomeranz,
    ///   O(n) for the Smirnov series.
    static func kolmogorovSmirnov(_ n: Int, _ x: Double, cdf: Bool) -> Double {
        guard n > 0, !x.isNaN else { return .nan }
        func select(_ cdfProbability: Double, _ sfProbability: Double) -> Double {
            min(max(cdf ? cdfProbability : sfProbability, 0), 1)
        }
        if x >= 1 { return select(1, 0) }
        if x <= 0 { return select(0, 1) }
        let nDouble = Double(n)
        let t = nDouble * x
        if t <= 1 {
            if t <= 0.5 { return select(0, 1) }
            let probability: Double
            if n <= 140 {
                var product = 1.0
                let factor = 2 * t - 1
                for i in 1...n {
                    product *= Double(i) * (1 / nDouble) * factor
                }
                probability = product
            } else {
                probability = exp(logFactorialOverPower(n) + nDouble * log(2 * t - 1))
            }
            return select(probability, 1 - probability)
        }
        if t >= nDouble - 1 {
            let probability = 2 * pow(1 - x, nDouble)
            return select(1 - probability, probability)
        }
        if x >= 0.5 {
            let probability = 2 * smirnov(n, x).sf
            return select(1 - probability, probability)
        }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 {
                let probability = durbinMatrix(n, x)
                return select(probability, 1 - probability)
            }
            if nxSquared <= 4 {
                let probability = pomeranz(n, x)
                return select(probability, 1 - probability)
            }
            let probability = 2 * smirnov(n, x).sf
            return select(1 - probability, probability)
        }
        if !cdf {
            if nxSquared >= 370 { return 0 }
            if nxSquared >= 2.2 {
                let oneSided = n >= smirnovLogSpaceThreshold ? smirnovSurvivalLogSpace(n, x) : smirnov(n, x).sf
                return min(max(2 * oneSided, 0), 1)
            }
        }
        let cdfProbability: Double
        if nxSquared >= 18 {
            cdfProbability = 1
        } else if n <= 100_000, nDouble * pow(x, 1.5) <= 1.4 {
            cdfProbability = durbinMatrix(n, x)
        } else {
            cdfProbability = pelzGood(n, x)
        }
        return select(cdfProbability, 1 - cdfProbability)
    }

    /// The x with P(Dₙ ≤ x) = p and P(Dₙ > x) = q (p + q = 1): a port of SciPy's `_kolmogni`,
    /// closed forms in the Ruben–Gambino ranges and Brent's method (x tolerance 10⁻¹⁴) between.
    static func inverseKolmogorovSmirnov(_ n: Int, p: Double, q: Double) -> Double {
        guard n > 0, p >= 0, q >= 0, p <= 1, q <= 1 else { return .nan }
        let nDouble = Double(n)
        if p <= 0 { return 1 / nDouble }
        if q <= 0 { return 1 }
        let delta = exp((log(p) - logGamma(nDouble + 1)) / nDouble)
        if delta <= 1 / nDouble {
            return (delta + 1 / nDouble) / 2
        }
        let upper = -expm1(log(q / 2) / nDouble)
        if upper >= 1 - 1 / nDouble {
            return upper
        }
        var x1 = inverseKolmogorov(sf: 1 - p, cdf: p) / nDouble.squareRoot()
        x1 = min(x1, 1 - 1 / nDouble)
        let f: (Double) -> Double = { x in kolmogorovSmirnov(n, x, cdf: true) - p }
        let root = brent(f, 1 / nDouble, x1, xTolerance: 1e-14)
        if !root.isNaN { return root }
        // The limiting-distribution bound did not bracket the root; widen to the full support.
        return brent(f, 1 / nDouble, 1 - 1 / nDouble, xTolerance: 1e-14)
    }

    /// log(n!/nⁿ) by Stirling's series with the n·log n terms removed up front.
    private static func logFactorialOverPower(_ n: Int) -> Double {
        let coefficients = [
            -2.955065359477124183e-2, 6.4102564102564102564e-3,
            -1.9175269175269175269e-3, 8.4175084175084175084e-4,
            -5.952380952380952381e-4, 7.9365079365079365079e-4,
            -2.7777777777777777778e-3, 8.3333333333333333333e-2,
        ]
        let nDouble = Double(n)
        let rn = 1 / nDouble
        let argument = rn / nDouble
        var polynomial = 0.0
        for coefficient in coefficients {
            polynomial = polynomial * argument + coefficient
        }
        return log(nDouble) / 2 - nDouble + logTwoPi / 2 + rn * polynomial
    }

    /// P(Dₙ ≤ d) by Durbin's matrix algorithm as simplified by Marsaglia, Tsang and Wang (2003):
    /// the k-th diagonal entry of (n!/nⁿ)·Hⁿ for an m×m matrix H, m = 2k − 1, k = ⌈nd⌉, with
    /// intermediate results rescaled by 2¹²⁸.
    static func durbinMatrix(_ n: Int, _ d: Double) -> Double {
        if d >= 1 { return 1 }
        let nDouble = Double(n)
        let nd = nDouble * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1

        var v = [Double](repeating: 0, count: m)
        var w = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            v[j - 1] = 1 - pow(h, Double(j))
            w[j - 1] = factorial
            factorial /= Double(j)
            v[j - 1] *= factorial
        }
        let tt = pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1 + tt) * factorial

        var matrix = DurbinMatrix(size: m)
        if m > 1 {
            for i in 1..<m {
                for row in (i - 1)..<m {
                    matrix[row, i] = w[row - (i - 1)]
                }
            }
        }
        for row in 0..<m { matrix[row, 0] = v[row] }
        for column in 0..<m { matrix[m - 1, column] = v[m - 1 - column] }

        var power = DurbinMatrix.identity(size: m)
        var remaining = n
        var exponent = 0
        var matrixExponent = 0
        while remaining > 0 {
            if remaining % 2 == 1 {
                power = power * matrix
                exponent += matrixExponent
            }
            matrix = matrix * matrix
            matrixExponent *= 2
            if abs(matrix[k - 1, k - 1]) > scaleUp {
                matrix.scale(by: scaleDown)
                matrixExponent += scaleExponent
            }
            remaining /= 2
        }
        var p = power[k - 1, k - 1]
        for i in 1...n {
            p = Double(i) * p / nDouble
            if abs(p) < scaleDown {
                p *= scaleUp
                exponent -= scaleExponent
            }
        }
        if exponent != 0 {
            p = scalbn(p, exponent)
        }
        return p
    }

    /// Endpoints of the non-zero band of row i in Pomeranz's recursion.
    private static func pomeranzBand(_ i: Int, _ n: Int, _ ll: Int, _ ceilF: Int, _ roundF: Int) -> (Int, Int) {
        var j1: Int
        var j2: Int
        if i == 0 {
            j1 = -ll - ceilF - 1
            j2 = ll + ceilF - 1
        } else {
            let half = (i + 1) / 2
            if (i + 1) % 2 == 0 {
                if half == n + 1 {
                    j1 = n - ll - ceilF - 1
                    j2 = n + ll + ceilF - 1
                } else {
                    j1 = half - 1 - ll - roundF - 1
                    j2 = half + ll - 1 + ceilF - 1
                }
            } else {
                j1 = half - 1 - ll - 1
                j2 = half + ll + roundF - 1
            }
        }
        return (max(j1 + 2, 0), min(j2, n))
    }

    /// P(Dₙ ≤ x) by Pomeranz's recursion (1974): each of 2n + 1 rows is the convolution of the
    /// previous row with truncated Poisson weights; only two rows and their non-zero bands are kept.
    static func pomeranz(_ n: Int, _ x: Double) -> Double {
        let nDouble = Double(n)
        let t = nDouble * x
        let ll = Int(t.rounded(.down))
        let f = t - Double(ll)
        let g = min(f, 1 - f)
        let ceilF = f > 0 ? 1 : 0
        let roundF = f > 0.5 ? 1 : 0
        let powerCount = 2 * (ll + 1)
        var gPower = [Double](repeating: 0, count: powerCount)
        var twoGPower = [Double](repeating: 0, count: powerCount)
        var oneMinusTwoGPower = [Double](repeating: 0, count: powerCount)
        gPower[0] = 1
        twoGPower[0] = 1
        oneMinusTwoGPower[0] = 1
        var exponent = 0
        let gOverN = g / nDouble
        let twoGOverN = 2 * g / nDouble
        let oneMinusTwoGOverN = (1 - 2 * g) / nDouble
        if powerCount > 1 {
            for m in 1..<powerCount {
                gPower[m] = gPower[m - 1] * gOverN / Double(m)
                twoGPower[m] = twoGPower[m - 1] * twoGOverN / Double(m)
                oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * oneMinusTwoGOverN / Double(m)
            }
        }
        var v0 = [Double](repeating: 0, count: powerCount)
        var v1 = [Double](repeating: 0, count: powerCount)
        v1[0] = 1
        var v0Start = 0
        var v1Start = 0
        var (j1, j2) = pomeranzBand(0, n, ll, ceilF, roundF)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&v0, &v1)
            swap(&v0Start, &v1Start)
            for index in v1.indices { v1[index] = 0 }
            (j1, j2) = pomeranzBand(i, n, ll, ceilF, roundF)
            let weights: [Double]
            if i == 1 || i == 2 * n + 1 {
                weights = gPower
            } else {
                weights = i % 2 == 1 ? twoGPower : oneMinusTwoGPower
            }
            let length = j2 - k1 + 1
            if length > 0 {
                // numpy slices clip at the array end.
                let sourceStart = max(0, k1 - v0Start)
                let sourceEnd = min(powerCount, k1 - v0Start + length)
                let weightEnd = min(powerCount, length)
                let sourceCount = max(0, sourceEnd - sourceStart)
                let convolutionStart = j1 - k1
                let convolutionLength = j2 - j1 + 1
                if sourceCount > 0, weightEnd > 0, convolutionLength > 0 {
                    for out in 0..<convolutionLength {
                        // Entry (convolutionStart + out) of the full convolution.
                        let index = convolutionStart + out
                        var total = 0.0
                        let lowest = max(0, index - (weightEnd - 1))
                        let highest = min(sourceCount - 1, index)
                        if lowest <= highest {
                            for s in lowest...highest {
                                total += v0[sourceStart + s] * weights[index - s]
                            }
                        }
                        v1[out] = total
                    }
                }
                let largest = v1.max() ?? 0
                if largest > 0, largest < scaleDown {
                    for index in v1.indices { v1[index] *= scaleUp }
                    exponent -= scaleExponent
                }
                v1Start = v0Start + j1 - k1
            }
        }
        var answer = v1[n - v1Start]
        for m in 1...n {
            if abs(answer) > scaleUp {
                answer *= scaleDown
                exponent += scaleExponent
            }
            answer *= Double(m)
        }
        if exponent != 0 {
            answer = scalbn(answer, exponent)
        }
        return answer
    }

    /// The Pelz–Good (1976) asymptotic approximation to P(Dₙ ≤ x): Li-Chien and Korolyuk's
    /// expansion K₀ + K₁/√n + K₂/n + K₃/n^1.5 in z = x√n, with each Kₖ transformed through the
    /// Jacobi theta functional equation into a series that converges fast for small z.
    static func pelzGood(_ n: Int, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let nDouble = Double(n)
        let z = nDouble.squareRoot() * x
        let z2 = z * z
        let z3 = z2 * z
        let z4 = z2 * z2
        let z6 = z4 * z2
        let pi2 = Double.pi * Double.pi
        let pi4 = pi2 * pi2
        let pi6 = pi4 * pi2
        let qLog = -pi2 / 8 / z2
        if qLog < -708 { return 0 }
        var q = exp(qLog)

        let k1a = -z2
        let k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * pi2 / 4
        let k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64
        let k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)

        var k = [0.0, 0.0, 0.0, 0.0]
        let maxK = Int((16 * z / Double.pi).rounded(.up))
        if maxK >= 1 {
            for kk in stride(from: maxK, through: 1, by: -1) {
                let m = Double(2 * kk - 1)
                let m2 = m * m
                let m4 = m2 * m2
                let m6 = m4 * m2
                let qPower = pow(q, Double(8 * kk))
                let coefficients = [
                    1.0,
                    k1a + k1b * m2,
                    k2a + k2b * m2 + k2c * m4,
                    k3a + k3b * m2 + k3c * m4 + k3d * m6,
                ]
                for i in 0..<4 {
                    k[i] = k[i] * qPower + coefficients[i]
                }
            }
        }
        let sqrt2Pi = (2 * Double.pi).squareRoot()
        let divisors = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for i in 0..<4 {
            k[i] = k[i] * q * sqrt2Pi / divisors[i]
        }
        q = exp(-pi2 / 2 / z2)
        let sqrt3z = 3.0.squareRoot() * z
        var k2Extra = 0.0
        var k3Extra = 0.0
        if maxK >= 1 {
            for kk in stride(from: maxK, through: 1, by: -1) {
                let kDouble = Double(kk)
                let kSquared = kDouble * kDouble
                let qPower = pow(q, kSquared)
                k2Extra += kSquared * qPower
                let kPi = Double.pi * kDouble
                k3Extra += (sqrt3z + kPi) * (sqrt3z - kPi) * kSquared * qPower
            }
        }
        k[2] += k2Extra * pi2 * sqrt2Pi / (-36 * z3)
        k[3] += k3Extra * pi2 * sqrt2Pi / (216 * z6)
        var total = 0.0
        for i in 0..<4 {
            total += k[i] / pow(nDouble, Double(i) / 2)
        }
        return total
    }
}

extension SpecialFunctions {
    /// A small dense row-major square matrix for Durbin's algorithm.
    struct DurbinMatrix: Sendable {
        let size: Int
        var storage: [Double]

        init(size: Int) {
            self.size = size
            storage = [Double](repeating: 0, count: size * size)
        }

        static func identity(size: Int) -> DurbinMatrix {
            var matrix = DurbinMatrix(size: size)
            for i in 0..<size { matrix[i, i] = 1 }
            return matrix
        }

        subscript(row: Int, column: Int) -> Double {
            get { storage[row * size + column] }
            set { storage[row * size + column] = newValue }
        }

        mutating func scale(by factor: Double) {
            for index in storage.indices { storage[index] *= factor }
        }

        static func * (lhs: DurbinMatrix, rhs: DurbinMatrix) -> DurbinMatrix {
            let n = lhs.size
            var result = DurbinMatrix(size: n)
            lhs.storage.withUnsafeBufferPointer { a in
                rhs.storage.withUnsafeBufferPointer { b in
                    result.storage.withUnsafeMutableBufferPointer { c in
                        for i in 0..<n {
                            for k in 0..<n {
                                let aik = a[i * n + k]
                                if aik == 0 { continue }
                                for j in 0..<n {
                                    c[i * n + j] += aik * b[k * n + j]
                                }
                            }
                        }
                    }
                }
            }
            return result
        }
    }
}
