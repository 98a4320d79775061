import CTensorKernels
import Testing
@testable import TensorCore

/// The C kernels, on both their AVX2 and portable paths, against plain Swift references.
@Suite("Native kernels", .serialized)
struct NativeKernelTests {
    /// Runs `body` on the machine's own path; where the CPU has AVX-512, with the AVX-512
    /// products forced (a Zen 4 takes the AVX2 products by default) and then with AVX2 forced
    /// (products, the double and integer sorts); then with the portable path forced: every
    /// path this CPU has.
    func onBothPaths(_ body: (String) throws -> Void) rethrows {
        try body(LinearAlgebra.usesAVX512 ? "avx512" : LinearAlgebra.sortsUseAVX512 ? "avx512 sorts, avx2 products" : LinearAlgebra.usesAVX2 ? "avx2" : "portable")
        if LinearAlgebra.sortsUseAVX512 {
            if !LinearAlgebra.usesAVX512 {
                tk_set_force_gemm_avx512(1)
                defer { tk_set_force_gemm_avx512(0) }
                #expect(LinearAlgebra.usesAVX512)
                try body("avx512")
            }
            tk_set_force_avx2(1)
            defer { tk_set_force_avx2(0) }
            #expect(!LinearAlgebra.usesAVX512 && !LinearAlgebra.sortsUseAVX512 && LinearAlgebra.usesAVX2)
            try body("avx2")
        }
        tk_set_force_portable(1)
        defer { tk_set_force_portable(0) }
        #expect(!LinearAlgebra.usesAVX512 && !LinearAlgebra.sortsUseAVX512 && !LinearAlgebra.usesAVX2)
        try body("portable")
    }

    static func naiveProduct(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for p in 0..<k { for j in 0..<n { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    @Test("matrix products match a naive triple loop on awkward shapes", arguments: [
        (1, 1, 1), (7, 3, 5), (33, 65, 17), (129, 31, 70), (6, 300, 8), (200, 200, 200), (13, 257, 33), (250, 600, 130),
    ])
    func products(shape: (Int, Int, Int)) throws {
        let (m, k, n) = shape
        var generator = SplitMix64(seed: UInt64(m * 10_000 + k * 100 + n))
        let a = (0..<(m * k)).map { _ in generator.nextUniform() * 2 - 1 }
        let b = (0..<(k * n)).map { _ in generator.nextUniform() * 2 - 1 }
        let expected = Self.naiveProduct(a, b, m: m, k: k, n: n)
        try onBothPaths { path in
            let product = try Tensor(shape: [m, k], scalars: a).matmul(Tensor(shape: [k, n], scalars: b)).scalars
            let worst = zip(product, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-12 * Double(k), "\(path) path, worst difference \(worst)")
            let productF = try Tensor(shape: [m, k], scalars: a.map(Float.init)).matmul(Tensor(shape: [k, n], scalars: b.map(Float.init))).scalars
            let worstF = zip(productF, expected).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worstF <= 1e-5 * Double(k), "\(path) path, float, worst difference \(worstF)")
        }
    }

    /// Found by a sanitizer fuzz of the C kernels: a row block of 4 rows or fewer (10 rows on 2
    /// threads: 6 and 4) took the thin-shape loop and summed in another order, and a thread count
    /// below 1 became one part per tile, past the 64 threads that run, so rows were never computed.
    @Test("tk_dgemm_mt gives the same bits on any thread count, and computes every row for a count below 1")
    func threadedProductIsThreadCountFree() {
        var state: UInt64 = 1
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) * 0x1p-53 - 0.5
        }
        for (m, n, k) in [(10, 8, 12_500), (17, 35, 1_697), (600, 20, 100)] {
            let a = (0..<(m * k)).map { _ in next() }, b = (0..<(k * n)).map { _ in next() }
            onBothPaths { path in
                var reference = [Double](repeating: .nan, count: m * n)
                tk_dgemm_mt(m, n, k, a, k, b, n, &reference, n, 0, 1)
                for threads: Int32 in [2, 3, 7, 0, -1, -3] {
                    var c = [Double](repeating: .nan, count: m * n)
                    tk_dgemm_mt(m, n, k, a, k, b, n, &c, n, 0, threads)
                    let same = zip(c, reference).allSatisfy { $0.bitPattern == $1.bitPattern }
                    #expect(same, "\(path): \(m)×\(k)·\(k)×\(n) on \(threads) threads")
                }
            }
        }
    }

