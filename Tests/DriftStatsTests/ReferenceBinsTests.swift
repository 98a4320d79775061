@testable import DriftStats
import Foundation
import TensorCore
import Testing

/// Counting a sorted sample into bins by binary search must give exactly what walking it value
/// by value gives.
@Suite("Reference bins")
struct ReferenceBinsTests {
    @Test("counts by binary search equal the value-by-value walk: ties, values on the edges, ±0, infinities, empty samples, quantile and explicit edges; edges that do not increase are walked")
    func countsMatchTheWalk() throws {
        var random = Xoshiro256StarStar(seed: 0x6269_6E73)
        for round in 0..<500 {
            // Few distinct values make ties and values exactly on an edge common.
            let distinct = [1, 3, 20, 1_000][round % 4]
            let count = Int(random.next() % 400)
            var values = (0..<count).map { _ in Double(Int(random.next() % UInt64(distinct)) - distinct / 2) / 4 }
            if round % 5 == 0 { values += [0.0, -0.0, .infinity, -.infinity] }
            let sample = SortedSample(values)
            let edges: ReferenceBins
            if round % 2 == 0, !sample.values.isEmpty {
                edges = try ReferenceBins(quantilesOf: sample, count: 2 + round % 9)
            } else {
                let inner = Set((0..<Int(random.next() % 6)).map { _ in Double(Int(random.next() % 41) - 20) / 8 }).sorted()
                edges = try ReferenceBins(edges: inner)
            }
            #expect(edges.counts(sample) == edges.walkedCounts(sample), "edges \(edges.edges), values \(sample.values)")
            #expect(edges.counts(sample).reduce(0, +) == sample.values.count)
        }
        // Edges decoded from a hand-edited file need not increase: they are walked.
        let unordered = try JSONDecoder().decode(ReferenceBins.self, from: Data(#"{"edges":[2,1,3]}"#.utf8))
        let sample = SortedSample([0, 1, 1.5, 2, 2.5, 3, 4])
        #expect(unordered.counts(sample) == unordered.walkedCounts(sample))
    }
}
