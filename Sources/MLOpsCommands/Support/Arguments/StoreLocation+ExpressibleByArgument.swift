public import ArgumentParser
public import MLOpsStorage

/// `--store URL`: parsed by the argument parser, so a malformed URL is a usage error (exit 2)
/// before any work. The help text lists the accepted forms; the message never repeats a password
/// (``MLOps/main(arguments:)`` hides it).
extension StoreLocation: ExpressibleByArgument {
    /// Parses a store URL; `nil` when it is not one of ``StoreLocation/acceptedForms``.
    public init?(argument: String) {
        guard let location = try? StoreLocation(parsing: argument) else { return nil }
        self = location
    }

    /// The URL as help texts show it (passwords hidden).
    public var defaultValueDescription: String { description }
}
