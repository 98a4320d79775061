import Foundation
import Testing
import TensorCore

@testable import DriftStats

@Suite("KS largest gaps")
struct KolmogorovSmirnovGapTests {
    @Test("The branch-light merge finds the same gaps as a walk over every distinct value, with ties, infinities and unequal sizes")
    func sameAsWalk() {
        var random = Xoshiro256StarStar(seed: 17)
        for trial in 0..<300 {
            let (n1, n2) = (1 + Int(random.next() % 400), 1 + Int(random.next() % 400))
            let levels = [3, 20, 1_000_000][trial % 3]
            func draw() -> Double {
                let u = random.next() % 100
                if u == 0 { return -.infinity }
                if u == 1 { return .infinity }
                return Double(random.next() % UInt64(levels)) / 7
            }
            let a = SortedSample((0..<n1).map { _ in draw() }), b = SortedSample((0..<n2).map { _ in draw() })
            var expected = (0.0, 0.0)
            a.walkSteps(with: b) { _, i, j in
                let gap = Double(i) / Double(n1) - Double(j) / Double(n2)
                expected = (Swift.max(expected.0, gap), Swift.max(expected.1, -gap))
            }
            let found = KolmogorovSmirnovTest.largestGaps(a.values, b.values)
            #expect(found.0 == expected.0 && found.1 == expected.1, "trial \(trial): \(found) vs \(expected)")
            // The four interleaved merges, forced at any size, give the same gaps bit for bit.
            let interleaved = KolmogorovSmirnovTest.largestGapsInterleaved(a.values, b.values)
            #expect(interleaved.0.bitPattern == found.0.bitPattern && interleaved.1.bitPattern == found.1.bitPattern, "trial \(trial): \(interleaved) vs \(found)")
        }
    }

    @Test("Above the size where four merges run at once, the gaps equal one merge's bit for bit, ties and skewed splits included")
    func interleavedAtSize() {
        var random = Xoshiro256StarStar(seed: 29)
        for trial in 0..<40 {
            let (n1, n2) = (1 + Int(random.next() % 20_000), 1 + Int(random.next() % 20_000))
            let levels: UInt64 = [4, 1_000, 1 << 40][trial % 3]
            // Trial by trial: both from one distribution, the current shifted, or all of it beyond the reference.
            let shift = [0.0, 0.3, 2.0][trial % 3 == 0 ? 0 : Int(random.next() % 3)]
            let a = SortedSample((0..<n1).map { _ in Double(random.next() % levels) / Double(levels) })
            let b = SortedSample((0..<n2).map { _ in Double(random.next() % levels) / Double(levels) + shift })
            let merged = KolmogorovSmirnovTest.largestGapsMerged(a.values, b.values)
            let found = KolmogorovSmirnovTest.largestGaps(a.values, b.values)
            #expect(found.0.bitPattern == merged.0.bitPattern && found.1.bitPattern == merged.1.bitPattern, "trial \(trial) (\(n1), \(n2)): \(found) vs \(merged)")
        }
    }
}
