import Foundation
import Testing
import TensorCore

@testable import DriftStats

/// The seeded property check of issue #15: false alarms of the sketch-based comparisons in
/// 1,000 A/A trials, and their power next to raw data's on shifted normal data.
///
/// Runs only when `MLOPS_SKETCH_POWER` is set (`bash Scripts/check-sketch-power`, which
/// `Scripts/test` runs after the suite); it prints the table recorded in
/// Documentation/Benchmarks.md. `MLOPS_SKETCH_K` overrides the quantile sketch's k,
/// `MLOPS_SKETCH_AA_TRIALS` the number of A/A trials.
@Suite("Sketch power checks", .enabled(if: ProcessInfo.processInfo.environment["MLOPS_SKETCH_POWER"] != nil))
struct SketchPowerChecks {
    /// A method, its threshold, and the shift (σ, at 100,000 rows) from which the sketches
    /// must flag in at least 90 % of the trials raw data is flagged in.
    struct Case: Sendable {
        let method: DriftMethod
        let threshold: Double
        let powerShift: Double
        var label: String { "\(method) \(method.hasPValue ? "α" : "≥") \(threshold)" }
    }

    /// KS at its level; each distance at its default threshold (where raw data does not see a
    /// 0.05σ shift either) and at a tight one, between the A/A noise at 100,000 rows and the
    /// value a 0.05σ shift gives. PSI at its tight threshold falls short at 0.05σ (16 of 20
    /// against raw data's 20 at k = 1,600; its resolution is about 0.05σ) and is held to the
    /// goal from 0.10σ; a larger k closes the gap (Documentation/SketchResolution.md).
    static let cases = [
        Case(method: .kolmogorovSmirnov, threshold: 0.05, powerShift: 0.05),
        Case(method: .wasserstein, threshold: 0.1, powerShift: 0.05),
        Case(method: .wasserstein, threshold: 0.025, powerShift: 0.05),
        Case(method: .energy, threshold: 0.02, powerShift: 0.05),
        Case(method: .psi, threshold: 0.25, powerShift: 0.05),
        Case(method: .psi, threshold: 0.001, powerShift: 0.10),
        Case(method: .jensenShannon, threshold: 0.1, powerShift: 0.05),
        Case(method: .jensenShannon, threshold: 0.01, powerShift: 0.05),
    ]

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var settings: ProfileSettings {
        var settings = ProfileSettings()
        if let k = environment["MLOPS_SKETCH_K"].flatMap(Int.init) { settings.quantileAccuracy = k }
        return settings
    }

