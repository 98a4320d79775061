import Foundation
import TensorCore

/// The Gaussian kernel matrix of a pooled sample (reference rows, then current rows) with its
/// diagonal set to zero, and the unbiased MMD² of any split of its rows into two groups.
///
/// A permutation test only relabels rows, so the matrix is built once and every permutation
/// reads it: the statistic of a split is a sum of kernel entries chosen by the labels.
struct PooledKernelMatrix: Sendable {
    /// The number of pooled rows, N = n + m.
    let size: Int
    /// N × N kernel values, row-major; the diagonal is 0 so that sums leave out i = j.
    let entries: [Double]
    /// Σⱼ entries[i, j] for each row i.
    let rowSums: [Double]

    /// Splits computed together: one SIMD lane per split, so each kernel row is read once for eight.
    static let lanes = 8

    /// Builds the matrix of two validated samples with the same columns.
    ///
    /// - Complexity: O(N²·d) for the distances (one GEMM) and O(N²) for the exponentials, over
    ///   the cores; N²·8 bytes of memory.
    init(reference: MultivariateSample, current: MultivariateSample, bandwidth: Double) throws(DriftError) {
        let size = reference.rowCount + current.rowCount
        let rows = GaussianKernel.centredRows(reference: reference, current: current, pooledIndices: Array(0..<size))
        var entries = try GaussianKernel.squaredDistances(rows, count: size, dimensions: reference.columnCount)
        let scale = GaussianKernel.exponentScale(bandwidth: bandwidth)
        let sums = entries.withUnsafeMutableBufferPointer { buffer in
            // Each range of rows writes only its own rows, and reads nothing another range writes.
            let shared = DisjointAccess(buffer)
            return ParallelFor.map(count: size, minimumChunk: Swift.max(1, 65_536 / size)) { rows in
                var sums: [Double] = []
                sums.reserveCapacity(rows.count)
                for i in rows {
                    var sum = 0.0
                    for j in 0..<size {
                        let value = i == j ? 0 : exp(scale * shared.value[i * size + j])
                        shared.value[i * size + j] = value
                        sum += value
                    }
                    sums.append(sum)
                }
                return sums
            }
        }
        self.size = size
        self.entries = entries
        self.rowSums = sums.flatMap { $0 }
    }

    /// The unbiased MMD² (Gretton et al. 2012, eq. 3) of up to ``lanes`` splits at once.
    ///
    /// Lane ℓ of `membership[j]` is 1 when pooled row j is in the first group of split ℓ (which
    /// has `first` rows) and 0 when it is in the second (`second` rows). Each lane's arithmetic is
    /// the same whichever other splits share the block, so a split's statistic does not depend
    /// on how splits are grouped or on which thread computes them.
    ///
    /// - Complexity: O(N²) for up to eight splits.
    func statistics(membership: [SIMD8<Double>], first: Int, second: Int) -> SIMD8<Double> {
        var withinFirst = SIMD8<Double>(), withinSecond = SIMD8<Double>(), between = SIMD8<Double>()
        entries.withUnsafeBufferPointer { kernel in
            membership.withUnsafeBufferPointer { labels in
                for i in 0..<size {
                    // dot = Σ over the first group of k(i, j); the rest of row i is the second group.
                    var dot = SIMD8<Double>()
                    let start = i * size
                    for j in 0..<size { dot += kernel[start + j] * labels[j] }
                    let rest = rowSums[i] - dot
                    let inFirst = labels[i]
                    withinFirst += inFirst * dot
                    between += inFirst * rest
                    withinSecond += (1 - inFirst) * rest
                }
            }
        }
        let n = Double(first), m = Double(second)
        return withinFirst / (n * (n - 1)) + withinSecond / (m * (m - 1)) - 2 * between / (n * m)
    }

    /// The statistic of the observed split (the first `first` pooled rows against the rest)
    /// followed by those of `permutations` random splits.
    ///
    /// Permutation b (counting from 0) shuffles `0..<N` with its own generator: a
    /// `Xoshiro256StarStar` seeded with `seed`, long-jumped once (away from the bandwidth's
    /// subsample stream) and then jumped b times; its first `first` indices form the first group.
    /// The result is therefore the same on any number of threads; `parallel: false` computes the
    /// blocks in order on the calling thread, for tests that check exactly that.
    ///
    /// - Complexity: O(permutations · N²), in blocks of eight splits over the cores.
    func permutationStatistics(first: Int, permutations: Int, seed: UInt64, parallel: Bool = true) -> [Double] {
        let generators: [Xoshiro256StarStar] = {
            var stream = Xoshiro256StarStar(seed: seed)
            stream.longJump()
            var generators: [Xoshiro256StarStar] = []
            generators.reserveCapacity(permutations)
            for _ in 0..<permutations {
                generators.append(stream)
                stream.jump()
            }
            return generators
        }()
        let splits = permutations + 1
        let blocks = (splits + Self.lanes - 1) / Self.lanes
        let second = size - first
        @Sendable func block(_ index: Int) -> [Double] {
            let assignments = (index * Self.lanes)..<Swift.min((index + 1) * Self.lanes, splits)
            var membership = [SIMD8<Double>](repeating: SIMD8(), count: size)
            var order = [Int](repeating: 0, count: size)
            for (lane, assignment) in assignments.enumerated() {
                if assignment == 0 {
                    for j in 0..<first { membership[j][lane] = 1 }
                    continue
                }
                var random = generators[assignment - 1]
                for j in 0..<size { order[j] = j }
                random.shuffle(&order)
                for k in 0..<first { membership[order[k]][lane] = 1 }
            }
            let values = statistics(membership: membership, first: first, second: second)
            return assignments.map { values[$0 - assignments.lowerBound] }
        }
        guard parallel else { return (0..<blocks).flatMap(block) }
        return ParallelFor.map(count: blocks, minimumChunk: 1) { range in range.flatMap(block) }.flatMap { $0 }
    }
}
