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
        // The copy is made (and its pages touched) before the clock starts, as numpy's a.copy() is.
        return try await Measurement.repeated(arguments.repetitions, items: values.count, prepare: {
            copy = values
            copy.withUnsafeMutableBufferPointer { buffer in for index in stride(from: 0, to: buffer.count, by: 512) { buffer[index] += 0 } }
        }) {
            copy.withUnsafeMutableBufferPointer { Sorting.sort($0) }
        }
    }

    static func matrix(_ count: Int, seed: UInt64) -> [Double] {
        var generator = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in generator.nextUniform() * 2 - 1 }
    }

    /// 1024×1024 by 1024×1024, doubles; items = floating-point operations (2·n³).
    @Sendable static func matmulDouble(_ arguments: Arguments) async throws -> Measurement {
        let n = 1024
        let a = matrix(n * n, seed: 1), b = matrix(n * n, seed: 2)
        var sink = 0.0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 2 * n * n * n) {
            let c = try a.withUnsafeBufferPointer { a in try b.withUnsafeBufferPointer { b in try LinearAlgebra.multiply(a, b, m: n, k: n, n: n) } }
            sink += c[0]
        }
        if sink.isNaN { print("") }
        return measurement
    }

    /// 1024×1024 by 1024×1024, floats.
    @Sendable static func matmulFloat(_ arguments: Arguments) async throws -> Measurement {
        let n = 1024
        let a = matrix(n * n, seed: 1).map(Float.init), b = matrix(n * n, seed: 2).map(Float.init)
        var sink: Float = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 2 * n * n * n) {
            let c = try a.withUnsafeBufferPointer { a in try b.withUnsafeBufferPointer { b in try LinearAlgebra.multiply(a, b, m: n, k: n, n: n) } }
            sink += c[0]
        }
        if sink.isNaN { print("") }
        return measurement
    }

    @Sendable static func kllUpdate(_ arguments: Arguments) async throws -> Measurement {
        let values = try doubles(arguments, "normal-10M")
        var sink = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: values.count) {
            var sketch = KLLSketch()
            for value in values { sketch.update(value) }
            sink += sketch.count
        }
        if sink < 0 { print("") }
        return measurement
    }

    /// One 1,000,000 × 10 file of each numeric format issue #14 names (written by
    /// `Benchmarks/baselines/csv_formats.py`), read whole.
    static func readFormat(_ name: String) -> @Sendable (Arguments) async throws -> Measurement {
        { arguments in try await readWhole("\(arguments.dataFolder)/csv-format-\(name).csv", arguments) }
    }

    static let formats = ["integers", "fixed", "sig9", "sig17", "exponents", "quoted", "missing"]

    /// The 1M x 20 numeric CSV into typed columns.
    @Sendable static func readCSV(_ arguments: Arguments) async throws -> Measurement {
        try await readWhole("\(arguments.dataFolder)/numeric-1M-x20.csv", arguments)
    }

    /// A 1,000,000-row CSV file read whole into columns.
    static func readWhole(_ path: String, _ arguments: Arguments) async throws -> Measurement {
        var rows = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1_000_000) {
            rows = try CSVReader.readAll(path: path).0.rowCount
        }
        guard rows == 1_000_000 else { throw BenchmarkFailure("read \(rows) rows of \(path)") }
        return measurement
    }
}
