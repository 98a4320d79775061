/// How a current sample compares with a ``PCAReconstructionDrift`` model of the reference.
public struct PCAReconstructionReport: Sendable, Hashable, Codable {
    /// The mean reconstruction error of the current rows.
    public let currentError: Double
    /// The mean reconstruction error of the reference rows (in-sample, so slightly optimistic).
    public let referenceError: Double
    /// ``currentError`` / ``referenceError``: about 1 without drift. Infinity when the reference
    /// reconstructs exactly and the current sample does not; 1 when both are exact.
    public let ratio: Double
    /// The threshold the current error was compared with: the reference's mean row error plus k
    /// standard deviations of its per-row errors.
    public let threshold: Double
    /// Whether ``currentError`` exceeds ``threshold``.
    public let drifted: Bool
    /// The share of current rows whose error exceeds the reference's row-error quantile at
    /// ``referenceQuantileLevel``: about 1 − level without drift.
    public let shareAboveReferenceQuantile: Double
    /// The level of that quantile.
    public let referenceQuantileLevel: Double

    /// Creates a report (``PCAReconstructionDrift/evaluate(_:deviations:)`` is the usual source).
    public init(
        currentError: Double, referenceError: Double, ratio: Double, threshold: Double, drifted: Bool,
        shareAboveReferenceQuantile: Double, referenceQuantileLevel: Double
    ) {
        self.currentError = currentError
        self.referenceError = referenceError
        self.ratio = ratio
        self.threshold = threshold
        self.drifted = drifted
        self.shareAboveReferenceQuantile = shareAboveReferenceQuantile
        self.referenceQuantileLevel = referenceQuantileLevel
    }
}
