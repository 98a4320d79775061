import CAllocationCounter
import Foundation

/// Timings of repeated runs of one case.
struct Measurement {
    var seconds: [Double]
    var items: Int
    /// Further figures a case reports (allocations on a hot path), printed as extra JSON fields.
    var extra: [String: Double] = [:]

    /// Heap allocations of the process so far, after checking that the counter counts at all
    /// (it is glibc-only): read before and after a timed region, for cases that report them.
    static func allocationCount() throws -> UInt64 {
        let before = mlops_allocation_count()
        let probe = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        probe.deallocate()
        guard mlops_allocation_count() > before else { throw BenchmarkFailure("the allocation counter does not count on this platform") }
        return mlops_allocation_count()
    }

    /// This measurement with `extra` figures added.
    func with(extra more: [String: Double]) -> Measurement {
        var copy = self
        copy.extra.merge(more) { $1 }
        return copy
    }

    var median: Double {
        let sorted = seconds.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The process's peak resident memory so far, in MiB: `VmHWM` from /proc/self/status, which
    /// starts afresh at exec (unlike getrusage's ru_maxrss, which keeps the high-water mark of
    /// the Python process that started this one).
    static var peakResidentMiB: Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kilobytes = line.split(separator: " ").compactMap({ Double($0) }).first {
            return kilobytes / 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    func json(caseName: String) -> String {
        let fields: [String] = [
            "\"case\": \"\(caseName)\"",
            "\"median_seconds\": \(median)",
            "\"min_seconds\": \(seconds.min() ?? .nan)",
            "\"runs\": \(seconds.count)",
            "\"items\": \(items)",
            "\"peak_rss_mib\": \(Measurement.peakResidentMiB)",
        ] + extra.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// Runs `body` `repetitions` times; `prepare` runs before each, untimed.
    static func repeated(
        _ repetitions: Int, items: Int, prepare: () async throws -> Void = {}, _ body: () async throws -> Void
    ) async throws -> Measurement {
        var seconds: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<max(1, repetitions) {
            try await prepare()
            let start = clock.now
            try await body()
            let elapsed = clock.now - start
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return Measurement(seconds: seconds, items: items)
    }
}
