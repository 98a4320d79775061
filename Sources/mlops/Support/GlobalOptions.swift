import ArgumentParser
import MLOpsStorage

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// The options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The store URL: \(StoreLocation.acceptedForms).")
    var store: String = "sqlite:mlops.sqlite"

    @Option(name: .long, help: "text for people, json for programs (stable; see Documentation/CommandLine.md).")
    var format: OutputFormat = .text

    /// The parsed store location; a bad URL is a usage error that lists the accepted forms.
    func location() throws -> StoreLocation {
        do {
            return try StoreLocation(parsing: store)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
    }
}
