import Foundation
import TensorCore

/// TensorCore's kernels on data files shared with the numpy anchors (raw little-endian doubles).
enum TensorCases {
    /// Reads `<data>/<name>.f64`, written by Benchmarks/run.
    static func doubles(_ arguments: Arguments, _ name: String) throws -> [Double] {
        let path = "\(arguments.dataFolder)/\(name).f64"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchmarkFailure("\(path) is missing; Benchmarks/run generates it")
        }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    @Sendable static func summary(_ arguments: Arguments) async throws -> Measurement {
        let values = try doubles(arguments, "normal-10M")
        var sink = 0.0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: values.count) {
            let summary = values.withUnsafeBufferPointer { Reductions.summary($0) }
            sink += summary.mean + summary.variance
        }
        if sink.isNaN { print("") }
        return measurement
    }

    @Sendable static func sum(_ arguments: Arguments) async throws -> Measurement {
        let values = try doubles(arguments, "normal-10M")
        var sink = 0.0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: values.count) {
            sink += values.withUnsafeBufferPointer { Reductions.sum($0).sum }
        }
        if sink.isNaN { print("") }
        return measurement
    }

    @Sendable static func sort(_ arguments: Arguments) async throws -> Measurement {
        let values = try doubles(arguments, "normal-10M")
        var copy = values
        return try await Measurement.repeated(arguments.repetitions, items: values.count, prepare: { copy = values }) {
            copy.withUnsafeMutableBufferPointer { Sorting.sort($0) }
        }
    }
}
