import Foundation
import GPUScheduling
import Testing
import TensorCore

/// The public traces, in the `shared/` folder beside the repository (tests that need them are
/// skipped when it is absent).
let gpuTraces: String? = {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let folder = repository.deletingLastPathComponent().appendingPathComponent("shared/data/gpu-traces").path
    return FileManager.default.fileExists(atPath: "\(folder)/philly-jobs.csv") ? folder : nil
}()

/// A random trace: heavy-tailed durations, mostly small jobs, a few gangs, three teams.
func randomTrace(jobs: Int, seed: UInt64, meanGap: Double = 60, teams: [String] = ["a", "b", "c"]) -> Trace {
    var random = Xoshiro256StarStar(seed: seed)
    var time = 0.0
    var result: [TraceJob] = []
    for id in 0..<jobs {
        time += -meanGap * log(Double.random(in: 0.0001..<1, using: &random))
        let duration = (60 * exp(Double.random(in: 0..<7, using: &random))).rounded()
        let gpus = [1, 1, 1, 1, 1, 2, 4, 8, 16][Int.random(in: 0..<9, using: &random)]
        let team = teams[Int.random(in: 0..<teams.count, using: &random)]
        let spec = JobSpec(
            id: id, team: team, gpus: gpus, workers: gpus > 8 ? gpus / 8 : nil, priority: Int.random(in: 0..<3, using: &random),
            checkpointInterval: 300, expectedDuration: duration)
        result.append(TraceJob(spec: spec, submitTime: time.rounded(), duration: duration))
    }
    return Trace(jobs: result, format: .generic)
}

/// The report's headline figures, recomputed from the schedule alone (and the trace's submit
/// times and durations), the way someone who does not trust the report would.
struct Recomputed {
    var jct: [Double] = []
    var delay: [Double] = []
    var busyGPUSeconds = 0.0
    var makespan = 0.0
    var finished = 0
    var peakGPUs = 0.0

    init(_ result: SimulationResult, trace: Trace, timeScale: Double = 1) {
        var byJob: [Int: [ScheduleStretch]] = [:]
        for stretch in result.stretches { byJob[stretch.job, default: []].append(stretch) }
        for job in trace.jobs {
            guard let stretches = byJob[job.spec.id] else { continue }
            let ran = stretches.reduce(0) { $0 + $1.end - $1.start }
            let lost = stretches.reduce(0) { $0 + $1.lostSeconds }
            guard ran - lost >= job.duration - 1e-6 else { continue }
            let end = stretches.map(\.end).max() ?? 0
            let submit = job.submitTime / timeScale
            jct.append(end - submit)
            delay.append(end - submit - ran)
            finished += 1
        }
        var events: [(Double, Double)] = []
        for stretch in result.stretches {
            busyGPUSeconds += (stretch.end - stretch.start) * stretch.gpus
            makespan = max(makespan, stretch.end)
            events.append((stretch.start, stretch.gpus))
            events.append((stretch.end, -stretch.gpus))
        }
        // Ends before starts at the same instant.
        events.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var level = 0.0
        for (_, change) in events {
            level += change
            peakGPUs = max(peakGPUs, level)
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let position = p / 100 * Double(sorted.count - 1)
        let low = Int(position)
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}

func close(_ a: Double, _ b: Double, relative: Double = 1e-9) -> Bool {
    abs(a - b) <= relative * max(1, abs(a), abs(b))
}

extension JobSpec {
    /// A whole-GPU job with only what a test cares about.
    static func gpus(_ id: Int, _ gpus: Int, team: String = "t", priority: Int = 0, workers: Int? = nil, duration: Double? = nil) -> JobSpec {
        JobSpec(id: id, team: team, gpus: gpus, workers: workers, priority: priority, expectedDuration: duration)
    }
}

extension Array where Element == SchedulingDecision {
    var startedJobs: [Int] {
        compactMap { if case .started(let job, _, _) = $0 { job } else { nil } }
    }
    var preemptedJobs: [Int] {
        compactMap { if case .preempted(let job, _, _) = $0 { job } else { nil } }
    }
}
