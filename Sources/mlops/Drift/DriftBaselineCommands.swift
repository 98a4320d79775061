import ArgumentParser
import DriftStats
import Foundation
import MLOpsStorage
import TensorCore

/// `mlops drift baseline`: streaming-profile baselines in the store.
struct DriftBaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Save and list streaming-profile baselines in the store.",
        subcommands: [DriftBaselineSave.self, DriftBaselineList.self])
}

enum BaselineAccess {
    /// Opens the store's baselines (migrating a writable store), runs `body`, closes the store.
    static func with<Result>(_ options: GlobalOptions, migrate: Bool, _ body: (SQLBaselineStore) async throws -> Result) async throws -> Result {
        let database = try await options.location().openDatabase(readOnly: !migrate)
        do {
            let store = try await SQLBaselineStore(database: database, migrate: migrate)
            let result = try await body(store)
            try await database.close()
            return result
        } catch {
            try? await database.close()
            if let drift = error as? DriftError { throw CommandFailure.usage("error: \(drift)") }
            throw error
        }
    }
}

struct DriftBaselineSave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "save", abstract: "Profile a file and save it as the next version of a named baseline.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The baseline's name (e.g. fraud-v3).") var name: String
    @Argument(help: "The data to profile (CSV or JSON Lines).") var file: String
    @Option(help: "A note stored with the baseline.") var note: String?

    func run() async throws {
        let table = try TableFile.read(file)
        let profile: DatasetProfile
        do {
            profile = try DatasetProfile(profiling: table)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let stored = try await BaselineAccess.with(options, migrate: true) { try await $0.save(profile, as: name, note: note) }
        switch options.format {
        case .json:
            try Terminal.printJSON(BaselineSummary(name: stored.name, latestVersion: stored.version, createdAt: stored.createdAt, rowCount: profile.rowCount))
        case .text:
            print("saved baseline \(stored.name) version \(stored.version): \(profile.rowCount) rows, \(profile.columnNames.count) columns")
        }
    }
}

struct DriftBaselineList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the stored baselines with their latest versions.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let baselines = try await BaselineAccess.with(options, migrate: false) { try await $0.list() }
        switch options.format {
        case .json:
            try Terminal.printJSON(baselines)
        case .text:
            if baselines.isEmpty { print("no baselines stored") }
            for baseline in baselines {
                print("\(baseline.name)  version \(baseline.latestVersion)  \(baseline.rowCount) rows")
            }
        }
    }
}

/// `mlops drift check NAME FILE`: a file's profile against a stored baseline.
struct DriftCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Profile a file and compare it with a stored baseline (exit 1 when it drifted).",
        discussion: "Runs on the sketches only, as a serving process would: see Documentation/CommandLine.md.")

    @Option(name: .long, help: "The store URL: \(StoreLocation.acceptedForms).")
    var store: String = "sqlite:mlops.sqlite"
    @Argument(help: "The baseline's name.") var name: String
    @Argument(help: "The data to check (CSV or JSON Lines).") var file: String
    @Option(help: "A baseline version (default: the latest).") var version: Int?
    @OptionGroup var options: DriftOptions

    func run() async throws {
        let configuration = try options.configuration()
        let comparison: ProfileComparison
        do {
            comparison = try ProfileComparison(configuration: configuration)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let global = try GlobalOptions.parse(["--store", store])
        let baseline = try await BaselineAccess.with(global, migrate: false) { store in
            if let version { return try await store.baseline(name, version: version) }
            return try await store.latest(name)
        }
        let table = try TableFile.read(file)
        let current: DatasetProfile
        do {
            current = try DatasetProfile(profiling: table, settings: baseline.profile.settings)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let report = comparison.compare(reference: baseline.profile, current: current)
        try options.finish(report, title: "Drift: \(URL(fileURLWithPath: file).lastPathComponent) against baseline \(name) v\(baseline.version)")
    }
}
