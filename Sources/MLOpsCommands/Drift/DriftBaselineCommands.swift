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

struct DriftBaselineSave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "save", abstract: "Profile a file and save it as the next version of a named baseline.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The baseline's name (e.g. fraud-v3).") var name: String
    @Argument(help: "The data to profile (CSV or JSON Lines).") var file: String
    @Option(help: "A note stored with the baseline.") var note: String?
    @Option(
        name: .customLong("quantile-k"),
        help: "The quantile sketch's k for numeric columns (default \(ProfileSettings.defaultQuantileAccuracy); a larger k sees smaller shifts and stores about 36 bytes more per unit: see Documentation/SketchResolution.md).")
    var quantileK: Int?
    @Option(
        name: .customLong("column-quantile-k"),
        help: ArgumentHelp("A k for one column, as NAME=K (repeatable); overrides --quantile-k for that column.", valueName: "name=k"))
    var columnQuantileK: [String] = []

    func validate() throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("the baseline's name is empty: give a name such as fraud-v3.")
        }
        _ = try settings()
    }

    /// The profile settings the flags ask for.
    func settings() throws -> ProfileSettings {
        var settings = ProfileSettings()
        func checked(_ k: Int, _ given: String) throws -> Int {
            guard k >= KLLSketch.minK && k <= KLLSketch.maxK else {
                throw ValidationError("\(given): k must be in \(KLLSketch.minK)...\(KLLSketch.maxK) (the default is \(ProfileSettings.defaultQuantileAccuracy)).")
            }
            return k
        }
        if let quantileK { settings.quantileAccuracy = try checked(quantileK, "--quantile-k \(quantileK)") }
        for entry in columnQuantileK {
            guard let equals = entry.lastIndex(of: "="), equals != entry.startIndex,
                  let k = Int(entry[entry.index(after: equals)...]) else {
                throw ValidationError("--column-quantile-k \(entry): write NAME=K, for example --column-quantile-k amount=4000.")
            }
            let column = String(entry[..<equals])
            guard settings.columnQuantileAccuracy[column] == nil else {
                throw ValidationError("--column-quantile-k names column '\(column)' twice: give each column one k.")
            }
            settings.columnQuantileAccuracy[column] = try checked(k, "--column-quantile-k \(entry)")
        }
        return settings
    }

    func run() async throws {
        let table = try TableFile.read(file)
        // A baseline nothing could ever be compared with is refused, as `drift` refuses the file.
        guard table.rowCount > 0, !table.columnNames.isEmpty else {
            throw CommandFailure.usage(
                "error: \(file) has \(table.rowCount) rows and \(table.columnNames.count) columns, so a baseline of it could never be compared with; nothing was saved. Fix: profile the reference data itself.")
        }
        let settings = try settings()
        for column in settings.columnQuantileAccuracy.keys.sorted() where !table.columnNames.contains(column) {
            throw CommandFailure.usage("error: --column-quantile-k names column '\(column)', which \(file) does not have (its columns: \(table.columnNames.joined(separator: ", "))).")
        }
        let profile: DatasetProfile
        do {
            profile = try DatasetProfile(profiling: table, settings: settings)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let stored = try await store.withBaselineStore(.write) { try await $0.save(profile, as: name, note: note) }
        switch formatting.format {
        case .json:
            try Terminal.printJSON(BaselineListing(BaselineSummary(name: stored.name, latestVersion: stored.version, createdAt: stored.createdAt, rowCount: profile.rowCount)))
        case .text:
            Terminal.output("saved baseline \(stored.name) version \(stored.version): \(profile.rowCount) rows, \(profile.columnNames.count) columns")
        }
    }
}

