public import ArgumentParser
public import MLOpsStorage

/// An artifact digest argument (`sha256:` and 64 hex digits, or the 64 digits alone), checked by
/// the argument parser.
extension Digest: ExpressibleByArgument {
    /// Parses a digest; `nil` when the text is not 64 hexadecimal digits (after `sha256:`).
    public init?(argument: String) {
        guard let digest = try? Digest(parsing: argument) else { return nil }
        self = digest
    }

    /// The digest as `sha256:<hex>`.
    public var defaultValueDescription: String { description }
}
