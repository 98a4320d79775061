/// The version `mlops --version` prints.
enum MLOpsVersion {
    static let current = "0.1.0"
}
