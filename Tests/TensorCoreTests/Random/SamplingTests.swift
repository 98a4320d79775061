import Foundation
import Testing
@testable import TensorCore

/// Sample mean and variance of `count` draws.
private func moments(_ count: Int, _ draw: () throws -> Double) rethrows -> (mean: Double, variance: Double) {
    var mean = 0.0
    var m2 = 0.0
    for index in 1...count {
        let value = try draw()
        let delta = value - mean
        mean += delta / Double(index)
        m2 += delta * (value - mean)
    }
    return (mean, m2 / Double(count - 1))
}

/// Checks sample moments against the distribution's, each to within 6 standard errors: the mean's
/// standard error is σ/√n and the sample variance's √((μ₄ − σ⁴)/n), with μ₄ the fourth central
/// moment (μ₄ = (excess kurtosis + 3)σ⁴). A correct sampler fails such a check with probability
/// about 2·10⁻⁹; a biased one (wrong scale, shape or offset) fails it reliably.
private func expectMoments(
    _ sample: (mean: Double, variance: Double), count: Int,
    mean: Double, variance: Double, excessKurtosis: Double,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let n = Double(count)
    let meanError = (variance / n).squareRoot()
    let varianceError = variance * ((excessKurtosis + 2) / n).squareRoot()
    #expect(abs(sample.mean - mean) <= 6 * meanError,
            "mean \(sample.mean), expected \(mean) ± \(6 * meanError)", sourceLocation: sourceLocation)
    #expect(abs(sample.variance - variance) <= 6 * varianceError,
            "variance \(sample.variance), expected \(variance) ± \(6 * varianceError)",
            sourceLocation: sourceLocation)
}

@Suite("Sampling from a seeded source")
struct SamplingTests {
    static let count = 200_000

    // MARK: Reproducibility
    //
    // The pinned values come from a C program that implements the same algorithms on top of the
    // reference xoshiro256** (see Xoshiro256StarStarTests): (next() >> 11)·2⁻⁵³ for uniforms,
    // Lemire's multiply-and-reject for bounded integers, Fisher–Yates from the last position down,
    // and the Marsaglia polar method with glibc's log and sqrt, printed with %.17g.

