import Foundation

extension SpecialFunctions {
    /// An unevaluated sum `hi + lo` of two doubles with |lo| ≤ ½ ulp(hi): about 106 bits of
    /// precision, used where the exact Kolmogorov–Smirnov sums need more than a double
    /// (following SciPy's `dd_real`, after Hida, Li and Bailey's QD library).
    struct DoubleDouble: Sendable {
        /// The leading part.
        var hi: Double
        /// The trailing correction.
        var lo: Double

        init(_ hi: Double, _ lo: Double = 0) {
            self.hi = hi
            self.lo = lo
        }

        /// The nearest double.
        var value: Double { hi + lo }

        /// a + b exactly, as (sum, error) (Knuth's two-sum).
        @inline(__always)
        static func twoSum(_ a: Double, _ b: Double) -> DoubleDouble {
            let s = a + b
            let bb = s - a
            let error = (a - (s - bb)) + (b - bb)
            return DoubleDouble(s, error)
        }

        /// a + b exactly when |a| ≥ |b|.
        @inline(__always)
        static func quickTwoSum(_ a: Double, _ b: Double) -> DoubleDouble {
            let s = a + b
            return DoubleDouble(s, b - (s - a))
        }

        /// a × b exactly, using a fused multiply-add for the error.
        @inline(__always)
        static func twoProduct(_ a: Double, _ b: Double) -> DoubleDouble {
            let p = a * b
            return DoubleDouble(p, (-p).addingProduct(a, b))
        }

        static func + (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
            var s = twoSum(a.hi, b.hi)
            let t = twoSum(a.lo, b.lo)
            s.lo += t.hi
            s = quickTwoSum(s.hi, s.lo)
            s.lo += t.lo
            return quickTwoSum(s.hi, s.lo)
        }

        static func + (a: DoubleDouble, b: Double) -> DoubleDouble {
            var s = twoSum(a.hi, b)
            s.lo += a.lo
            return quickTwoSum(s.hi, s.lo)
        }

        static prefix func - (a: DoubleDouble) -> DoubleDouble {
            DoubleDouble(-a.hi, -a.lo)
        }

        static func - (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble { a + (-b) }

        static func - (a: DoubleDouble, b: Double) -> DoubleDouble { a + (-b) }

        static func * (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
            var p = twoProduct(a.hi, b.hi)
            p.lo += a.hi * b.lo + a.lo * b.hi
            return quickTwoSum(p.hi, p.lo)
        }

        static func * (a: DoubleDouble, b: Double) -> DoubleDouble {
            var p = twoProduct(a.hi, b)
            p.lo += a.lo * b
            return quickTwoSum(p.hi, p.lo)
        }

        static func / (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
            let q1 = a.hi / b.hi
            var r = a - b * q1
            let q2 = r.hi / b.hi
            r = r - b * q2
            let q3 = r.hi / b.hi
            return quickTwoSum(q1, q2) + q3
        }

        static func / (a: DoubleDouble, b: Double) -> DoubleDouble {
            a / DoubleDouble(b)
        }

        /// The largest integer not above the value.
        var floor: DoubleDouble {
            let high = hi.rounded(.down)
            if high == hi {
                return DoubleDouble.quickTwoSum(high, lo.rounded(.down))
            }
            return DoubleDouble(high)
        }

        /// (m, e) with value = m·2^e and ½ ≤ |m.hi| < 1.
        var frexp: (mantissa: DoubleDouble, exponent: Int) {
            if hi == 0 || !hi.isFinite { return (self, 0) }
            let (mantissa, exponent) = Foundation.frexp(hi)
            return (DoubleDouble(mantissa, scalbn(lo, -exponent)), exponent)
        }

        /// value × 2^e.
        func scaled(by exponent: Int) -> DoubleDouble {
            DoubleDouble(scalbn(hi, exponent), scalbn(lo, exponent))
        }
    }
}
