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
        let report = try await store.withDatabase(.write) { try await $0.migrate(KnownSchemas.all) }
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
