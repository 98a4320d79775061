import Foundation

@testable import TensorCore

/// A small seeded generator for the sketch tests: TensorCore's SplitMix64 with the helpers the
/// tests use.
struct SketchTestRNG {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Standard normal by Box–Muller.
    mutating func normal() -> Double {
        let u1 = 1 - uniform()
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// The input shapes the quantile tests run on.
enum SketchTestStream: String, CaseIterable, Sendable {
    case uniform, normal, sorted, reverseSorted, heavyTies

    func values(count n: Int, seed: UInt64) -> [Double] {
        var rng = SketchTestRNG(seed: seed)
        switch self {
        case .uniform:
            return (0..<n).map { _ in rng.uniform() }
        case .normal:
            return (0..<n).map { _ in 100 + 15 * rng.normal() }
        case .sorted:
            return (0..<n).map { _ in rng.uniform() * 1000 }.sorted()
        case .reverseSorted:
            return (0..<n).map { _ in rng.uniform() * 1000 }.sorted(by: >)
        case .heavyTies:
            return (0..<n).map { _ in Double(rng.below(37)) }
        }
    }
}

/// Exact rank helpers over a sorted array.
struct SketchExactRanks {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.filter { !$0.isNaN }.sorted() }

    /// Number of values < x.
    func below(_ x: Double) -> Int {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Number of values <= x.
    func atOrBelow(_ x: Double) -> Int {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// How far `q` lies outside the true normalized rank interval of value `v`.
    func quantileError(q: Double, value v: Double) -> Double {
        let n = Double(sorted.count)
        let lo = Double(below(v)) / n
        let hi = Double(atOrBelow(v)) / n
        if q < lo { return lo - q }
        if q > hi { return q - hi }
        return 0
    }

    /// |estimated inclusive rank of x - true inclusive rank of x|.
    func rankError(x: Double, estimate: Double) -> Double {
        abs(estimate - Double(atOrBelow(x)) / Double(sorted.count))
    }
}

/// The largest quantile and rank errors of a KLL sketch against exact data.
func kllMaxErrors(_ sketch: KLLSketch, exact: SketchExactRanks) throws -> (quantile: Double, rank: Double) {
    let fractions = (0...200).map { Double($0) / 200 }
    let qs = try sketch.quantiles(fractions)
    var qErr = 0.0
    for (q, v) in zip(fractions, qs) { qErr = Swift.max(qErr, exact.quantileError(q: q, value: v)) }
    // Rank error at 199 exact data quantiles (distinct split points).
    var points: [Double] = []
    for i in 1..<200 {
        let x = exact.sorted[Swift.min(exact.sorted.count - 1, i * exact.sorted.count / 200)]
        if points.last.map({ $0 < x }) ?? true { points.append(x) }
    }
    let cdf = try sketch.cdf(at: points)
    var rErr = 0.0
    for (x, r) in zip(points, cdf) { rErr = Swift.max(rErr, exact.rankError(x: x, estimate: r)) }
    return (qErr, rErr)
}

/// A Zipf-like sampler over keys 0..<n with exponent s (inverse-CDF by binary search).
struct SketchTestZipf {
    let cdf: [Double]

    init(keys n: Int, exponent s: Double) {
        var acc = 0.0
        var c: [Double] = []
        c.reserveCapacity(n)
        for i in 1...n {
            acc += 1 / pow(Double(i), s)
            c.append(acc)
        }
        cdf = c.map { $0 / acc }
    }

    func sample(_ rng: inout SketchTestRNG) -> Int {
        let u = rng.uniform()
        var lo = 0
        var hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Whether a and b agree to `relative` of `scale` (or of |b| when larger).
func sketchClose(_ a: Double, _ b: Double, relative: Double, scale: Double = 0) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a == b { return true }
    return abs(a - b) <= relative * Swift.max(abs(b), scale)
}

/// Decodes `bytes`, returning the error code or nil when decoding succeeded.
func sketchDecodeError<T>(_ bytes: [UInt8], as decode: ([UInt8]) throws(SketchError) -> T) -> SketchError.Code? {
    do throws(SketchError) {
        _ = try decode(bytes)
        return nil
    } catch {
        return error.code
    }
}