    @Test("a product of mismatched shapes is a typed error")
    func mismatchedProduct() throws {
        let a = try Tensor<Double>(shape: [2, 3])
        #expect(throws: TensorError.self) { _ = try a.matmul(a) }
    }

    // 300,000 values: the AVX-512 sort hands ranges beyond 131,072 values to the AVX2 partition.
    @Test("sorting agrees with the standard library on hard inputs, on every path", arguments: [0, 1, 2, 15, 16, 17, 127, 128, 129, 1000, 100_003, 300_000])
    func sorting(count: Int) {
        var generator = SplitMix64(seed: UInt64(count) + 1)
        let inputs: [[Double]] = [
            (0..<count).map { _ in generator.nextUniform() },
            (0..<count).map { Double($0) },
            (0..<count).map { Double(count - $0) },
            (0..<count).map { _ in Double(generator.next() % 5) },
            (0..<count).map { index in index % 7 == 3 ? .nan : generator.nextUniform() - 0.5 },
        ]
        onBothPaths { path in
            for input in inputs {
                var sorted = input
                sorted.withUnsafeMutableBufferPointer { Sorting.sort($0) }
                let finite = input.filter { !$0.isNaN }.sorted()
                #expect(Array(sorted.prefix(finite.count)) == finite, "\(path)")
                #expect(sorted.dropFirst(finite.count).allSatisfy { $0.isNaN }, "\(path)")
            }
        }
    }

    @Test("64-bit integer sorting agrees with the standard library, on every path", arguments: [0, 1, 17, 128, 129, 1000, 100_003, 300_000])
    func integerSorting(count: Int) {
        var generator = SplitMix64(seed: UInt64(count) + 7)
        let inputs: [[Int64]] = [
            (0..<count).map { _ in Int64(bitPattern: generator.next()) },
            (0..<count).map { Int64(count - $0) },
            (0..<count).map { _ in Int64(generator.next() % 5) - 2 },
        ]
        onBothPaths { path in
            for input in inputs {
                var sorted = input
                sorted.withUnsafeMutableBufferPointer { Sorting.sort($0) }
                #expect(sorted == input.sorted(), "\(path)")
            }
        }
    }

    @Test("argsort is stable and puts NaNs last in their original order")
    func argsortStability() {
        var generator = SplitMix64(seed: 99)
        let values = (0..<50_000).map { index in index % 11 == 0 ? Double.nan : Double(generator.next() % 100) }
        let order = values.withUnsafeBufferPointer { Sorting.argsort($0) }
        let expected = values.indices.sorted { i, j in
            let a = values[i], b = values[j]
            if a.isNaN || b.isNaN { return a.isNaN == b.isNaN ? i < j : b.isNaN }
            return a == b ? i < j : a < b
        }
        #expect(order == expected)
    }

    @Test("pairwise squared distances match the definition")
    func distances() throws {
        let x: [Double] = [0, 0, 1, 1, 3, 4]   // three points in 2-D
        let y: [Double] = [0, 0, 3, 4]         // two points
        let d = try x.withUnsafeBufferPointer { x in
            try y.withUnsafeBufferPointer { y in try LinearAlgebra.pairwiseSquaredDistances(x, rows: 3, y, rows: 2, dimensions: 2) }
        }
        #expect(d == [0, 25, 2, 13, 25, 0])
    }
}
