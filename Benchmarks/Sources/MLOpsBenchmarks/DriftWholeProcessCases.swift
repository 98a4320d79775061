import Foundation

/// Issue #14's whole-process cases: the `mlops` executable itself, started afresh each time, on
/// two 100,000 × 50 CSV files of `%.9g` numbers (`drift-whole/ref.csv`, `cur.csv`, written by
/// `Benchmarks/baselines/whole_process_drift.py`), one case per `--method`. What a user meets:
/// process start, reading both files, the statistics, the JSON report.
enum DriftWholeProcessCases {
    /// The `mlops drift --method` values measured, `auto` first.
    static let methods = ["auto", "ks", "cramervonmises", "andersondarling", "mannwhitney", "ttest", "wasserstein", "energy", "psi"]

    /// The case for one method.
    static func method(_ name: String) -> @Sendable (Arguments) async throws -> Measurement {
        { arguments in try await run(method: name, arguments) }
    }

    /// The `mlops` executable: `MLOPS_BENCH_MLOPS`, or the one built beside this benchmark binary.
    static func executable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["MLOPS_BENCH_MLOPS"] { return path }
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mlops").path
        guard FileManager.default.isExecutableFile(atPath: sibling) else {
            throw BenchmarkFailure("no mlops executable at \(sibling); build it (swift build -c release --product mlops) or set MLOPS_BENCH_MLOPS")
        }
        return sibling
    }

    static func run(method: String, _ arguments: Arguments) async throws -> Measurement {
        let folder = "\(arguments.dataFolder)/drift-whole"
        let files = ["\(folder)/ref.csv", "\(folder)/cur.csv"]
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw BenchmarkFailure("\(file) is missing; Benchmarks/run writes it (Benchmarks/baselines/whole_process_drift.py --write DIR)")
        }
        let mlops = try executable()
        func runOnce() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: mlops)
            process.arguments = ["drift"] + files + ["--method", method, "--format", "json"]
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            // 0: no drift, 1: drift found (the current file is shifted); anything else failed.
            guard process.terminationReason == .exit, process.terminationStatus <= 1 else {
                throw BenchmarkFailure("mlops drift --method \(method) exited \(process.terminationStatus): \(String(decoding: message, as: UTF8.self))")
            }
        }
        // One untimed run first, so that the executable and both files are in the page cache
        // for every timed run (the Python side reads files our runs have just read).
        try runOnce()
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1) { try runOnce() }
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return measurement.with(extra: ["mlops_peak_rss_mib": Double(usage.ru_maxrss) / 1024])
    }
}
