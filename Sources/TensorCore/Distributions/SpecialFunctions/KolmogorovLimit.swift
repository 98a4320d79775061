import Foundation

extension SpecialFunctions {
    /// The survival function, distribution function and density of the Kolmogorov distribution
    /// (the limit of √n·Dₙ), computed together.
    struct KolmogorovProbabilities {
        /// P(K > x).
        var sf: Double
        /// P(K ≤ x).
        var cdf: Double
        /// The density at x.
        var pdf: Double
    }

    /// The Kolmogorov distribution at x, a port of SciPy's `_kolmogorov` (xsf, after
    /// P. van Mulbregt, arXiv:1803.00426).
    ///
    /// Below x = 0.82 it sums the Jacobi-theta series √(2π)/x · Σ e^(−(2k−1)²π²/(8x²)) for the CDF;
    /// above, 2 Σ (−1)^(k−1) e^(−2k²x²) for the survival function. Each series is unrolled to the
    /// few terms that reach full precision in its range.
    static func kolmogorovProbabilities(_ x: Double) -> KolmogorovProbabilities {
        if x.isNaN { return KolmogorovProbabilities(sf: .nan, cdf: .nan, pdf: .nan) }
        // Below π/√(8·746) ≈ 0.0406 the CDF underflows.
        if x <= 0 || x <= Double.pi / (746.0 * 8).squareRoot() {
            return KolmogorovProbabilities(sf: 1, cdf: 0, pdf: 0)
        }
        var p = 1.0
        var d = 0.0
        let sf: Double
        let cdf: Double
        var pdf: Double
        if x <= 0.82 {
            // u = e^(−π²/(8x²)), w = √(2π)/x; P = w·u·(1 + u⁸ + u²⁴ + u⁴⁸ + ...)
            let w = (2 * Double.pi).squareRoot() / x
            let logU8 = -Double.pi * Double.pi / (x * x)
            let u = exp(logU8 / 8)
            if u == 0 {
                p = exp(logU8 / 8 + log(w))
            } else {
                let u8 = exp(logU8)
                let u8Cubed = pow(u8, 3)
                p = 1 + u8Cubed * p
                d = 5 * 5 + u8Cubed * d
                p = 1 + u8 * u8 * p
                d = 3 * 3 + u8 * u8 * d
                p = 1 + u8 * p
                d = 1 * 1 + u8 * d
                d = Double.pi * Double.pi / 4 / (x * x) * d - p
                d *= w * u / x
                p = w * u * p
            }
            cdf = p
            sf = 1 - p
            pdf = d
        } else {
            // v = e^(−2x²); P = 2v(1 − v³(1 − v⁵(1 − v⁷(1 − ...))))
            let logV = -2 * x * x
            let v = exp(logV)
            let v3 = v * v * v
            let v5 = v3 * v * v
            let v7 = v5 * v * v
            let v9 = v7 * v * v
            // SciPy sums four terms of P (k ≤ 4) and three of D, which leaves a truncation error
            // of up to 10⁻¹⁴ in P and 2·10⁻⁸ in the density just above x = 0.82; one more term of P
            // (k = 5) and two more of D (k = 4, 5) bring both down to rounding.
            p = 1 - v3 * (1 - v5 * (1 - v7 * (1 - v9)))
            d = 1 - v3 * (4 - v5 * (9 - v7 * (16 - 25 * v9)))
            p = 2 * v * p
            d = 8 * v * x * d
            sf = p
            cdf = 1 - sf
            pdf = d
        }
        pdf = max(0, pdf)
        return KolmogorovProbabilities(sf: min(max(sf, 0), 1), cdf: min(max(cdf, 0), 1), pdf: pdf)
    }

