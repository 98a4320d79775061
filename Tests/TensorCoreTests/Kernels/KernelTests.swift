import Foundation
import Testing
@testable import TensorCore

@Suite("Kernels against numpy and scipy")
struct KernelTests {
    @Test("the fixtures are present")
    func fixturesLoad() {
        #expect(KernelFixture.all.count >= 9)
    }

    @Test("summary statistics match numpy (NaNs excluded and counted)", arguments: KernelFixture.all)
    func summary(fixture: KernelFixture) {
        let summary = fixture.values.withUnsafeBufferPointer { Reductions.summary($0) }
        #expect(summary.nanCount == fixture.nanCount)
        guard let mean = fixture.mean, let variance = fixture.var, let sum = fixture.sum else {
            #expect(summary.count == 0)
            #expect(summary.mean.isNaN)
            return
        }
        #expect(relativeError(summary.sum, sum) <= 1e-13, "sum \(summary.sum) vs \(sum)")
        #expect(relativeError(summary.mean, mean) <= 1e-13, "mean \(summary.mean) vs \(mean)")
        #expect(relativeError(summary.variance, variance) <= 1e-10, "variance \(summary.variance) vs \(variance)")
        #expect(summary.minimum == fixture.min)
        #expect(summary.maximum == fixture.max)
    }

    @Test("quantiles match numpy bit for bit for every method", arguments: KernelFixture.all)
    func quantiles(fixture: KernelFixture) throws {
        guard let qs = fixture.qs else { return }
        let tensor = Tensor(fixture.values)
        let expectations: [(QuantileMethod, [Double]?)] = [
            (.linear, fixture.quantilesLinear), (.nearest, fixture.quantilesNearest), (.lower, fixture.quantilesLower),
            (.higher, fixture.quantilesHigher), (.midpoint, fixture.quantilesMidpoint),
        ]
        for (method, expected) in expectations {
            let actual = try tensor.quantiles(qs, method: method)
            #expect(actual == expected, "\(method)")
        }
    }

    @Test("average ranks match scipy.stats.rankdata", arguments: KernelFixture.all)
    func ranks(fixture: KernelFixture) {
        guard let expected = fixture.ranks else { return }
        let finite = fixture.values.filter { !$0.isNaN }
        #expect(Tensor(finite).ranks().scalars == expected)
    }

    @Test("histograms match numpy for quantile and evenly spaced edges", arguments: KernelFixture.all)
    func histograms(fixture: KernelFixture) throws {
        if let edges = fixture.edges, let expected = fixture.histogram {
            #expect(try Tensor(fixture.values).histogram(edges: edges) == expected)
        }
        if let edges = fixture.uniformEdges, let expected = fixture.uniformHistogram {
            #expect(try Tensor(fixture.values).histogram(edges: edges) == expected)
        }
    }

    @Test("large inputs split over cores give the same statistics as one pass")
    func parallelMatchesSequential() {
        var generator = SplitMix64(seed: 3)
        let values = (0..<1_200_000).map { index in index % 9973 == 0 ? Double.nan : generator.nextUniform() * 1000 - 300 }
        let parallel = values.withUnsafeBufferPointer { Reductions.summary($0) }
        var sequential = SummaryStatistics.empty
        values.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = min(start + 2048, buffer.count)
                sequential = sequential.merged(with: Reductions.blockSummary(UnsafeBufferPointer(rebasing: buffer[start..<end]), shift: 0))
                start = end
            }
        }
        #expect(parallel.count == sequential.count)
        #expect(parallel.nanCount == values.count - parallel.count)
        #expect(relativeError(parallel.mean, sequential.mean) < 1e-12)
        #expect(relativeError(parallel.variance, sequential.variance) < 1e-12)
        let exactSum = values.filter { !$0.isNaN }.withUnsafeBufferPointer { Reductions.compensatedSum($0) }
        #expect(relativeError(parallel.sum, exactSum) < 1e-14)
        #expect(values.withUnsafeBufferPointer { Reductions.sum($0) }.nanCount == parallel.nanCount)
    }

    @Test("summation stays accurate where a running sum drifts")
    func summationAccuracy() {
        // 1e8 copies of 0.1 sum to 1e7 in exact arithmetic; a naive loop is off by about 1e-3 relative... use 1e6.
        let values = [Double](repeating: 0.1, count: 1_000_000)
        let sum = values.withUnsafeBufferPointer { Reductions.sum($0).sum }
        #expect(abs(sum - 100_000) < 1e-6)
    }

    @Test("sort puts NaNs last and argsort is stable")
    func sortingRules() {
        let values: [Double] = [3, .nan, 1, 2, 1, -.infinity, .infinity, 2, .nan, 0]
        let sorted = Tensor(values).sorted().scalars
        #expect(Array(sorted.prefix(8)) == [-.infinity, 0, 1, 1, 2, 2, 3, .infinity])
        let tailIsNaN = sorted.suffix(2).allSatisfy { $0.isNaN }
        #expect(tailIsNaN)
        #expect(Tensor(values).argsort() == [5, 9, 2, 4, 3, 7, 0, 6, 1, 8])
    }

    @Test("argmin, argmax and the mean skip NaNs; empty inputs throw")
    func extremes() throws {
        let tensor = Tensor<Double>([.nan, 4, -2, 9, 9, -2])
        #expect(try tensor.argmin() == 2)
        #expect(try tensor.argmax() == 3)
        #expect(try tensor.mean() == 18.0 / 5)
        #expect(throws: TensorError.self) { try Tensor<Double>([.nan]).mean() }
        #expect(throws: TensorError.self) { _ = try Tensor<Double>([]).argmax() }
        #expect(throws: TensorError.self) { _ = try Tensor<Double>([1]).variance(ddof: 1) }
    }

    @Test("bad quantile and histogram arguments are typed errors")
    func badArguments() {
        #expect(throws: TensorError.self) { try Tensor<Double>([1, 2]).quantiles([1.5]) }
        #expect(throws: TensorError.self) { try Tensor<Double>([1, 2]).histogram(edges: [1]) }
        #expect(throws: TensorError.self) { try Tensor<Double>([1, 2]).histogram(edges: [0, 2, 1]) }
        #expect(throws: TensorError.self) { try Tensor<Double>([.nan]).quantiles([0.5]) }
    }

    @Test("cumulative sums run left to right")
    func cumulative() {
        #expect(Tensor<Double>([1, 2, 3, 4]).cumulativeSum().scalars == [1, 3, 6, 10])
    }
}
