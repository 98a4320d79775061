import DriftStats
import TensorCore
import Foundation

/// DriftStats' two-sample statistics on 1M vs 1M values (sorting included, as scipy sorts too).
enum DriftCases {
    static func samples(_ arguments: Arguments) throws -> ([Double], [Double]) {
        let all = try TensorCases.doubles(arguments, "normal-10M")
        // Two disjoint million-value slices; the second shifted a little, so drift is present.
        return (Array(all[0..<1_000_000]), all[1_000_000..<2_000_000].map { $0 + 0.01 })
    }

    @Sendable static func kolmogorovSmirnov(_ arguments: Arguments) async throws -> Measurement {
        let (a, b) = try samples(arguments)
        var sink = 0.0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1) {
            sink += try KolmogorovSmirnovTest(reference: a, current: b).pValue
        }
        if sink.isNaN { print("") }
        return measurement
    }

    @Sendable static func wasserstein(_ arguments: Arguments) async throws -> Measurement {
        let (a, b) = try samples(arguments)
        var sink = 0.0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1) {
            sink += try WassersteinDistance.distance(SortedSample(a), SortedSample(b))
        }
        if sink.isNaN { print("") }
        return measurement
    }
}

extension DriftCases {
    /// PSI and chi-square over 10 reference quantile bins, 1M vs 1M, from unsorted arrays:
    /// both samples sorted (the parallel sort is cheaper than binning unsorted values one by
    /// one), the bins fixed from the reference, both samples counted in one walk each.
    @Sendable static func psiChiSquare(_ arguments: Arguments) async throws -> Measurement {
        let (a, b) = try samples(arguments)
        var sink = 0.0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1) {
            let (reference, current) = (SortedSample(a), SortedSample(b))
            let bins = try ReferenceBins(quantilesOf: reference, count: 10)
            let (r, c) = (bins.counts(reference), bins.counts(current))
            sink += PopulationStabilityIndex.index(referenceCounts: r, currentCounts: c)
            sink += try ContingencyTest(reference: r, current: c).pValue
        }
        if sink.isNaN { print("") }
        return measurement
    }

    /// 50 numeric columns of 100,000 rows, reference and current (every fifth column shifted by
    /// 0.1σ, every tenth scaled by 1.2), taken from the same normal data Python reads.
    static func reportTables(_ arguments: Arguments) throws -> (FeatureTable, FeatureTable) {
        let all = try TensorCases.doubles(arguments, "normal-10M")
        var reference: [(String, Column)] = [], current: [(String, Column)] = []
        for column in 0..<50 {
            let r = Array(all[(column * 100_000)..<((column + 1) * 100_000)])
            let base = 5_000_000 + column * 100_000
            let c = all[base..<(base + 100_000)].map { value in
                column % 10 == 0 ? value * 1.2 : (column % 5 == 0 ? value + 0.1 : value)
            }
            reference.append(("f\(column)", .double(DoubleColumn(values: r))))
            current.append(("f\(column)", .double(DoubleColumn(values: c))))
        }
        return (try FeatureTable(columns: reference), try FeatureTable(columns: current))
    }

    /// The full drift report (every column's method, statistic, histogram, quality checks,
    /// duplicate rows, dataset decision) and its HTML page, 50 × 100k against 50 × 100k.
    @Sendable static func fullReport(_ arguments: Arguments) async throws -> Measurement {
        let (reference, current) = try reportTables(arguments)
        let analyzer = try DriftAnalyzer()
        var sink = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 1) {
            let report = try analyzer.compare(reference: reference, current: current)
            sink += report.html().utf8.count + report.dataset.driftedColumns
        }
        if sink < 0 { print("") }
        return measurement
    }

    /// The profile settings of the profile cases: the defaults, or the quantile sketch's k from
    /// `MLOPS_BENCH_PROFILE_K` (to compare sizes on one machine).
    static var profileSettings: ProfileSettings {
        var settings = ProfileSettings()
        if let k = ProcessInfo.processInfo.environment["MLOPS_BENCH_PROFILE_K"].flatMap(Int.init) { settings.quantileAccuracy = k }
        return settings
    }

    /// Streaming-profile ingestion on one core: 50 numeric columns × 100,000 rows into a
    /// ``DatasetProfile`` (moments, KLL, HyperLogLog per column), column batches as a logging
    /// pipeline would hand them over. Items are cells.
    @Sendable static func profileIngest(_ arguments: Arguments) async throws -> Measurement {
        let all = try TensorCases.doubles(arguments, "normal-10M")
        let columns = (0..<50).map { Array(all[($0 * 100_000)..<(($0 + 1) * 100_000)]) }
        let schema = (0..<50).map { (name: "f\($0)", kind: ColumnKind.double) }
        var sink = 0
        let measurement = try await Measurement.repeated(arguments.repetitions, items: 5_000_000) {
            var profile = try DatasetProfile(schema: schema, settings: profileSettings)
            for (index, column) in columns.enumerated() {
                column.withUnsafeBufferPointer { profile.update(column: index, contentsOf: $0) }
            }
            sink += profile.rowCount
        }
        if sink < 0 { print("") }
        return measurement
    }

    /// The same cells one request at a time through a ``StreamingProfiler`` from two tasks
    /// (the serving hot path: a `record` per row). Items are cells.
    @Sendable static func profileRecord(_ arguments: Arguments) async throws -> Measurement {
        let all = try TensorCases.doubles(arguments, "normal-10M")
        let rows = 100_000, width = 50
        let schema = (0..<width).map { (name: "f\($0)", kind: ColumnKind.double) }
        let profiler = try StreamingProfiler(schema: schema, settings: profileSettings)
        let measurement = try await Measurement.repeated(arguments.repetitions, items: rows * width) {
            await withTaskGroup(of: Void.self) { group in
                for task in 0..<2 {
                    group.addTask {
                        all.withUnsafeBufferPointer { values in
                            for row in stride(from: task, to: rows, by: 2) {
                                profiler.record { profile in
                                    for column in 0..<width { profile.update(column: column, values[column * rows + row]) }
                                }
                            }
                        }
                    }
                }
            }
            _ = try profiler.drain()
        }
        return measurement
    }
}
