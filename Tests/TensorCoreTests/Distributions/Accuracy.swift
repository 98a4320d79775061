import Foundation

/// How far a computed value is from a reference, for the accuracy tests.
enum Accuracy {
    /// Values below this magnitude are subnormal or nearly so and have lost relative precision;
    /// they are compared absolutely, to within `subnormalTolerance`.
    static let subnormalThreshold = 1e-290
    /// The absolute tolerance for (near-)subnormal references.
    static let subnormalTolerance = 1e-300

    /// The relative error |computed − reference| / |reference|, with these conventions: equal
    /// values (including equal infinities and two NaNs) have error 0; a finite value against a
    /// non-finite reference (or the reverse) has error +∞; references below
    /// ``subnormalThreshold`` in magnitude are compared absolutely, giving 0 within
    /// ``subnormalTolerance`` and +∞ beyond it.
    static func relativeError(_ computed: Double, _ reference: Double) -> Double {
        if computed == reference || (computed.isNaN && reference.isNaN) { return 0 }
        if !computed.isFinite || !reference.isFinite { return .infinity }
        if abs(reference) < subnormalThreshold {
            return abs(computed - reference) <= subnormalTolerance ? 0 : .infinity
        }
        return abs(computed - reference) / abs(reference)
    }

    /// The error of a logarithm: |computed − reference| / max(1, |reference|), that is, the
    /// relative error of the value it is the log of (for |reference| ≤ 1) or of the log itself.
    static func logError(_ computed: Double, _ reference: Double) -> Double {
        if computed == reference || (computed.isNaN && reference.isNaN) { return 0 }
        if !computed.isFinite || !reference.isFinite { return .infinity }
        return abs(computed - reference) / max(1, abs(reference))
    }
}
