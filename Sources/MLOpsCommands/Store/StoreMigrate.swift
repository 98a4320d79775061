import Foundation
import ArgumentParser
import MLOpsStorage

/// `mlops store migrate`: creates the store if needed and brings every schema to its latest version.
struct StoreMigrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create the store if needed and bring every schema to its latest version.",
        discussion: "Safe to run again and from several processes at once. A store written by a newer swift-mlops is refused, unchanged (exit 2).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>

    struct Output: Encodable {
        let store: String
        let changed: Bool
        let modules: [MigrationReport.Entry]
    }

    func run() async throws {
        let location = store.location
        // A new SQLite file is made whole, migrated, before it is opened (see
        // StoreSession.withDatabase): that creation is the migration to report.
        var created: MigrationReport?
        if case .sqliteFile(let path) = location {
            try await StoreSession.checkBeforeOpening(location, access: .write)
            created = try await SQLiteDatabase.create(path: path, schemas: KnownSchemas.all)
        }
        let migrated = try await store.withDatabase(.write) { try await $0.migrate(KnownSchemas.all) }
        let report = created ?? migrated
        switch formatting.format {
        case .json:
            try Terminal.printJSON(Output(store: location.description, changed: report.changedAnything, modules: report.entries))
        case .text:
            Terminal.output("Store \(location)")
            let width = max(12, report.entries.map(\.module.count).max() ?? 0)
            for entry in report.entries {
                let change = entry.fromVersion == entry.toVersion
                    ? "version \(entry.toVersion), up to date"
                    : "version \(entry.fromVersion) → \(entry.toVersion) (\(entry.appliedSteps.joined(separator: "; ")))"
                Terminal.output("  \(entry.module.padding(toLength: width, withPad: " ", startingAt: 0)) \(change)")
            }
        }
    }
}
