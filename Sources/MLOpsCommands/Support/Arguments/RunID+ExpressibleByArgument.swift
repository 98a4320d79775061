public import ArgumentParser
public import Lineage

/// A run id argument (a UUID), checked by the argument parser.
extension RunID: ExpressibleByArgument {
    /// Parses a run id; `nil` when the text is not a UUID.
    public init?(argument: String) {
        guard let id = try? RunID(argument) else { return nil }
        self = id
    }

    /// The id text.
    public var defaultValueDescription: String { value }
}
