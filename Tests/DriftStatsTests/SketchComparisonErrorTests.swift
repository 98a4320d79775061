import Foundation
import Testing
import TensorCore

@testable import DriftStats

@Suite("Sketch comparisons: error account and resolution")
struct SketchComparisonErrorTests {
    static func normals(_ count: Int, shift: Double = 0, scale: Double = 1, seed: UInt64) -> [Double] {
        var random = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in shift + scale * random.nextNormal() }
    }

    static func profile(_ values: [Double], k: Int, seed: UInt64, batch: Bool = true) throws -> ColumnProfile {
        var profile = try ColumnProfile(kind: .double, settings: ProfileSettings(quantileAccuracy: k, seed: seed))
        if batch {
            values.withUnsafeBufferPointer { profile.update(contentsOf: $0) }
        } else {
            for value in values { profile.update(value) }
        }
        return profile
    }

    @Test("The taut string stays in its tube, ends at zero, and no other path through the tube has smaller squared or absolute increments")
    func tautString() {
        var random = Xoshiro256StarStar(seed: 11)
        for trial in 0..<200 {
            let count = 3 + trial % 12
            var x = [0.0]
            for _ in 1..<count { x.append(x[x.count - 1] + 0.01 + random.nextUniform()) }
            var centre = [0.0]
            for _ in 1..<(count - 1) { centre.append(random.nextUniform() * 2 - 1) }
            centre.append(0)
            let width = 0.05 + random.nextUniform()
            let lower = centre.enumerated().map { $0.offset == 0 || $0.offset == count - 1 ? 0 : $0.element - width }
            let upper = centre.enumerated().map { $0.offset == 0 || $0.offset == count - 1 ? 0 : $0.element + width }
            let path = TautString.heights(x: x, lower: lower, upper: upper)
            #expect(path.first == 0 && path.last == 0)
            for j in 0..<count { #expect(path[j] >= lower[j] - 1e-12 && path[j] <= upper[j] + 1e-12, "trial \(trial) point \(j)") }
            func costs(_ heights: [Double]) -> (squares: Double, absolute: Double) {
                var squares = 0.0, absolute = 0.0
                for j in 1..<count {
                    let (rise, run) = (heights[j] - heights[j - 1], x[j] - x[j - 1])
                    squares += rise * rise / run
                    absolute += Swift.abs(rise)
                }
                return (squares, absolute)
            }
            let best = costs(path)
            for _ in 0..<50 {
                var other = [0.0]
                for j in 1..<(count - 1) { other.append(lower[j] + random.nextUniform() * (upper[j] - lower[j])) }
                other.append(0)
                let cost = costs(other)
                #expect(best.squares <= cost.squares + 1e-12 && best.absolute <= cost.absolute + 1e-12, "trial \(trial)")
            }
        }
    }

    @Test(
        "Every lower bound a sketch comparison decides on stays at or below the raw data's value (shift, scale, mixture; k = 64, so the sketches compact hard)",
        arguments: ["shift", "scale", "mixture", "same"])
    func lowerBoundsHold(kind: String) throws {
        for seed in UInt64(1)...6 {
            let reference = Self.normals(30_000, seed: seed)
            var current: [Double]
            switch kind {
            case "shift": current = Self.normals(30_000, shift: 0.08, seed: seed &+ 100)
            case "scale": current = Self.normals(30_000, scale: 1.1, seed: seed &+ 100)
            case "mixture": current = Self.normals(27_000, seed: seed &+ 100) + Self.normals(3_000, shift: 3, seed: seed &+ 200)
            default: current = Self.normals(30_000, seed: seed &+ 100)
            }
            let sides = (
                SketchedDistribution(try Self.profile(reference, k: 64, seed: seed)),
                SketchedDistribution(try Self.profile(current, k: 64, seed: seed &+ 1, batch: seed.isMultiple(of: 2))))
            let sorted = (SortedSample(reference), SortedSample(current))
            let deviation = sides.0.deviation
            for method in [DriftMethod.kolmogorovSmirnov, .wasserstein, .energy, .psi, .jensenShannon, .hellinger, .totalVariation, .kullbackLeibler, .lInfinity] {
                let sketch = try SketchMethodEvaluation(numeric: method, reference: sides.0, current: sides.1, binCount: 10, failureProbability: 1e-4)
                let context = "\(kind) seed \(seed) \(method)"
                switch method {
                case .kolmogorovSmirnov:
                    let raw = try KolmogorovSmirnovTest(reference: sorted.0, current: sorted.1).statistic
                    #expect(sketch.evaluation.statistic - sketch.statisticError <= raw + 1e-12, "\(context)")
                    #expect(sketch.evaluation.statistic + sketch.statisticError >= raw - 1e-12, "\(context)")
                case .wasserstein:
                    let raw = try WassersteinDistance.distance(sorted.0, sorted.1) / deviation
                    #expect(try #require(sketch.evaluation.decisionStatistic) <= raw * (1 + 1e-9), "\(context)")
                case .energy:
                    let raw = try EnergyDistance.distance(sorted.0, sorted.1) / deviation.squareRoot()
                    #expect(try #require(sketch.evaluation.decisionStatistic) <= raw * (1 + 1e-9), "\(context)")
                default:
                    // The raw shares in the same bins (the sketch's reference quantiles).
                    var edges: [Double] = []
                    for q in (1..<10).map({ Double($0) / 10 }) {
                        if let cut = sides.0.quantile(q), edges.last.map({ cut > $0 }) ?? true { edges.append(cut) }
                    }
                    let bins = try ReferenceBins(edges: edges)
                    let raw = try MethodEvaluation(categorical: method, referenceCounts: bins.counts(sorted.0), currentCounts: bins.counts(sorted.1)).statistic
                    let bound = try #require(sketch.evaluation.decisionStatistic)
                    #expect(bound <= raw * (1 + 1e-9) + 1e-12, "\(context): bound \(bound), raw \(raw)")
                }
            }
        }
    }

    @Test("Chi-square and G on compacted numeric sketches: the data's bin counts lie in the intervals, same-distribution windows alarm at most at the level, a shift is seen")
    func chiSquareOnSketchedBins() throws {
        let alpha = 0.05, trials = 300
        var alarms = 0
        for trial in 0..<trials {
            let seed = UInt64(trial)
            let reference = Self.normals(4_000, seed: seed &* 2 &+ 1), current = Self.normals(4_000, seed: seed &* 2 &+ 2)
            let sides = (
                SketchedDistribution(try Self.profile(reference, k: 64, seed: seed)),
                SketchedDistribution(try Self.profile(current, k: 64, seed: seed &+ 50_000)))
            let (errorR, errorC) = (sides.0.errorBound(failureProbability: 5e-5).error, sides.1.errorBound(failureProbability: 5e-5).error)
            #expect(errorR > 0 && errorC > 0, "k = 64 compacts 4,000 values")
            let edges = SketchMethodEvaluation.referenceEdges(sides.0, exact: false, binCount: 10)
            let bins = try ReferenceBins(edges: edges)
            for (values, side, error) in [(reference, sides.0, errorR), (current, sides.1, errorC)] {
                let intervals = SketchMethodEvaluation.binCounts(side, edges: edges, rankError: error, failureProbability: 5e-5)
                let counted = bins.counts(SortedSample(values))
                for (count, interval) in zip(counted, intervals.intervals) {
                    #expect(Double(count) >= interval.0 - 1e-9 && Double(count) <= interval.1 + 1e-9, "trial \(trial): \(count) outside \(interval)")
                }
            }
            let method: DriftMethod = trial.isMultiple(of: 2) ? .chiSquare : .gTest
            let evaluated = try SketchMethodEvaluation(numeric: method, reference: sides.0, current: sides.1, binCount: 10, failureProbability: 1e-4)
            if let p = evaluated.evaluation.pValue, p <= alpha { alarms += 1 }
        }
        let band = alpha + 3 * (alpha * (1 - alpha) / Double(trials)).squareRoot()
        #expect(Double(alarms) / Double(trials) <= band, "\(alarms) alarms in \(trials) same-distribution trials")
        // A shift of a third of a standard deviation in 20,000 values is flagged.
        let shifted = try SketchMethodEvaluation(
            numeric: .chiSquare,
            reference: SketchedDistribution(try Self.profile(Self.normals(20_000, seed: 7), k: 200, seed: 1)),
            current: SketchedDistribution(try Self.profile(Self.normals(20_000, shift: 0.33, seed: 8), k: 200, seed: 2)),
            binCount: 10, failureProbability: 1e-4)
        #expect(try #require(shifted.evaluation.pValue) <= 1e-3)
        #expect(shifted.statisticError > 0)
    }

    @Test("A sketch statistic's error is its distance to the lower bound either way: a bound above the statistic says the statistic is low by the gap")
    func statisticErrorIsTheGap() {
        // QA sweep: an energy statistic 8 % below its water-filling bound reported an error of 0.
        #expect(abs(SketchMethodEvaluation.difference(0.92, 1.0) - 0.08) < 1e-15)
        #expect(abs(SketchMethodEvaluation.difference(1.0, 0.75) - 0.25) < 1e-15)
        #expect(SketchMethodEvaluation.difference(0.5, 0.5) == 0)
        // An infinite or undefined distance has no meaningful error.
        #expect(SketchMethodEvaluation.difference(.infinity, 1) == 0)
        #expect(SketchMethodEvaluation.difference(1, .nan) == 0)
    }

    @Test("KS on sketches: the p-value includes δ, equals the exact-data p-value while nothing compacted, and the decision widens only by the sketches' own error")
    func kolmogorovSmirnovAccount() throws {
        let reference = Self.normals(1_000, seed: 3), current = Self.normals(1_000, shift: 0.2, seed: 4)
        // k = 4000: both sketches hold every value.
        let exact = (try Self.profile(reference, k: 4_000, seed: 1), try Self.profile(current, k: 4_000, seed: 2))
        let test = try SketchKolmogorovSmirnovTest(reference: exact.0.quantiles, current: exact.1.quantiles)
        #expect(test.errorBound == 0)
        let raw = try KolmogorovSmirnovTest(reference: SortedSample(reference), current: SortedSample(current))
        #expect(abs(test.statistic - raw.statistic) < 1e-12)
        // The sketch uses the asymptotic distribution; scipy's exact/asymptotic choice differs at this size.
        #expect(abs(test.pValue - raw.pValue) < 0.1 * Swift.max(raw.pValue, 1e-3), "sketch \(test.pValue), raw \(raw.pValue)")
        // Compacted: p-value at the lowered statistic, plus δ.
        let compacted = (try Self.profile(Self.normals(50_000, seed: 5), k: 200, seed: 1), try Self.profile(Self.normals(50_000, seed: 6), k: 200, seed: 2))
        let widened = try SketchKolmogorovSmirnovTest(reference: compacted.0.quantiles, current: compacted.1.quantiles, failureProbability: 1e-3)
        #expect(widened.errorBound > 0)
        #expect(widened.pValue >= 1e-3)
        #expect(abs(widened.errorBound - (compacted.0.quantiles.rankErrorBound(failureProbability: 5e-4) + compacted.1.quantiles.rankErrorBound(failureProbability: 5e-4))) < 1e-15)
        #expect(throws: DriftError.self) { try SketchKolmogorovSmirnovTest(reference: compacted.0.quantiles, current: compacted.1.quantiles, failureProbability: 0) }
        #expect(throws: DriftError.self) { try ProfileComparison(failureProbability: 0.5) }
    }

    @Test("Each tested profile column reports a resolution that shrinks with more rows and a larger k; raw-data reports carry none")
    func resolutionShrinks() throws {
        func shift(rows: Int, k: Int, method: DriftMethod) throws -> SketchResolution {
            var reference = try DatasetProfile(schema: [("x", .double)], settings: ProfileSettings(quantileAccuracy: k))
            var current = try DatasetProfile(schema: [("x", .double)], settings: ProfileSettings(quantileAccuracy: k, seed: 9))
            for value in Self.normals(rows, seed: 1) { reference.update(column: 0, value) }
            for value in Self.normals(rows, seed: 2) { current.update(column: 0, value) }
            let report = try ProfileComparison(configuration: DriftConfiguration(method: method)).compare(reference: reference, current: current)
            return try #require(report.columns.first?.resolution)
        }
        let small = try shift(rows: 20_000, k: 200, method: .kolmogorovSmirnov)
        let moreRows = try shift(rows: 80_000, k: 200, method: .kolmogorovSmirnov)
        let largerK = try shift(rows: 20_000, k: 1_600, method: .kolmogorovSmirnov)
        let a = try #require(small.detectableShift), b = try #require(moreRows.detectableShift), c = try #require(largerK.detectableShift)
        #expect(b < a && c < a, "20k/k200 \(a), 80k/k200 \(b), 20k/k1600 \(c)")
        #expect(small.statisticError > largerK.statisticError)
        #expect(small.failureProbability == SketchKolmogorovSmirnovTest.defaultFailureProbability)
        // KS at 20,000 rows per side on raw data flags about 0.043σ (1.358·√(2/20000)/0.399);
        // the sketch's resolution is never finer than that.
        #expect(c > 0.04)
        for method in [DriftMethod.wasserstein, .energy, .psi, .welchT] {
            let resolution = try shift(rows: 20_000, k: 1_600, method: method)
            #expect(resolution.detectableShift != nil, "\(method)")
        }
        // The raw-data path has no sketch, so no resolution.
        let table = try FeatureTable(columns: [("x", .double(DoubleColumn(values: Self.normals(500, seed: 1))))])
        let raw = try DriftAnalyzer().compare(reference: table, current: table)
        #expect(raw.columns.allSatisfy { $0.resolution == nil })
    }

    @Test("Full heavy-hitters sketches: same-distribution windows do not alarm although the monitored sets differ; a real change still does")
    func categoricalIntervals() throws {
        var random = Xoshiro256StarStar(seed: 21)
        func window(_ rows: Int, boost: Bool) throws -> DatasetProfile {
            // 3,000 categories with a long tail; a capacity of 64 keeps the sketch full.
            var profile = try DatasetProfile(schema: [("c", .categorical)], settings: ProfileSettings(categoryCapacity: 64))
            for _ in 0..<rows {
                // Key 1 holds about 44 %, the next few several percent each, then a long tail.
                let u = random.nextUniform(), v = random.nextUniform()
                let key = boost && v < 0.15 ? 2 : Int(pow(3_000, u * u * u))
                profile.update(column: 0, "c\(key)")
            }
            return profile
        }
        let comparison = try ProfileComparison(configuration: DriftConfiguration(method: .chiSquare))
        var alarms = 0
        for _ in 0..<20 {
            let (reference, current) = (try window(20_000, boost: false), try window(20_000, boost: false))
            #expect(reference.column(named: "c")?.categoryCountsAreExact == false)
            if comparison.compare(reference: reference, current: current).columns.first?.status != .stable { alarms += 1 }
        }
        #expect(alarms <= 2, "\(alarms) of 20 same-distribution windows alarmed")
        let changed = comparison.compare(reference: try window(20_000, boost: false), current: try window(20_000, boost: true)).columns.first
        #expect(changed?.status == .drifted, "\(changed?.reason ?? "") \(String(describing: changed?.resolution)) \(String(describing: changed?.statistic))")
        #expect(changed?.resolution?.shiftMeasure == .totalVariation)
        #expect((changed?.resolution?.statisticError ?? 0) > 0)
    }

    @Test("Settings stored before per-column sizes decode; a column's own k is used")
    func settingsCompatibility() throws {
        let old = #"{"quantileAccuracy":200,"categoryCapacity":1024,"distinctPrecision":12,"seed":0}"#
        let decoded = try JSONDecoder().decode(ProfileSettings.self, from: Data(old.utf8))
        #expect(decoded.quantileAccuracy == 200 && decoded.columnQuantileAccuracy.isEmpty)
        let profile = try DatasetProfile(
            schema: [("a", .double), ("b", .double)], settings: ProfileSettings(quantileAccuracy: 300, columnQuantileAccuracy: ["b": 900]))
        #expect(profile.column(named: "a")?.quantiles.k == 300)
        #expect(profile.column(named: "b")?.quantiles.k == 900)
        #expect(ProfileSettings().quantileAccuracy == ProfileSettings.defaultQuantileAccuracy)
        #expect(throws: DriftError.self) { try DatasetProfile(schema: [("a", .double)], settings: ProfileSettings(columnQuantileAccuracy: ["a": 3])) }
    }

    @Test("L∞'s bound is the smallest steepest step through the tube (a reviewer's counterexample to the taut string for L∞)")
    func lInfinityBound() {
        // Reference (.4, .1, .1, .4), current (.45, .17, .03, .35), tube ±.02 around the cumulative
        // differences (.05, .12, .05): heights (.05, .10, .05) fit and move at most .05 a step.
        let bound = BinnedLowerBound.distance(
            .lInfinity, referenceShares: [0.4, 0.1, 0.1, 0.4], currentShares: [0.45, 0.17, 0.03, 0.35], referenceError: 0.01, currentError: 0.01)
        #expect(abs(bound - 0.05) < 1e-9, "\(bound)")
        // Total variation: the taut string's path from 0 up to at least .10 and back is .20 of travel, /2.
        let tv = BinnedLowerBound.distance(
            .totalVariation, referenceShares: [0.4, 0.1, 0.1, 0.4], currentShares: [0.45, 0.17, 0.03, 0.35], referenceError: 0.01, currentError: 0.01)
        #expect(abs(tv - 0.10) < 1e-9, "\(tv)")
        // No error: the distances themselves.
        let exact = BinnedLowerBound.distance(
            .psi, referenceShares: [0.25, 0.25, 0.25, 0.25], currentShares: [0.3, 0.2, 0.25, 0.25], referenceError: 0, currentError: 0)
        #expect(abs(exact - PopulationStabilityIndex.index(referenceShares: [0.25, 0.25, 0.25, 0.25], currentShares: [0.3, 0.2, 0.25, 0.25])) < 1e-12)
    }

    @Test("A sketch read from the old binary form counts its 99 % figure's 1 % failure chance in the p-value")
    func legacySketchFailure() throws {
        let reference = try Self.profile(Self.normals(20_000, seed: 1), k: 200, seed: 1)
        var bytes = reference.quantiles.serialized()
        bytes[3] = 1
        bytes.removeSubrange(48..<56)
        let legacy = try KLLSketch(serialized: bytes)
        #expect(legacy.compactionVariance == nil)
        let current = try Self.profile(Self.normals(20_000, shift: 1, seed: 2), k: 200, seed: 2)
        let test = try SketchKolmogorovSmirnovTest(reference: legacy, current: current.quantiles)
        #expect(abs(test.failureProbability - (0.01 + SketchKolmogorovSmirnovTest.defaultFailureProbability / 2)) < 1e-15)
        #expect(test.pValue >= test.failureProbability)
    }

    @Test("A streaming profiler's shards flip their own coins, and its windows still merge and compare")
    func shardSeeds() throws {
        let profiler = try StreamingProfiler(schema: [("x", .double)], settings: ProfileSettings(quantileAccuracy: 64), shardCount: 4)
        let values = Self.normals(40_000, seed: 3)
        DispatchQueue.concurrentPerform(iterations: 4) { part in
            for value in values[(part * 10_000)..<((part + 1) * 10_000)] {
                profiler.record { $0.update(column: 0, value) }
            }
        }
        let window = try profiler.drain()
        #expect(window.rowCount == 40_000)
        #expect(window.settings.seed == 0)
        let sketch = try #require(window.column(named: "x")?.quantiles)
        #expect(sketch.rankErrorBound(failureProbability: 1e-6) >= kllSupError(sketch, values.sorted()))
    }

    /// The largest |sketch CDF − exact CDF| over every value (inclusive ranks).
    func kllSupError(_ sketch: KLLSketch, _ sorted: [Double]) -> Double {
        let steps = sketch.cumulativeSteps()
        var worst = 0.0, step = -1, index = 0
        while index < sorted.count {
            var next = index
            while next < sorted.count && sorted[next] == sorted[index] { next += 1 }
            while step + 1 < steps.count && steps[step + 1].value <= sorted[index] { step += 1 }
            worst = Swift.max(worst, abs((step >= 0 ? steps[step].rank : 0) - Double(next) / Double(sorted.count)))
            index = next
        }
        return worst
    }

    @Test("KS's resolution found through the critical gap equals the one found by re-running the test at every try")
    func kolmogorovSmirnovResolutionShortcut() throws {
        for (rows, k) in [(20_000, 200), (50_000, 1_600), (3_000, 4_000)] {
            let reference = SketchedDistribution(try Self.profile(Self.normals(rows, seed: 41), k: k, seed: 1))
            let current = SketchedDistribution(try Self.profile(Self.normals(rows / 2, seed: 42), k: k, seed: 2))
            let comparison = try ProfileComparison()
            let evaluated = try SketchMethodEvaluation(numeric: .kolmogorovSmirnov, reference: reference, current: current, binCount: 10, failureProbability: 1e-4)
            let fast = try #require(comparison.numericResolution(.kolmogorovSmirnov, evaluated, reference: reference, current: current, threshold: 0.05).detectableShift)
            let slow = try #require(SketchResolution.smallestFlagged(limit: 10) { delta in
                let moved = reference.shifted(by: delta * reference.deviation, like: current)
                guard let trial = try? SketchMethodEvaluation(numeric: .kolmogorovSmirnov, reference: reference, current: moved, binCount: 10, failureProbability: 1e-4) else { return false }
                return (trial.evaluation.pValue ?? 1) <= 0.05
            })
            #expect(abs(fast - slow) < 1e-4, "\(rows) rows, k \(k): \(fast) vs \(slow)")
        }
    }
}