struct DriftBaselineList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the stored baselines with their latest versions (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>

    func run() async throws {
        let baselines = try await store.withBaselineStore(.read) { try await $0.list() }
        switch formatting.format {
        case .json:
            try Terminal.printJSON(["baselines": baselines.map(BaselineListing.init)])
        case .text:
            if baselines.isEmpty { Terminal.output("no baselines stored") }
            for baseline in baselines {
                Terminal.output("\(baseline.name)  version \(baseline.latestVersion)  \(baseline.rowCount) rows")
            }
        }
    }
}

/// A stored baseline as `drift baseline save` and `list` print it in JSON: `created_at` as ISO
/// 8601 text, as every other command prints a time.
struct BaselineListing: Encodable {
    let name: String
    let latestVersion: Int
    let createdAt: Date
    let rowCount: Int

    init(_ summary: BaselineSummary) {
        name = summary.name
        latestVersion = summary.latestVersion
        createdAt = Date(millisecondsSince1970: summary.createdAt)
        rowCount = summary.rowCount
    }
}

/// `mlops drift check NAME FILE`: a file's profile against a stored baseline.
struct DriftCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Profile a file and compare it with a stored baseline (exit 1 when it drifted; reads the store, never changes it).",
        discussion: "Runs on the sketches only, as a serving process would: see Documentation/CommandLine.md.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<DriftOutputFormat>
    @Argument(help: "The baseline's name.") var name: String
    @Argument(help: "The data to check (CSV or JSON Lines).") var file: String
    @Option(help: "A baseline version (default: the latest).") var version: Int?
    @OptionGroup var drift: DriftOptions

    /// Numeric tests that need every raw value; a profile keeps sketches only.
    static let rawValueMethods: Set<DriftMethod> = [.cramerVonMises, .andersonDarling, .mannWhitney]

    func validate() throws {
        if let version, version < 1 {
            throw ValidationError("--version \(version): baseline versions count from 1 (see `mlops drift baseline list`).")
        }
        if case .method(let method) = drift.method, Self.rawValueMethods.contains(method) {
            throw ValidationError(
                "--method \(method) needs the raw values, which a stored baseline does not keep: use ks, ttest, wasserstein, energy or a binned distance with drift check, or compare the files with `mlops drift`.")
        }
        do {
            _ = try ProfileComparison(configuration: try drift.configuration())
        } catch let error as DriftError {
            throw ValidationError("\(error)")
        }
        var inputs = [file]
        if case .sqliteFile(let path) = store.location {
            inputs.append(path)
            // SQLite's side files, which may not exist yet: a report written as the store's
            // journal would read as an interrupted write.
            if let output = drift.output {
                let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
                for suffix in ["-wal", "-shm", "-journal"] where absolute(output) == absolute(path + suffix) {
                    throw ValidationError("--output \(output) is the store's \(suffix) file, which SQLite reads: choose another --output.")
                }
            }
        }
        try drift.refuseOutputOverInputs(inputs)
    }

    func run() async throws {
        let comparison: ProfileComparison
        do {
            comparison = try ProfileComparison(configuration: try drift.configuration())
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let baseline = try await store.withBaselineStore(.read) { store in
            if let version { return try await store.baseline(name, version: version) }
            return try await store.latest(name)
        }
        let table = try TableFile.read(file)
        // A column --columns names that neither the baseline nor the file has is a typo, said
        // as one (as `drift compare` says it), not a column reported untested.
        let configured = try drift.configuration()
        for name in configured.columns ?? [] where !baseline.profile.columnNames.contains(name) && table.column(named: name) == nil {
            throw DriftOptions.unknownColumn(name, in: "neither the baseline nor \(file)", known: baseline.profile.columnNames + table.columnNames)
        }
        let current: DatasetProfile
        do {
            current = try DatasetProfile(profiling: table, settings: baseline.profile.settings)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let report = comparison.compare(reference: baseline.profile, current: current)
        try drift.finish(
            report, format: formatting.format,
            title: "Drift: \(URL(fileURLWithPath: file).lastPathComponent) against baseline \(name) v\(baseline.version)")
    }
}
