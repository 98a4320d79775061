/// Sums and summary statistics over contiguous doubles: SIMD, cache-blocked, on both cores for
/// large inputs. NaNs are counted and excluded (see ``SummaryStatistics``).
///
/// Accuracy: each 2,048-element block is summed in 16 SIMD lanes, and block results are combined
/// with Neumaier's compensated addition, so the error grows like that of pairwise summation
/// (O(log n · ε)), not like a running sum's O(n · ε). Variance is computed per block in two passes
/// while the block is in L1 cache (exact mean first, then squared deviations from it) and blocks
/// are merged with Chan et al.'s update: Welford's one pass over memory, without its division per
/// element.
public enum Reductions {
    static let blockLength = 2048
    static let parallelThreshold = 1 << 19

    /// The sum of the non-NaN values and the number of NaNs.
    ///
    /// - Complexity: O(n), one pass; two threads when n ≥ 524,288.
    public static func sum(_ values: UnsafeBufferPointer<Double>) -> (sum: Double, nanCount: Int) {
        let shared = DisjointAccess(values)  // only read, each chunk its own range
        let partials = ParallelFor.map(count: values.count, minimumChunk: parallelThreshold) { range in
            var total = CompensatedSum()
            var nanCount = 0
            var start = range.lowerBound
            while start < range.upperBound {
                let end = Swift.min(start + blockLength, range.upperBound)
                let block = blockSum(UnsafeBufferPointer(rebasing: shared.value[start..<end]))
                total.add(block.sum)
                nanCount += block.nanCount
                start = end
            }
            return (total.value, nanCount)
        }
        var total = CompensatedSum()
        var nanCount = 0
        for partial in partials {
            total.add(partial.0)
            nanCount += partial.1
        }
        return (total.value, nanCount)
    }

    /// Count, sum, mean, variance, minimum and maximum of the non-NaN values, in one pass over memory.
    ///
    /// - Complexity: O(n); two threads when n ≥ 524,288.
    public static func summary(_ values: UnsafeBufferPointer<Double>) -> SummaryStatistics {
        // Statistics are taken of x - shift, with the shift a value of the data: by Sterbenz's lemma
        // the subtraction is exact for values within a factor of two of it, so a column such as
        // 1e9 + noise loses no digits to its offset. The shift is added back to the mean at the end.
        let shift = values.first { !$0.isNaN } ?? 0
        let shared = DisjointAccess(values)  // only read, each chunk its own range
        let partials = ParallelFor.map(count: values.count, minimumChunk: parallelThreshold) { range in
            var result = SummaryStatistics.empty
            var sum = CompensatedSum()
            var start = range.lowerBound
            while start < range.upperBound {
                let end = Swift.min(start + blockLength, range.upperBound)
                let block = blockSummary(UnsafeBufferPointer(rebasing: shared.value[start..<end]), shift: shift)
                sum.add(block.sum)
                result = result.merged(with: block)
                start = end
            }
            result.sum = sum.value
            return result
        }
        var result = SummaryStatistics.empty
        var sum = CompensatedSum()
        for partial in partials {
            sum.add(partial.sum)
            result = result.merged(with: partial)
        }
        result.sum = sum.value
        result.mean += shift
        return result
    }

    /// Neumaier's compensated sum of the non-NaN values, for callers that need the last bits.
    ///
    /// - Complexity: O(n), sequential.
    public static func compensatedSum(_ values: UnsafeBufferPointer<Double>) -> Double {
        var sum = CompensatedSum()
        for value in values where !value.isNaN { sum.add(value) }
        return sum.value
    }

    // MARK: Block kernels

    /// Sum and NaN count of one block, in 16 SIMD lanes.
    static func blockSum(_ block: UnsafeBufferPointer<Double>) -> (sum: Double, nanCount: Int) {
        var first = SIMD8<Double>()
        var second = SIMD8<Double>()
        var nanCount = 0
        var index = 0
        let count = block.count
        guard let base = block.baseAddress else { return (0, 0) }
        let raw = UnsafeRawPointer(base)
        while index + 16 <= count {
            var a = raw.loadUnaligned(fromByteOffset: index * 8, as: SIMD8<Double>.self)
            var b = raw.loadUnaligned(fromByteOffset: (index + 8) * 8, as: SIMD8<Double>.self)
            let nanA = a .!= a, nanB = b .!= b
            if any(nanA .| nanB) {
                nanCount += lanes(nanA) + lanes(nanB)
                a.replace(with: 0, where: nanA)
                b.replace(with: 0, where: nanB)
            }
            first += a
            second += b
            index += 16
        }
        var tail = 0.0
        while index < count {
            let value = base[index]
            if value.isNaN { nanCount += 1 } else { tail += value }
            index += 1
        }
        return ((first + second).sum() + tail, nanCount)
    }

