import MLOpsStorage
import Foundation

/// Reads job traces: the Philly list, the Alibaba 2023 pod list, and the generic form. The form
/// is recognised from the header.
///
/// The generic form is a CSV file whose header names at least `submit_time,duration_s,gpus,team`
/// (seconds; `gpus` whole GPUs), with any of these optional columns, in any order:
///
/// | column | meaning |
/// | --- | --- |
/// | `priority` | integer, larger first under the priority policy |
/// | `gpu_fraction` | share of one GPU in (0, 1] (with `gpus` 1) |
/// | `gang` | workers the GPUs split into, started all together |
/// | `preemptible` | `true`/`false` |
/// | `checkpoint_s` | seconds between checkpoints (`none`: never; empty: the default) |
/// | `expected_duration_s` | what the scheduler is told (`unknown`: nothing; empty: the real duration, unless durations are hidden) |
/// | `gpu_model` | models allowed, `|`-separated |
/// | `cpu_milli`, `memory_mib` | for the whole job |
/// | `node_selector` | `key=value` pairs, `;`-separated |
/// | `tolerations` | taints tolerated, `;`-separated |
/// | `colocation` | `node`, `island`, `rack` or `zone`: the whole job inside one |
///
/// Other columns are ignored. Submission times may come in any order; every time is reported
/// from the earliest.
public enum TraceReader {
    /// Reads a trace file.
    ///
    /// - Throws: ``SchedulingError/Code/invalidTrace`` naming the file, the line and the column.
    public static func read(path: String, defaults: TraceDefaults = TraceDefaults()) throws(SchedulingError) -> Trace {
        let text: String
        do {
            text = try FileIO.readText(path)
        } catch {
            throw SchedulingError(.invalidTrace, FileReadProblem.describe(path, error), location: path, fix: "give the path of a CSV trace")
        }
        return try parse(text, source: path, defaults: defaults)
    }

    /// Parses a trace from its text.
    ///
    /// - Parameters:
    ///   - text: The CSV text.
    ///   - source: What to call the input in errors.
    ///   - defaults: What rows leave unsaid.
    /// - Throws: ``SchedulingError/Code/invalidTrace`` naming the line and the column.
    public static func parse(_ text: String, source: String = "trace", defaults: TraceDefaults = TraceDefaults()) throws(SchedulingError) -> Trace {
        let csv = CSVLines(text)
        let columns = Set(csv.header)
        let format: Trace.Format
        if columns.isSuperset(of: ["timestamp", "duration", "num_gpus", "cluster"]) {
            format = .philly
        } else if columns.isSuperset(of: ["num_gpu", "gpu_milli", "creation_time", "deletion_time"]) {
            format = .alibaba
        } else if columns.isSuperset(of: ["submit_time", "duration_s", "gpus", "team"]) {
            format = .generic
        } else {
            throw SchedulingError(
                .invalidTrace, "has header \(csv.header.joined(separator: ",")), which is no known trace form",
                location: "\(source):1",
                fix: "use the Philly columns (timestamp,duration,num_gpus,gpu_time,cluster), the Alibaba pod list, or submit_time,duration_s,gpus,team[,…]")
        }
        if csv.rows.isEmpty {
            throw SchedulingError(.invalidTrace, "has no jobs", location: source, fix: "give at least one row after the header")
        }
        try csv.checkShape(source: source, code: .invalidTrace)
        var reader = RowReader(header: csv.header, source: source)
        var raw: [(submit: Double, job: TraceJob)] = []
        raw.reserveCapacity(csv.rows.count)
        // Alibaba pods still running when the trace was cut: (row, when they started running).
        var censored: [(row: Int, start: Double)] = []
        var lastEvent = -Double.infinity
        for (row, (line, fields)) in csv.rows.enumerated() {
            reader.line = line
            reader.fields = fields
            switch format {
            case .philly: raw.append(try phillyJob(row, &reader, defaults))
            case .alibaba:
                let (submit, job, start, deleted) = try alibabaJob(row, &reader, defaults)
                raw.append((submit, job))
                lastEvent = max(lastEvent, deleted ?? start)
                if deleted == nil { censored.append((row, start)) }
            case .generic: raw.append(try genericJob(row, &reader, defaults))
            }
        }
        let origin = raw.reduce(Double.infinity) { min($0, $1.submit) }
        var jobs = raw.map { entry -> TraceJob in
            var job = entry.job
            job.submitTime = entry.submit - origin
            return job
        }
        // Pods still running when the trace was cut run from when they started to its last
        // recorded event (a deletion, or a start).
        for (row, start) in censored {
            jobs[row].duration = max(0, lastEvent - start)
            if defaults.durationsKnown { jobs[row].spec.expectedDuration = jobs[row].duration }
        }
        return Trace(jobs: jobs, format: format, origin: origin)
    }

