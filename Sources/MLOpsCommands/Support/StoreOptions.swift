import ArgumentParser
import MLOpsStorage

/// `--store`: the option group every command that uses a store takes.
///
/// The value is parsed into a ``StoreLocation`` by the argument parser, so a malformed URL is
/// refused before the command does any work, with the accepted forms in the message.
struct StoreOptions: ParsableArguments {
    /// The store every command uses unless told otherwise.
    static let defaultLocation = StoreLocation.sqliteFile(path: "mlops.sqlite")

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store URL (default \(StoreOptions.defaultLocation); `mlops demo` keeps its own in --output): \(StoreLocation.acceptedForms).",
            valueName: "url"))
    var store: StoreLocation?

    init() {}

    /// The store the command uses: `--store`, or ``defaultLocation``.
    var location: StoreLocation { store ?? Self.defaultLocation }

    /// Opens the store, runs `body` with its database, and always closes it (see
    /// ``StoreSession/withDatabase(at:access:_:)``).
    func withDatabase<Result>(_ access: StoreAccess, _ body: (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await StoreSession.withDatabase(at: location, access: access, body)
    }
}

extension StoreOptions {
    /// The artifact folder a command uses: `given` (`--artifacts DIR`), or the one beside a
    /// SQLite store.
    ///
    /// - Throws: `ValidationError` (exit 2) for a PostgreSQL store without `--artifacts`.
    func artifactsFolder(_ given: String?) throws -> String {
        if let given {
            guard !given.isEmpty else { throw ValidationError("--artifacts '' names no folder: give the artifact folder's path, or leave --artifacts out for the store's own.") }
            return given
        }
        guard let folder = location.defaultArtifactsPath else {
            throw ValidationError("a PostgreSQL store has no default artifact folder: give --artifacts DIR.")
        }
        return folder
    }
}