    @Test("uniforms, bounded integers and permutations are pinned for seed 42")
    func pinnedIntegerStreams() throws {
        var random = Xoshiro256StarStar(seed: 42)
        #expect((0..<4).map { _ in random.nextUniform() }
                == [0.083862971059882163, 0.37898025066266861, 0.68004341102813937, 0.92469294532538759])
        random = Xoshiro256StarStar(seed: 42)
        #expect(try (0..<12).map { _ in try random.nextInt(below: 10) } == [0, 3, 6, 9, 9, 7, 7, 8, 7, 5, 6, 2])
        random = Xoshiro256StarStar(seed: 42)
        #expect(try (0..<3).map { _ in try random.nextInt(below: (1 << 62) + 1) }
                == [386749691100639685, 1747737923241135775, 3136146690562139752])
        random = Xoshiro256StarStar(seed: 42)
        #expect(try random.permutation(count: 10) == [9, 1, 4, 2, 8, 7, 6, 5, 3, 0])
    }

    @Test("normals are pinned for seed 42 (to 1e-14, allowing a last-bit difference in log)")
    func pinnedNormals() {
        var random = Xoshiro256StarStar(seed: 42)
        let expected = [-0.72621913824478568, 0.22162270150359331, 0.46417731016247366, 1.4762494610184149]
        for value in expected {
            let drawn = random.nextNormal()
            #expect(abs(drawn - value) <= 1e-14 * abs(value), "\(drawn) vs \(value)")
        }
    }

    @Test("every sampler repeats its sequence for the same seed")
    func samplersAreDeterministic() throws {
        func run(_ seed: UInt64) throws -> [Double] {
            var random = Xoshiro256StarStar(seed: seed)
            var values: [Double] = []
            for _ in 0..<50 {
                values.append(random.nextUniform())
                values.append(random.nextNormal())
                values.append(try random.nextGamma(shape: 0.7, scale: 2))
                values.append(try random.nextBeta(alpha: 0.3, beta: 4))
                values.append(Double(try random.nextCategorical(weights: [1, 2, 3])))
                values.append(Double(try random.nextInt(below: 1000)))
            }
            values.append(contentsOf: try random.permutation(count: 20).map(Double.init))
            return values
        }
        #expect(try run(99) == run(99))
        #expect(try run(99) != run(100))
    }

    // MARK: Uniform and integers

    @Test("nextUniform lies in [0, 1) with mean ½ and variance 1/12")
    func uniformMoments() {
        var random = Xoshiro256StarStar(seed: 1)
        var outside = 0
        let sample = moments(Self.count) {
            let u = random.nextUniform()
            if !(u >= 0 && u < 1) { outside += 1 }
            return u
        }
        #expect(outside == 0)
        expectMoments(sample, count: Self.count, mean: 0.5, variance: 1.0 / 12, excessKurtosis: -1.2)
    }

    @Test("nextInt(below:) stays in range and hits every value equally often", arguments: [1, 2, 7, 10, 1000])
    func boundedIntegers(upperBound: Int) throws {
        var random = Xoshiro256StarStar(seed: UInt64(upperBound))
        var counts = [Int](repeating: 0, count: upperBound)
        let draws = 100 * upperBound + 10_000
        for _ in 0..<draws {
            let value = try random.nextInt(below: upperBound)
            try #require(value >= 0 && value < upperBound)
            counts[value] += 1
        }
        let p = 1 / Double(upperBound)
        let expected = Double(draws) * p
        let sigma = (Double(draws) * p * (1 - p)).squareRoot()
        for (value, count) in counts.enumerated() {
            #expect(abs(Double(count) - expected) <= 6 * sigma + 1e-9, "value \(value) drawn \(count) times")
        }
    }

    @Test("nextInt(below:) handles bounds near Int.max")
    func largeBounds() throws {
        var random = Xoshiro256StarStar(seed: 3)
        for bound in [Int.max, Int.max - 1, (1 << 62) + 1] {
            for _ in 0..<1000 {
                let value = try random.nextInt(below: bound)
                #expect(value >= 0 && value < bound)
            }
        }
    }

    @Test("nextInt(below:) rejects a bound that is not positive", arguments: [0, -1, Int.min])
    func rejectsBadBound(upperBound: Int) {
        var random = Xoshiro256StarStar(seed: 0)
        do {
            _ = try random.nextInt(below: upperBound)
            Issue.record("accepted upperBound \(upperBound)")
        } catch {
            #expect(error.code == .invalidParameter)
            #expect(error.parameter == "upperBound")
        }
    }

    // MARK: Continuous samplers

    @Test("nextNormal has the requested mean and variance", arguments: [(0.0, 1.0), (-3.0, 0.5), (1e3, 25.0)])
    func normalMoments(mean: Double, standardDeviation: Double) throws {
        var random = Xoshiro256StarStar(seed: 17)
        let sample = try moments(Self.count) {
            try random.nextNormal(mean: mean, standardDeviation: standardDeviation)
        }
        expectMoments(sample, count: Self.count, mean: mean,
                      variance: standardDeviation * standardDeviation, excessKurtosis: 0)
    }

    @Test("nextGamma has mean kθ and variance kθ², also for shape below 1",
          arguments: [(0.05, 1.0), (0.5, 2.0), (1.0, 1.0), (2.5, 0.3), (30.0, 1.0), (1000.0, 0.01)])
    func gammaMoments(shape: Double, scale: Double) throws {
        var random = Xoshiro256StarStar(seed: 23)
        var negative = 0
        let sample = try moments(Self.count) {
            let value = try random.nextGamma(shape: shape, scale: scale)
            if value < 0 { negative += 1 }
            return value
        }
        #expect(negative == 0)
        expectMoments(sample, count: Self.count, mean: shape * scale, variance: shape * scale * scale,
                      excessKurtosis: 6 / shape)
    }

    @Test("nextBeta has mean α/(α+β) and the beta variance",
          arguments: [(0.1, 0.1), (0.5, 0.5), (0.2, 3.0), (2.0, 5.0), (1.0, 1.0), (50.0, 20.0)])
    func betaMoments(alpha: Double, beta: Double) throws {
        var random = Xoshiro256StarStar(seed: 29)
        var outside = 0
        let sample = try moments(Self.count) {
            let value = try random.nextBeta(alpha: alpha, beta: beta)
            if !(value >= 0 && value <= 1) { outside += 1 }
            return value
        }
        #expect(outside == 0)
        let sum = alpha + beta
        let variance = alpha * beta / (sum * sum * (sum + 1))
        let kurtosis = 6 * ((alpha - beta) * (alpha - beta) * (sum + 1) - alpha * beta * (sum + 2))
            / (alpha * beta * (sum + 2) * (sum + 3))
        expectMoments(sample, count: Self.count, mean: alpha / sum, variance: variance, excessKurtosis: kurtosis)
    }

    @Test("nextBeta with tiny shapes returns values in [0, 1], not NaN")
    func betaTinyShapes() throws {
        var random = Xoshiro256StarStar(seed: 31)
        for _ in 0..<10_000 {
            let value = try random.nextBeta(alpha: 1e-3, beta: 2e-3)
            #expect(value >= 0 && value <= 1)
        }
    }

    @Test("samplers reject invalid parameters")
    func samplersRejectInvalidParameters() {
        var random = Xoshiro256StarStar(seed: 0)
        FixtureAssertions.expectError(.invalidParameter, parameter: "standardDeviation") {
            _ = try random.nextNormal(mean: 0, standardDeviation: 0)
        }
        FixtureAssertions.expectError(.invalidParameter, parameter: "mean") {
            _ = try random.nextNormal(mean: .nan, standardDeviation: 1)
        }
        FixtureAssertions.expectError(.invalidParameter, parameter: "shape") { _ = try random.nextGamma(shape: -1) }
        FixtureAssertions.expectError(.invalidParameter, parameter: "scale") {
            _ = try random.nextGamma(shape: 1, scale: .infinity)
        }
        FixtureAssertions.expectError(.invalidParameter, parameter: "alpha") { _ = try random.nextBeta(alpha: 0, beta: 1) }
        FixtureAssertions.expectError(.invalidParameter, parameter: "beta") { _ = try random.nextBeta(alpha: 1, beta: .nan) }
        FixtureAssertions.expectError(.invalidParameter, parameter: "count") { _ = try random.permutation(count: -1) }
    }

    // MARK: Categorical

    @Test("nextCategorical draws each category in proportion to its weight and never a zero weight")
    func categoricalFrequencies() throws {
        var random = Xoshiro256StarStar(seed: 37)
        let weights = [5.0, 0.0, 3.0, 2.0]
        var counts = [Int](repeating: 0, count: weights.count)
        for _ in 0..<Self.count {
            counts[try random.nextCategorical(weights: weights)] += 1
        }
        #expect(counts[1] == 0)
        let total = weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            let p = weight / total
            let expected = Double(Self.count) * p
            let sigma = (Double(Self.count) * p * (1 - p)).squareRoot()
            #expect(abs(Double(counts[index]) - expected) <= 6 * sigma, "category \(index): \(counts[index])")
        }
    }

    @Test("nextCategorical with one positive weight always returns it")
    func categoricalSingle() throws {
        var random = Xoshiro256StarStar(seed: 41)
        for _ in 0..<1000 {
            #expect(try random.nextCategorical(weights: [0, 0, 1e-300, 0]) == 2)
        }
    }

    @Test("nextCategorical rejects empty, negative, non-finite and all-zero weights",
          arguments: [[], [1, -0.5], [1, .nan], [.infinity, 1], [0, 0], [Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude]])
    func categoricalRejects(weights: [Double]) {
        var random = Xoshiro256StarStar(seed: 0)
        do {
            _ = try random.nextCategorical(weights: weights)
            Issue.record("accepted weights \(weights)")
        } catch {
            #expect(error.code == .invalidWeights)
            #expect(!error.description.isEmpty)
        }
    }

    // MARK: Shuffling

    @Test("permutation(count:) returns every index once", arguments: [0, 1, 2, 10, 1000])
    func permutationIsPermutation(count: Int) throws {
        var random = Xoshiro256StarStar(seed: UInt64(count) + 1)
        let permutation = try random.permutation(count: count)
        #expect(permutation.sorted() == Array(0..<count))
    }

    @Test("shuffle puts each element in each position equally often")
    func shuffleIsUniform() {
        var random = Xoshiro256StarStar(seed: 43)
        let size = 5
        let rounds = 60_000
        var counts = [[Int]](repeating: [Int](repeating: 0, count: size), count: size)
        for _ in 0..<rounds {
            var elements = Array(0..<size)
            random.shuffle(&elements)
            for (position, element) in elements.enumerated() { counts[element][position] += 1 }
        }
        let p = 1 / Double(size)
        let expected = Double(rounds) * p
        let sigma = (Double(rounds) * p * (1 - p)).squareRoot()
        for element in 0..<size {
            for position in 0..<size {
                #expect(abs(Double(counts[element][position]) - expected) <= 6 * sigma,
                        "element \(element) at position \(position): \(counts[element][position])")
            }
        }
    }

    @Test("shuffled keeps the elements and matches shuffle for the same state")
    func shuffledMatchesShuffle() {
        var first = Xoshiro256StarStar(seed: 47)
        var second = first
        var inPlace = Array("abcdefghij")
        first.shuffle(&inPlace)
        let copy = second.shuffled("abcdefghij")
        #expect(inPlace == copy)
        #expect(copy.sorted() == Array("abcdefghij"))
    }
}
