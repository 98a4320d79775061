@testable import DriftStats
import Foundation
import TensorCore
import Testing

/// Samples of one size take the mean gap between their order statistics instead of the walk
/// along both quantile functions: the same integral, summed in another order.
@Suite("Wasserstein-1 of equal-size samples")
struct WassersteinMeanGapTests {
    @Test("the mean gap of equal-size samples equals the walk (ties, ±0, sizes that are not multiples of 8), and gaps that overflow go to the walk's scaled sum")
    func meanGapMatchesTheWalk() throws {
        var random = Xoshiro256StarStar(seed: 0x7761_7373)
        for round in 0..<300 {
            let n = 1 + Int(random.next() % 300)
            let distinct = [2, 50, 1 << 20][round % 3]
            func sample() -> SortedSample {
                SortedSample((0..<n).map { _ in Double(Int(random.next() % UInt64(distinct)) - distinct / 2) * 0.37 + (round % 7 == 0 ? -0.0 : 0) })
            }
            let (a, b) = (sample(), sample())
            let gap = try #require(WassersteinDistance.meanGap(a.values, b.values))
            let walked = WassersteinDistance.walkedGapIntegral(a.values, b.values)
            #expect(abs(gap - walked) <= 1e-12 * max(1, walked), "\(gap) vs \(walked)")
            #expect(WassersteinDistance.quantileGapIntegral(a.values, b.values) == gap)
        }
        // Unequal sizes walk; gaps whose sum overflows are left to the walk's scaled sum.
        #expect(WassersteinDistance.meanGap([1, 2], [1]) == nil)
        let huge = [Double](repeating: 1.6e308, count: 9), tiny = [Double](repeating: -1e307, count: 9)
        #expect(WassersteinDistance.meanGap(huge, tiny) == nil)
        #expect(WassersteinDistance.quantileGapIntegral(huge, tiny).isFinite)
    }
}
