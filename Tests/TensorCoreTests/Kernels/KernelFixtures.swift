import Foundation
import Testing

/// numpy/scipy reference values from `Scripts/fixtures/make_kernel_fixtures.py`.
struct KernelFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let values: [Double]
    let sum: Double?
    let mean: Double?
    let `var`: Double?
    let min: Double?
    let max: Double?
    let qs: [Double]?
    let quantilesLinear: [Double]?
    let quantilesNearest: [Double]?
    let quantilesLower: [Double]?
    let quantilesHigher: [Double]?
    let quantilesMidpoint: [Double]?
    let ranks: [Double]?
    let edges: [Double]?
    let histogram: [Int]?
    let uniformEdges: [Double]?
    let uniformHistogram: [Int]?
    let nanCount: Int

    enum CodingKeys: String, CodingKey {
        case name, values, sum, mean, `var`, min, max, qs, ranks, edges, histogram
        case quantilesLinear = "quantiles_linear", quantilesNearest = "quantiles_nearest", quantilesLower = "quantiles_lower"
        case quantilesHigher = "quantiles_higher", quantilesMidpoint = "quantiles_midpoint"
        case uniformEdges = "uniform_edges", uniformHistogram = "uniform_histogram", nanCount = "nan_count"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        values = try container.decode([JSONNumber].self, forKey: .values).map(\.value)
        sum = try container.decodeIfPresent(Double.self, forKey: .sum)
        mean = try container.decodeIfPresent(Double.self, forKey: .mean)
        `var` = try container.decodeIfPresent(Double.self, forKey: .var)
        min = try container.decodeIfPresent(Double.self, forKey: .min)
        max = try container.decodeIfPresent(Double.self, forKey: .max)
        qs = try container.decodeIfPresent([Double].self, forKey: .qs)
        quantilesLinear = try container.decodeIfPresent([Double].self, forKey: .quantilesLinear)
        quantilesNearest = try container.decodeIfPresent([Double].self, forKey: .quantilesNearest)
        quantilesLower = try container.decodeIfPresent([Double].self, forKey: .quantilesLower)
        quantilesHigher = try container.decodeIfPresent([Double].self, forKey: .quantilesHigher)
        quantilesMidpoint = try container.decodeIfPresent([Double].self, forKey: .quantilesMidpoint)
        ranks = try container.decodeIfPresent([Double].self, forKey: .ranks)
        edges = try container.decodeIfPresent([Double].self, forKey: .edges)
        histogram = try container.decodeIfPresent([Int].self, forKey: .histogram)
        uniformEdges = try container.decodeIfPresent([Double].self, forKey: .uniformEdges)
        uniformHistogram = try container.decodeIfPresent([Int].self, forKey: .uniformHistogram)
        nanCount = try container.decode(Int.self, forKey: .nanCount)
    }

    var testDescription: String { name }

    static let all: [KernelFixture] = {
        struct File: Decodable { let cases: [KernelFixture] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/kernels.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }()
}

/// A number in a fixture, where NaN is written as the string "nan".
struct JSONNumber: Decodable {
    let value: Double
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) { value = number } else { _ = try container.decode(String.self); value = .nan }
    }
}

/// Lets fixtures name themselves in parameterised test output.
protocol CustomTestStringConvertible {}

/// Relative difference, with an absolute floor for values near zero.
func relativeError(_ actual: Double, _ expected: Double) -> Double {
    if actual == expected { return 0 }
    return abs(actual - expected) / max(abs(expected), 1e-300)
}