    /// Full statistics of one block: pass one for count, sums, min, max; pass two for squared
    /// deviations. The mean is of `x - shift`; `sum`, `minimum` and `maximum` are of `x`.
    static func blockSummary(_ block: UnsafeBufferPointer<Double>, shift: Double) -> SummaryStatistics {
        guard let base = block.baseAddress, !block.isEmpty else { return .empty }
        let raw = UnsafeRawPointer(base)
        let count = block.count
        var sum = SIMD8<Double>()
        var shiftedSum = SIMD8<Double>()
        let offset = SIMD8<Double>(repeating: shift)
        var low = SIMD8<Double>(repeating: .infinity)
        var high = SIMD8<Double>(repeating: -.infinity)
        var nanCount = 0
        var index = 0
        while index + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: index * 8, as: SIMD8<Double>.self)
            let nan = v .!= v
            if any(nan) {
                nanCount += lanes(nan)
                sum += v.replacing(with: 0, where: nan)
                shiftedSum += (v - offset).replacing(with: 0, where: nan)
                low = low.replacing(with: v, where: .!nan .& (v .< low))
                high = high.replacing(with: v, where: .!nan .& (v .> high))
            } else {
                sum += v
                shiftedSum += v - offset
                // pointwiseMin/Max written as selects with the same results (per lane,
                // FloatingPoint.minimum keeps the first of two equal values and maximum takes
                // the second): the library functions compiled to a call per iteration, about 4%
                // of a whole-process drift run.
                low = low.replacing(with: v, where: v .< low)
                high = high.replacing(with: v, where: high .<= v)
            }
            index += 8
        }
        var total = sum.sum()
        var shiftedTotal = shiftedSum.sum()
        var minimum = low.min()
        var maximum = high.max()
        for position in index..<count {
            let value = base[position]
            if value.isNaN {
                nanCount += 1
            } else {
                total += value
                shiftedTotal += value - shift
                minimum = Swift.min(minimum, value)
                maximum = Swift.max(maximum, value)
            }
        }
        let valid = count - nanCount
        guard valid > 0 else {
            return SummaryStatistics(count: 0, nanCount: nanCount, sum: 0, mean: .nan, scaledSumOfSquaredDeviations: 0, minimum: .infinity, maximum: -.infinity)
        }
        let mean = shiftedTotal / Double(valid)
        // Pass two over the block, still in L1: squared deviations from the block mean, divided
        // first by a power of two when the block spreads so wide that a square could overflow
        // (values above about 1e154), or so narrow that the squares would underflow (below about
        // 1e-154). For ordinary data the scale is 1 and changes no bit.
        let scale = SummaryStatistics.deviationScale(forSpread: maximum - minimum)
        let inverse = 1 / scale
        let scaling = SIMD8<Double>(repeating: inverse)
        var squares = SIMD8<Double>()
        let center = SIMD8<Double>(repeating: mean)
        index = 0
        if nanCount == 0 {
            while index + 8 <= count {
                let d = ((raw.loadUnaligned(fromByteOffset: index * 8, as: SIMD8<Double>.self) - offset) - center) * scaling
                squares += d * d
                index += 8
            }
        } else {
            while index + 8 <= count {
                let v = raw.loadUnaligned(fromByteOffset: index * 8, as: SIMD8<Double>.self)
                var d = ((v - offset) - center) * scaling
                d.replace(with: 0, where: v .!= v)
                squares += d * d
                index += 8
            }
        }
        var m2 = squares.sum()
        for position in index..<count where !base[position].isNaN {
            let d = ((base[position] - shift) - mean) * inverse
            m2 += d * d
        }
        return SummaryStatistics(
            count: valid, nanCount: nanCount, sum: total, mean: mean, scaledSumOfSquaredDeviations: m2, deviationScale: scale,
            minimum: minimum, maximum: maximum)
    }

    @inline(__always)
    static func lanes(_ mask: SIMDMask<SIMD8<Int64>>) -> Int {
        var result = 0
        for lane in 0..<8 where mask[lane] { result += 1 }
        return result
    }
}

/// Neumaier's improvement of Kahan summation: exact to within one rounding for sums of a few terms.
struct CompensatedSum {
    private(set) var sum = 0.0
    private var compensation = 0.0

    mutating func add(_ value: Double) {
        let total = sum + value
        if Swift.abs(sum) >= Swift.abs(value) {
            compensation += (sum - total) + value
        } else {
            compensation += (value - total) + sum
        }
        sum = total
    }

    var value: Double { sum + compensation }
}
