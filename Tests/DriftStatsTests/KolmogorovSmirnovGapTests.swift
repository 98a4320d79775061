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
        }
    }
}
