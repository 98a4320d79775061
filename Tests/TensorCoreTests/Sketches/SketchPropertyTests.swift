import PropertyBased
import Testing
@testable import TensorCore

/// Properties of the sketches over generated inputs (swift-property-based shrinks a failure to a
/// small counterexample and prints the seed that reproduces it).
@Suite("Sketch properties")
struct SketchPropertyTests {
    static let values = Gen.double(in: -1e6...1e6).array(of: 1...3000)

    @Test("a KLL sketch of any data answers every decile within its rank error bound")
    func kllDecilesWithinBound() async {
        await propertyCheck(count: 60, input: Self.values) { values in
            var sketch = KLLSketch()
            for value in values { sketch.update(value) }
            let sorted = values.sorted()
            for decile in 1...9 {
                let q = Double(decile) / 10
                guard let estimate = try? sketch.quantile(q) else {
                    Issue.record("no quantile for q=\(q)")
                    return
                }
                // The true normalised rank of the answer must be within the bound of q.
                let below = Double(sorted.filter { $0 < estimate }.count) / Double(sorted.count)
                let atOrBelow = Double(sorted.filter { $0 <= estimate }.count) / Double(sorted.count)
                let error = q < below ? below - q : (q > atOrBelow ? q - atOrBelow : 0)
                #expect(error <= sketch.rankErrorBound + 1 / Double(sorted.count))
            }
        }
    }

    @Test("merging the moment sketches of two parts equals the sketch of the whole")
    func momentsMerge() async {
        await propertyCheck(count: 100, input: Self.values, Gen.int(in: 0...3000)) { values, cut in
            let split = min(cut, values.count)
            var left = MomentSketch(), right = MomentSketch(), whole = MomentSketch()
            for value in values[..<split] { left.update(value) }
            for value in values[split...] { right.update(value) }
            for value in values { whole.update(value) }
            #expect((try? left.merge(right)) != nil)
            #expect(left.count == whole.count)
            #expect(abs(left.mean - whole.mean) <= 1e-9 * max(1, abs(whole.mean)))
            #expect(abs(left.variance - whole.variance) <= 1e-9 * max(1, whole.variance))
        }
    }

    @Test("serialising any KLL sketch and reading it back gives the same answers")
    func kllRoundTrip() async {
        await propertyCheck(count: 60, input: Self.values) { values in
            var sketch = KLLSketch()
            for value in values { sketch.update(value) }
            guard let decoded = try? KLLSketch(serialized: sketch.serialized()) else {
                Issue.record("a serialised sketch did not decode")
                return
            }
            #expect(decoded == sketch)
        }
    }
}