    /// The x with P(K > x) = sf and P(K ≤ x) = cdf, a port of SciPy's `_kolmogi`
    /// (bracketed Newton iteration from series-based starting bounds).
    static func inverseKolmogorov(sf psf: Double, cdf pcdf: Double) -> Double {
        guard psf >= 0, pcdf >= 0, psf <= 1, pcdf <= 1,
              abs(1 - pcdf - psf) <= 4 * Double.ulpOfOne else { return .nan }
        if pcdf == 0 { return 0 }
        if psf == 0 { return .infinity }
        var a: Double
        var b: Double
        var x: Double
        let sqrt2 = 2.0.squareRoot()
        if pcdf <= 0.5 {
            // p ~ (√(2π)/x) e^(−π²/(8x²)); iterate twice for lower and upper bounds.
            let logCDF = log(pcdf)
            a = Double.pi / (2 * sqrt2 * (-(logCDF + logCDF / 2 - logSqrtTwoPi)).squareRoot())
            b = Double.pi / (2 * sqrt2 * (-(logCDF + 0 - logSqrtTwoPi)).squareRoot())
            a = Double.pi / (2 * sqrt2 * (-(logCDF + log(a) - logSqrtTwoPi)).squareRoot())
            b = Double.pi / (2 * sqrt2 * (-(logCDF + log(b) - logSqrtTwoPi)).squareRoot())
            x = (a + b) / 2
        } else {
            // p ~ 2e^(−2x²); invert p = q − q⁴ + q⁹ − ... by its series in p.
            let jiggerB = 256 * Double.ulpOfOne
            let pba = psf / (1 - exp(-4.0)) / 2
            let pbb = psf * (1 - jiggerB) / 2
            a = (-0.5 * log(pba)).squareRoot()
            b = (-0.5 * log(pbb)).squareRoot()
            let half = psf / 2
            let half2 = half * half
            let half3 = half * half * half
            var q0 = 1 + half3 * (1 + half3 * (4 + half2 * (-1 + half * (22 + half2 * (-13 + 140 * half)))))
            q0 *= half
            x = (-log(q0) / 2).squareRoot()
            if x < a || x > b { x = (a + b) / 2 }
        }
        let xtol = Double.ulpOfOne
        let rtol = 2 * xtol
        for _ in 0...500 {
            let x0 = x
            let probabilities = kolmogorovProbabilities(x0)
            let df = pcdf < 0.5 ? pcdf - probabilities.cdf : probabilities.sf - psf
            if df == 0 { break }
            if df > 0, x > a {
                a = x
            } else if df < 0, x < b {
                b = x
            }
            let dfdx = -probabilities.pdf
            if abs(dfdx) <= 0 {
                x = (a + b) / 2
            } else {
                x = x0 - df / dfdx
            }
            if x >= a, x <= b {
                if abs(x - x0) <= xtol + rtol * abs(x0) { break }
                if x == a || x == b {
                    x = (a + b) / 2
                    if x == a || x == b { break }
                }
            } else {
                x = (a + b) / 2
                if abs(x - x0) <= xtol + rtol * abs(x0) { break }
            }
        }
        return x
    }

    /// The log of the Kolmogorov density, finite also where the density underflows
    /// (x below about 0.041 or above about 19).
    static func logKolmogorovDensity(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return -.infinity }
        if x <= 0.82 {
            // density = (√(2π)/x²)·u·(π²/(4x²)·Σ(2k−1)²u^((2k−1)²−1) − Σu^((2k−1)²−1)), u = e^(−π²/(8x²))
            let logU = -Double.pi * Double.pi / (8 * x * x)
            let u8 = exp(8 * logU)
            let u8Cubed = u8 * u8 * u8
            let p = 1 + u8 * (1 + u8 * u8 * (1 + u8Cubed))
            let d = 1 + u8 * (9 + u8 * u8 * (25 + 49 * u8Cubed))
            let bracket = Double.pi * Double.pi / (4 * x * x) * d - p
            return 0.5 * log(2 * Double.pi) - 2 * log(x) + logU + log(bracket)
        }
        // density = 8x·v·Σ(−1)^(k−1) k² v^(k²−1), v = e^(−2x²)
        let v = exp(-2 * x * x)
        let v3 = v * v * v
        let v5 = v3 * v * v
        let v7 = v5 * v * v
        let v9 = v7 * v * v
        let sum = 1 - v3 * (4 - v5 * (9 - v7 * (16 - 25 * v9)))
        return log(8 * x) - 2 * x * x + log(sum)
    }
}
