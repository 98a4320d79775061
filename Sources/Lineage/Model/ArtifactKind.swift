/// What an artifact is to the runs that use it.
public enum ArtifactKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Training, validation or test data.
    case dataset
    /// A feature-set definition (its digest is the feature-set hash).
    case featureSet = "feature_set"
    /// A trained model file.
    case model
    /// Evaluation output: predictions, reports, plots.
    case evaluation
    /// Source code packaged as an artifact.
    case code
    /// Anything else.
    case other
}
