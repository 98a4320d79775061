internal import CTensorKernels
import Foundation

/// An allocation-free in-place sort for runs of non-NaN `Double`s, used by
/// ``KLLSketch`` compaction (the standard library's `sort()` allocates a merge buffer).
///
/// Introsort (Musser, "Introspective sorting and selection algorithms", 1997) with a
/// branchless Lomuto partition (Edelkamp & Weiß, "BlockQuicksort: Avoiding Branch
/// Mispredictions in Quicksort", ESA 2016, in its simple Lomuto form), which avoids the
/// branch mispredictions that dominate sorting random keys: median-of-three pivots,
/// insertion sort below 16 elements, a second `<=` partition when the pivot is the
/// smallest value (so runs of equal values finish in linear time), and heapsort once
/// the recursion depth exceeds 2·log2(n), so the worst case stays O(n log n).
enum SketchDoubleSort {
    static func sort(_ base: UnsafeMutablePointer<Double>, count: Int) {
        guard count > 1 else { return }
        // From a few dozen values the C kernel (AVX2 partitions and sorting networks where the
        // CPU has them; single-threaded, allocation-free) is faster: compaction sorts level 0 constantly.
        if count >= 48 {
            tk_sort_f64(base, count)
            return
        }
        let depthLimit = 2 * (Int.bitWidth - count.leadingZeroBitCount)
        introsort(base, 0, count, depthLimit)
    }

    /// Sorts `a[low..<high]`.
    private static func introsort(_ a: UnsafeMutablePointer<Double>, _ low: Int, _ high: Int, _ depth: Int) {
        var lo = low
        var hi = high
        var depth = depth
        while hi - lo > 16 {
            if depth == 0 {
                heapsort(a + lo, count: hi - lo)
                return
            }
            depth -= 1
            // Median of three to a[lo].
            let mid = lo + (hi - lo) / 2
            let last = hi - 1
            if a[mid] < a[lo] { swapAt(a, mid, lo) }
            if a[last] < a[lo] { swapAt(a, last, lo) }
            if a[last] < a[mid] { swapAt(a, last, mid) }
            swapAt(a, lo, mid)
            let pivot = a[lo]
            // Branchless Lomuto: a[lo+1..<store] < pivot <= a[store..<i].
            var store = lo + 1
            var i = lo + 1
            while i < hi {
                let x = a[i]
                a[i] = a[store]
                a[store] = x
                store &+= x < pivot ? 1 : 0
                i += 1
            }
            let m = store - 1
            swapAt(a, lo, m)
            if m == lo {
                // Nothing is smaller than the pivot: gather the values equal to it.
                store = lo + 1
                i = lo + 1
                while i < hi {
                    let x = a[i]
                    a[i] = a[store]
                    a[store] = x
                    store &+= pivot < x ? 0 : 1
                    i += 1
                }
                lo = store
                continue
            }
            // Recurse into the smaller side, loop on the larger one.
            if m - lo < hi - (m + 1) {
                introsort(a, lo, m, depth)
                lo = m + 1
            } else {
                introsort(a, m + 1, hi, depth)
                hi = m
            }
        }
        insertionSort(a, lo, hi)
    }

    @inline(__always)
    private static func swapAt(_ a: UnsafeMutablePointer<Double>, _ i: Int, _ j: Int) {
        let t = a[i]
        a[i] = a[j]
        a[j] = t
    }

    /// Sorts `a[lo..<hi]`.
    private static func insertionSort(_ a: UnsafeMutablePointer<Double>, _ lo: Int, _ hi: Int) {
        guard hi - lo > 1 else { return }
        var i = lo + 1
        while i < hi {
            let v = a[i]
            var j = i - 1
            while j >= lo && v < a[j] {
                a[j + 1] = a[j]
                j -= 1
            }
            a[j + 1] = v
            i += 1
        }
    }

    private static func heapsort(_ a: UnsafeMutablePointer<Double>, count: Int) {
        var start = count / 2 - 1
        while start >= 0 {
            siftDown(a, start, count)
            start -= 1
        }
        var end = count - 1
        while end > 0 {
            swapAt(a, 0, end)
            siftDown(a, 0, end)
            end -= 1
        }
    }

    private static func siftDown(_ a: UnsafeMutablePointer<Double>, _ start: Int, _ count: Int) {
        var root = start
        while true {
            var child = 2 * root + 1
            if child >= count { return }
            if child + 1 < count && a[child] < a[child + 1] { child += 1 }
            if a[root] < a[child] {
                swapAt(a, root, child)
                root = child
            } else {
                return
            }
        }
    }
}
