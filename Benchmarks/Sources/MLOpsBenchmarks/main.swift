// mlops-benchmarks: the Swift side of the benchmark harness. Run it through Benchmarks/run,
// which builds it in release mode and prints it next to the Python anchors.
//
//   mlops-benchmarks --case NAME [--data DIR] [--repeat N]
//
// Prints one JSON object per line: {"case", "median_seconds", "min_seconds", "items", "peak_rss_mib"}.
//
// The harness is hand-written rather than built on ordo-one/benchmark: each case must run on
// data files shared with the Python anchors, in its own process (so peak memory is the case's
// own), and print a line the comparison script reads; a loop and a median are all it takes.

import Foundation
import MLOpsStorage

struct Arguments {
    var caseName = ""
    var dataFolder = "Benchmarks/.data"
    var repetitions = 5

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--case": caseName = iterator.next() ?? ""
            case "--data": dataFolder = iterator.next() ?? dataFolder
            case "--repeat": repetitions = Int(iterator.next() ?? "") ?? repetitions
            default: throw BenchmarkFailure("unknown argument \(argument); usage: mlops-benchmarks --case NAME [--data DIR] [--repeat N]")
            }
        }
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints `message` to standard error and exits with `code` (a bad command line is 2, a case
/// that failed is 1), rather than trapping with a backtrace.
func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("mlops-benchmarks: \(message)\n".utf8))
    exit(code)
}

let arguments: Arguments
do {
    arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
} catch {
    fail("\(error)", code: 2)
}
guard let benchmark = BenchmarkCases.all[arguments.caseName] else {
    fail("unknown case '\(arguments.caseName)'; cases: \(BenchmarkCases.all.keys.sorted().joined(separator: ", "))", code: 2)
}
do {
    let measurement = try await benchmark(arguments)
    print(measurement.json(caseName: arguments.caseName))
} catch {
    fail("case \(arguments.caseName) failed: \(error)", code: 1)
}
