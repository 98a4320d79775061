import ArgumentParser
import Foundation
import MLOpsStorage
import Registry

extension StoreSession {
    /// Runs `body` with the model registry at `location`: never migrated when reading, migrated
    /// to the latest registry schema when writing.
    ///
    /// - Throws: As ``withDatabase(at:access:_:)``, and `StorageError` when the store's schema
    ///   cannot be used.
    static func withRegistryStore<Result>(
        at location: StoreLocation, access: StoreAccess, _ body: (SQLRegistryStore) async throws -> Result
    ) async throws -> Result {
        try await withDatabase(at: location, access: access) { database in
            try await body(try await SQLRegistryStore(database: database, migrate: access == .write))
        }
    }
}

extension StoreOptions {
    /// Runs `body` with the model registry of `--store` (see ``StoreSession/withRegistryStore(at:access:_:)``).
    func withRegistryStore<Result>(_ access: StoreAccess, _ body: (SQLRegistryStore) async throws -> Result) async throws -> Result {
        try await StoreSession.withRegistryStore(at: location, access: access, body)
    }
}

/// `--principal`: who a mutating registry command acts as. The store checks the principal's
/// role; this only carries the name.
struct PrincipalOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The principal this command acts as (its role is checked by the store).", valueName: "id"))
    var principal: String

    init() {}
}

