@testable import DriftStats
import Foundation
import Testing
import TensorCore

/// The branch-light walk over the distinct values of two sorted samples, which Cramér–von Mises,
/// Mann–Whitney, Anderson–Darling and the CDF-gap distances stand on: it must report what the
/// plain definition reports, ties and signed zeros included.
@Suite("Walking two sorted samples")
struct MergeWalkTests {
    /// The definition: each distinct pooled value with the counts at or below it (the walk the
    /// branch-light one replaced).
    static func definitionSteps(_ a: [Double], _ b: [Double]) -> [(Double, Int, Int)] {
        var steps: [(Double, Int, Int)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            let value = i < a.count && (j >= b.count || a[i] <= b[j]) ? a[i] : b[j]
            while i < a.count && a[i] <= value { i += 1 }
            while j < b.count && b[j] <= value { j += 1 }
            steps.append((value, i, j))
        }
        return steps
    }

    /// Seeded pairs: continuous values, or few distinct levels (many ties), sizes 0 to 200.
    static func pairs(seed: UInt64, count: Int) -> [(SortedSample, SortedSample)] {
        var random = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { round in
            let sizes = (Int.random(in: 0...200, using: &random), Int.random(in: 0...200, using: &random))
            let levels = round % 2 == 0 ? 0 : Int.random(in: 1...8, using: &random)
            func draw() -> Double {
                if levels == 0 { return random.nextNormal() }
                let level = Int.random(in: 0..<levels, using: &random)
                return level == 0 ? (Bool.random(using: &random) ? 0.0 : -0.0) : Double(level) / 2
            }
            return (SortedSample((0..<sizes.0).map { _ in draw() }), SortedSample((0..<sizes.1).map { _ in draw() }))
        }
    }

    @Test("the walk reports every distinct value with the counts at or below it, as the definition does")
    func matchesDefinition() {
        for (a, b) in Self.pairs(seed: 0x5EED, count: 400) {
            var steps: [(Double, Int, Int)] = []
            a.walkSteps(with: b) { steps.append(($0, $1, $2)) }
            let expected = Self.definitionSteps(a.values, b.values)
            #expect(steps.count == expected.count)
            for (step, want) in zip(steps, expected) {
                #expect(step.0.bitPattern == want.0.bitPattern && step.1 == want.1 && step.2 == want.2, "\(step) vs \(want)")
            }
        }
    }

    @Test("two-sample Anderson–Darling on the walk equals the k-sample path bit for bit")
    func andersonDarlingPair() {
        for (a, b) in Self.pairs(seed: 0xADAD, count: 200) where a.count > 0 && b.count > 0 {
            let pair = AndersonDarlingTest.midrankStatistic([a, b])
            let general = AndersonDarlingTest.midrankStatistic([a, b], pairWalk: false)
            #expect(pair.value.bitPattern == general.value.bitPattern || (pair.value.isNaN && general.value.isNaN), "\(pair) vs \(general)")
            #expect(pair.distinctValues == general.distinctValues)
        }
    }

    @Test("Cramér–von Mises and Mann–Whitney rank sums equal sums over explicit midranks")
    func rankSumsFromMidranks() throws {
        for (a, b) in Self.pairs(seed: 0xC7, count: 200) where a.count > 0 && b.count > 0 {
            // Midranks the long way: sort the pooled values, average the ranks of each run.
            let pooled = (a.values.map { ($0, true) } + b.values.map { ($0, false) }).sorted { $0.0 < $1.0 }
            var midrank = [Double](repeating: 0, count: pooled.count)
            var start = 0
            while start < pooled.count {
                var end = start
                while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
                for index in start...end { midrank[index] = Double(start + end + 2) / 2 }
                start = end + 1
            }
            var rankSum = 0.0, squares = (0.0, 0.0), positions = (0, 0)
            for (index, (_, fromA)) in pooled.enumerated() {
                if fromA {
                    positions.0 += 1
                    rankSum += midrank[index]
                    squares.0 += (midrank[index] - Double(positions.0)) * (midrank[index] - Double(positions.0))
                } else {
                    positions.1 += 1
                    squares.1 += (midrank[index] - Double(positions.1)) * (midrank[index] - Double(positions.1))
                }
            }
            // Sums of multiples of 1/4 this small are exact in any order.
            #expect(MannWhitneyUTest.rankSum(a, b).sum == rankSum)
            let gaps = CramerVonMisesTest.squaredRankGaps(a, b)
            #expect(gaps.0 == squares.0 && gaps.1 == squares.1, "\(gaps) vs \(squares)")
            // The floating-point path (for samples too large for the integer sums) agrees too.
            let floating = CramerVonMisesTest.squaredRankGapsInFloatingPoint(a, b)
            #expect(floating.0 == squares.0 && floating.1 == squares.1, "\(floating) vs \(squares)")
        }
    }
}
