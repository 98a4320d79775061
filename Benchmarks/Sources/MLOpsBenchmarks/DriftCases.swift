import DriftStats
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