    // MARK: Forms

    private static func phillyJob(_ row: Int, _ r: inout RowReader, _ defaults: TraceDefaults) throws(SchedulingError) -> (Double, TraceJob) {
        let submit = try r.timestamp("timestamp")
        let duration = try r.seconds("duration")
        let gpus = try r.count("num_gpus", minimum: 1)
        let team = try r.text("cluster")
        let spec = JobSpec(
            id: row, team: team, gpus: gpus, preemptible: defaults.preemptible, checkpointInterval: defaults.checkpointInterval,
            expectedDuration: defaults.durationsKnown ? duration : nil)
        return (submit, TraceJob(spec: spec, submitTime: 0, duration: duration))
    }

    /// A pod, when it was created, when it started running, and when it was deleted (if it was).
    private static func alibabaJob(_ row: Int, _ r: inout RowReader, _ defaults: TraceDefaults) throws(SchedulingError) -> (
        Double, TraceJob, Double, Double?
    ) {
        let created = try r.seconds("creation_time")
        let scheduled = try r.optionalSeconds("scheduled_time")
        let deleted = try r.optionalSeconds("deletion_time")
        let gpus = try r.count("num_gpu", minimum: 0)
        var milli = try r.count("gpu_milli", minimum: 0)
        if gpus == 0 || milli == 0 { milli = 1000 }
        if milli > 1000 { throw r.fail("gpu_milli", "is \(milli), more than one GPU (1000)", "give thousandths of one GPU, at most 1000") }
        let start = scheduled ?? created
        let duration = deleted.map { max(0, $0 - start) } ?? 0
        let models = (r.optionalText("gpu_spec") ?? "").split(separator: "|").map(String.init)
        let spec = JobSpec(
            id: row, team: r.optionalText("qos") ?? "default", gpus: gpus, gpuMilli: gpus == 1 ? milli : 1000,
            cpuMilli: try r.count("cpu_milli", minimum: 0, orZero: true), memoryMiB: try r.count("memory_mib", minimum: 0, orZero: true),
            gpuModels: models, preemptible: defaults.preemptible, checkpointInterval: defaults.checkpointInterval,
            expectedDuration: defaults.durationsKnown && deleted != nil ? duration : nil)
        if gpus == 0 && spec.cpuMilli == 0 && spec.memoryMiB == 0 {
            throw r.fail("num_gpu", "is 0 and the pod asks for no CPU or memory either", "drop the row or give what it asks for")
        }
        return (created, TraceJob(spec: spec, submitTime: 0, duration: duration, name: r.optionalText("name")), start, deleted)
    }

    private static func genericJob(_ row: Int, _ r: inout RowReader, _ defaults: TraceDefaults) throws(SchedulingError) -> (Double, TraceJob) {
        let submit = try r.seconds("submit_time")
        let duration = try r.seconds("duration_s")
        let gpus = try r.count("gpus", minimum: 0)
        var spec = JobSpec(
            id: row, team: try r.text("team"), gpus: gpus, preemptible: defaults.preemptible,
            checkpointInterval: defaults.checkpointInterval, expectedDuration: defaults.durationsKnown ? duration : nil)
        if let priority = r.optionalText("priority") {
            guard let value = Int(priority) else { throw r.fail("priority", "is '\(priority)', not an integer", "give a whole number") }
            spec.priority = value
        }
        if let fraction = r.optionalText("gpu_fraction") {
            guard let value = Double(fraction), value > 0, value <= 1 else {
                throw r.fail("gpu_fraction", "is '\(fraction)', not a share in (0, 1]", "give a share of one GPU such as 0.5")
            }
            spec.gpuMilli = Int((value * 1000).rounded())
        }
        if let gang = r.optionalText("gang") {
            guard let value = Int(gang), value >= 1 else { throw r.fail("gang", "is '\(gang)', not a worker count", "give 1 or more") }
            spec.workers = value
        }
        if let text = r.optionalText("preemptible") {
            switch text.lowercased() {
            case "true", "yes", "1": spec.preemptible = true
            case "false", "no", "0": spec.preemptible = false
            default: throw r.fail("preemptible", "is '\(text)'", "give true or false")
            }
        }
        if let text = r.optionalText("checkpoint_s") {
            spec.checkpointInterval = text.lowercased() == "none" ? nil : try r.seconds("checkpoint_s")
        }
        if let text = r.optionalText("expected_duration_s") {
            spec.expectedDuration = text.lowercased() == "unknown" ? nil : try r.seconds("expected_duration_s")
        }
        if let models = r.optionalText("gpu_model") { spec.gpuModels = models.split(separator: "|").map(String.init) }
        spec.cpuMilli = try r.count("cpu_milli", minimum: 0, orZero: true)
        spec.memoryMiB = try r.count("memory_mib", minimum: 0, orZero: true)
        if let selector = r.optionalText("node_selector") {
            for pair in selector.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw r.fail("node_selector", "has '\(pair)'", "write key=value pairs separated by ;") }
                spec.nodeSelector[String(parts[0])] = String(parts[1])
            }
        }
        if let tolerations = r.optionalText("tolerations") { spec.tolerations = tolerations.split(separator: ";").map(String.init) }
        if let level = r.optionalText("colocation") {
            guard let value = TopologyLevel(rawValue: level.lowercased()) else {
                throw r.fail("colocation", "is '\(level)'", "give node, island, rack, zone or cluster")
            }
            spec.colocation = value
        }
        do {
            try spec.validate()
        } catch {
            throw SchedulingError(.invalidTrace, error.message, location: "\(r.source):\(r.line)", fix: error.fix)
        }
        return (submit, TraceJob(spec: spec, submitTime: 0, duration: duration, name: r.optionalText("name")))
    }
}