    static func normals(_ count: Int, shift: Double, seed: UInt64) -> [Double] {
        var random = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in random.nextNormal() + shift }
    }

    /// The two sketches a numeric column's comparison reads (its quantile sketch and moments),
    /// updated as ``ColumnProfile/update(contentsOf:)`` updates them; the distinct-count sketch,
    /// which no comparison reads, is left out to keep the check fast.
    static func side(_ values: [Double], seed: UInt64) throws -> SketchedDistribution {
        var quantiles = try KLLSketch(k: settings.quantileAccuracy, seed: seed)
        var moments = MomentSketch()
        values.withUnsafeBufferPointer {
            quantiles.update(batch: $0)
            moments.update(contentsOf: $0)
        }
        return SketchedDistribution(quantiles: quantiles, moments: moments) { _ in
            (moments.m2 / Double(moments.finiteCount)).squareRoot()
        }
    }

    /// Whether each case flags the sketches, and whether it flags the raw values.
    static func decisions(reference: [Double], current: [Double], seed: UInt64, raw: Bool) throws -> [(sketch: Bool, raw: Bool)] {
        let analyzer = try DriftAnalyzer(configuration: DriftConfiguration())
        let sides = (try side(reference, seed: seed), try side(current, seed: seed &+ 1))
        let sorted = raw ? (SortedSample(reference), SortedSample(current)) : nil
        let deviation = sides.0.deviation
        return try cases.map { c in
            let sketch = try SketchMethodEvaluation(
                numeric: c.method, reference: sides.0, current: sides.1, binCount: 10,
                failureProbability: SketchKolmogorovSmirnovTest.defaultFailureProbability)
            let flagged = analyzer.decision(method: c.method, evaluation: sketch.evaluation, pValue: sketch.evaluation.pValue, threshold: c.threshold).0 != .stable
            guard let sorted else { return (flagged, false) }
            let rawFlag: Bool
            switch c.method {
            case .kolmogorovSmirnov:
                rawFlag = try KolmogorovSmirnovTest(reference: sorted.0, current: sorted.1).pValue <= c.threshold
            case .wasserstein:
                rawFlag = try WassersteinDistance.distance(sorted.0, sorted.1) / deviation >= c.threshold
            case .energy:
                rawFlag = try EnergyDistance.distance(sorted.0, sorted.1) / deviation.squareRoot() >= c.threshold
            default:
                let bins = try ReferenceBins(quantilesOf: sorted.0, count: 10)
                let counts = (bins.counts(sorted.0), bins.counts(sorted.1))
                rawFlag = try MethodEvaluation(categorical: c.method, referenceCounts: counts.0, currentCounts: counts.1).statistic >= c.threshold
            }
            return (flagged, rawFlag)
        }
    }

    /// Runs `trials` trials on both cores and adds up, per case, how often each side flagged.
    static func count(trials: Int, _ trial: @escaping @Sendable (Int) throws -> [(sketch: Bool, raw: Bool)]) async throws -> (sketch: [Int], raw: [Int]) {
        try await withThrowingTaskGroup(of: ([Int], [Int]).self) { group in
            let lanes = 2
            for lane in 0..<lanes {
                group.addTask {
                    var sketch = [Int](repeating: 0, count: cases.count), raw = sketch
                    for index in stride(from: lane, to: trials, by: lanes) {
                        for (position, flag) in try trial(index).enumerated() {
                            if flag.sketch { sketch[position] += 1 }
                            if flag.raw { raw[position] += 1 }
                        }
                    }
                    return (sketch, raw)
                }
            }
            var total = ([Int](repeating: 0, count: cases.count), [Int](repeating: 0, count: cases.count))
            for try await (sketch, raw) in group {
                for index in cases.indices {
                    total.0[index] += sketch[index]
                    total.1[index] += raw[index]
                }
            }
            return total
        }
    }

    @Test("A/A: every sketch-based method raises false alarms in at most α of 1,000 seeded trials")
    func falseAlarms() async throws {
        let trials = Self.environment["MLOPS_SKETCH_AA_TRIALS"].flatMap(Int.init) ?? 1_000
        let rows = 20_000
        let alarms = try await Self.count(trials: trials) { trial in
            let seed = UInt64(trial) &* 2 &+ 1_000_003
            return try Self.decisions(
                reference: Self.normals(rows, shift: 0, seed: seed), current: Self.normals(rows, shift: 0, seed: seed &+ 1),
                seed: seed, raw: false)
        }.sketch
        print("| method | A/A false alarms (sketches, \(trials) trials of \(rows) rows, k = \(Self.settings.quantileAccuracy)) |")
        print("| --- | --- |")
        for (c, count) in zip(Self.cases, alarms) {
            print("| \(c.label) | \(count)/\(trials) |")
            // The KS level is α; the distances' thresholds sit above A/A noise, so at most 5 %.
            let allowed = c.method.hasPValue ? c.threshold : 0.05
            #expect(Double(count) <= allowed * Double(trials), "\(c.label): \(count) false alarms in \(trials) trials")
        }
    }

    @Test("Power: at a 0.05σ shift with 100,000 rows, the sketches are flagged in at least 90 % of the trials raw data is (PSI at its tight threshold from 0.10σ)")
    func power() async throws {
        let rows: [(count: Int, shift: Double, trials: Int)] = [
            (20_000, 0, 40), (20_000, 0.02, 40), (20_000, 0.04, 40), (20_000, 0.08, 40),
            (100_000, 0, 20), (100_000, 0.02, 20), (100_000, 0.05, 20), (100_000, 0.10, 20),
        ]
        print("| rows | δ | " + Self.cases.map { "\($0.label): sketch / raw" }.joined(separator: " | ") + " |")
        print("| --- | --- | " + Self.cases.map { _ in "---" }.joined(separator: " | ") + " |")
        for row in rows {
            let (sketch, raw) = try await Self.count(trials: row.trials) { trial in
                let seed = UInt64(row.count) &+ UInt64(trial) &* 7 &+ UInt64(row.shift * 1e4)
                return try Self.decisions(
                    reference: Self.normals(row.count, shift: 0, seed: seed), current: Self.normals(row.count, shift: row.shift, seed: seed &+ 3),
                    seed: seed, raw: true)
            }
            print("| \(row.count) | \(row.shift) | " + zip(sketch, raw).map { "\($0)/\(row.trials) / \($1)/\(row.trials)" }.joined(separator: " | ") + " |")
            if row.count == 100_000 {
                for (index, c) in Self.cases.enumerated() where c.powerShift == row.shift {
                    #expect(Double(sketch[index]) >= 0.9 * Double(raw[index]), "\(c.label): sketch \(sketch[index]) vs raw \(raw[index]) of \(row.trials)")
                }
            }
        }
    }

    @Test("Size against resolution: a numeric column's stored profile and what a comparison of two such profiles can see, per k")
    func sizeAgainstResolution() throws {
        let rows = 100_000
        let reference = Self.normals(rows, shift: 0, seed: 77), current = Self.normals(rows, shift: 0, seed: 78)
        let methods: [(DriftMethod, Double?)] = [(.kolmogorovSmirnov, nil), (.wasserstein, nil), (.wasserstein, 0.025), (.psi, nil), (.psi, 0.001), (.jensenShannon, 0.01)]
        func label(_ method: DriftMethod, _ threshold: Double?) -> String { "\(method) \(threshold.map { "≥ \($0)" } ?? (method.hasPValue ? "α 0.05" : "≥ \(method.defaultThreshold)"))" }
        print("| k | stored profile (JSON) | rank error bound | " + methods.map { label($0.0, $0.1) }.joined(separator: " | ") + " |")
        print("| --- | --- | --- | " + methods.map { _ in "---" }.joined(separator: " | ") + " |")
        var previousShift = Double.infinity
        for k in [200, 800, 1_600, 3_200, 6_400] {
            var settings = ProfileSettings(quantileAccuracy: k)
            var a = try DatasetProfile(schema: [("x", .double)], settings: settings)
            settings.seed = 1
            var b = try DatasetProfile(schema: [("x", .double)], settings: settings)
            // One value at a time, as a serving process records them.
            for value in reference { a.update(column: 0, value) }
            for value in current { b.update(column: 0, value) }
            let size = try JSONEncoder().encode(a.columns[0]).count
            let bound = a.columns[0].quantiles.rankErrorBound(failureProbability: SketchKolmogorovSmirnovTest.defaultFailureProbability / 2)
            var shifts: [String] = []
            for (method, threshold) in methods {
                var configuration = DriftConfiguration(method: method)
                if let threshold { configuration.methodThresholds[method] = threshold }
                let resolution = try #require(try ProfileComparison(configuration: configuration).compare(reference: a, current: b).columns.first?.resolution)
                shifts.append(resolution.detectableShift.map { String(format: "%.4fσ", $0) } ?? "none ≤ 10σ")
                if method == .kolmogorovSmirnov, let shift = resolution.detectableShift {
                    #expect(shift <= previousShift, "k = \(k): KS resolution \(shift)σ is coarser than at a smaller k")
                    previousShift = shift
                }
            }
            print("| \(k) | \(String(format: "%.1f", Double(size) / 1_024)) KiB | \(String(format: "%.4f", bound)) | " + shifts.joined(separator: " | ") + " |")
            if k == ProfileSettings.defaultQuantileAccuracy {
                #expect(size <= 64 * 1_024, "the default k stores \(size) bytes per numeric column")
            }
        }
        // The raw-data resolution for comparison: KS at α = 0.05 with 100,000 rows per side.
        let raw = 1.358 * (2.0 / Double(rows)).squareRoot() / 0.398_942
        print("raw data, KS α 0.05, \(rows) rows per side: about \(String(format: "%.4f", raw))σ (√(2/n)·1.358 / φ(0))")
    }
}