/// Reads typed fields of one row, with errors that name the line and the column.
struct RowReader {
    let columns: [String: Int]
    let source: String
    var line = 0
    var fields: [String] = []

    init(header: [String], source: String) {
        var columns: [String: Int] = [:]
        for (i, name) in header.enumerated() where columns[name] == nil { columns[name] = i }
        self.columns = columns
        self.source = source
    }

    func has(_ column: String) -> Bool { columns[column] != nil }

    func fail(_ column: String, _ message: String, _ fix: String) -> SchedulingError {
        SchedulingError(.invalidTrace, "column \(column) \(message)", location: "\(source):\(line)", fix: fix)
    }

    func optionalText(_ column: String) -> String? {
        guard let i = columns[column], i < fields.count, !fields[i].isEmpty else { return nil }
        return fields[i]
    }

    func text(_ column: String) throws(SchedulingError) -> String {
        guard let value = optionalText(column) else { throw fail(column, "is empty", "give every row a value") }
        return value
    }

    func optionalSeconds(_ column: String) throws(SchedulingError) -> Double? {
        guard let text = optionalText(column) else { return nil }
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw fail(column, "is '\(text)', not a number of seconds", "give a finite number of 0 or more")
        }
        // Beyond 10^12 s (31,700 years) a double no longer keeps a job's seconds apart from its
        // start (1e300 + 10 is 1e300): such a value is milliseconds or nanoseconds, or a typo.
        guard value <= Self.largestSeconds else {
            throw fail(column, "is '\(text)' seconds, beyond 10^12 (31,700 years)", "give seconds (not milliseconds or nanoseconds)")
        }
        return value
    }

    /// The largest number of seconds a trace may give (``optionalSeconds(_:)``).
    static let largestSeconds = 1e12

    func seconds(_ column: String) throws(SchedulingError) -> Double {
        guard let value = try optionalSeconds(column) else { throw fail(column, "is empty", "give a number of seconds") }
        return value
    }

    func count(_ column: String, minimum: Int, orZero: Bool = false) throws(SchedulingError) -> Int {
        guard let text = optionalText(column) else {
            if orZero { return 0 }
            throw fail(column, "is empty", "give a whole number")
        }
        let value: Int? = Int(text) ?? Double(text).flatMap { $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil }
        guard let value, value >= minimum else {
            throw fail(column, "is '\(text)', not a whole number of at least \(minimum)", "give a whole number of \(minimum) or more")
        }
        return value
    }

    /// `YYYY-MM-DD HH:MM:SS` (UTC) as Unix seconds.
    func timestamp(_ column: String) throws(SchedulingError) -> Double {
        let text = try self.text(column)
        let digits = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard i < digits.count, digits[i] >= 48, digits[i] <= 57 else { return nil }
                value = value * 10 + Int(digits[i] - 48)
            }
            return value
        }
        guard digits.count == 19, digits[4] == 45, digits[7] == 45, digits[10] == 32 || digits[10] == 84, digits[13] == 58,
            digits[16] == 58, let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let minute = number(14..<16), let s = number(17..<19), (1...12).contains(m), (1...31).contains(d), h < 24, minute < 60, s < 61
        else {
            throw fail(column, "is '\(text)', not a time like 2017-10-09 07:01:55", "write times as YYYY-MM-DD HH:MM:SS (UTC)")
        }
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + h * 3600 + minute * 60 + s)
    }
}
