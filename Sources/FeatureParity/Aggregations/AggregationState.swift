/// One entity's window: the events or buckets a ``WindowedAggregation`` needs, updated as events
/// arrive in time order. The one piece of code both the offline backfill and the online path run.
struct AggregationState: Sendable {
    struct Bucket: Sendable {
        var id: Int64
        var count = 0
        var present = 0
        var sum = 0.0
        var minimum = Double.infinity
        var maximum = -Double.infinity
        var distinct: Set<Double> = []
        var recent: [Double] = []
    }

    let spec: WindowedAggregation
    /// Exact windows: the events still inside, oldest first.
    private var events: [(time: Int64, value: Double)] = []
    private var head = 0
    /// Bucketed windows: the buckets still inside, oldest first.
    private var buckets: [Bucket] = []
    /// The latest time seen.
    private(set) var latest = Int64.min

    init(_ spec: WindowedAggregation) { self.spec = spec }

    /// Adds an event (NaN value: counted, not aggregated) and returns the value as of it.
    /// An event older than the latest one seen is aggregated as if it came at the latest time.
    mutating func add(time: Int64, value: Double) -> Double? {
        let t = Swift.max(time, latest)
        latest = t
        if spec.step == 0 {
            events.append((t, value))
            evictEvents(asOf: t)
        } else {
            let id = Self.bucket(t, spec.step)
            if buckets.last?.id != id { buckets.append(Bucket(id: id)) }
            var bucket = buckets[buckets.count - 1]
            bucket.count += 1
            if !value.isNaN {
                bucket.present += 1
                bucket.sum += value
                bucket.minimum = Swift.min(bucket.minimum, value)
                bucket.maximum = Swift.max(bucket.maximum, value)
                if case .distinctCount = spec.function { bucket.distinct.insert(value) }
                if case .last(let n) = spec.function {
                    bucket.recent.append(value)
                    if bucket.recent.count > n { bucket.recent.removeFirst(bucket.recent.count - n) }
                }
            }
            buckets[buckets.count - 1] = bucket
            let oldest = id - spec.length / spec.step + 1
            if let firstInside = buckets.firstIndex(where: { $0.id >= oldest }), firstInside > 0 { buckets.removeFirst(firstInside) }
        }
        return current()
    }

    /// Bucket ⌊t / step⌋, for any t (no overflow).
    static func bucket(_ t: Int64, _ step: Int64) -> Int64 {
        let (q, r) = t.quotientAndRemainder(dividingBy: step)
        return r < 0 ? q - 1 : q
    }

    /// t − length, saturating at the smallest time.
    static func start(_ t: Int64, _ length: Int64) -> Int64 {
        let (value, overflow) = t.subtractingReportingOverflow(length)
        return overflow ? Int64.min : value
    }

    private mutating func evictEvents(asOf t: Int64) {
        let start = Self.start(t, spec.length)
        while head < events.count && events[head].time <= start { head += 1 }
        if head > 1_024 && head * 2 > events.count {
            events.removeFirst(head)
            head = 0
        }
    }

    /// The aggregate of the window as of the latest event, or as of `asOf` (a later request
    /// time: events and buckets that have left the window since are not counted).
    func current(asOf: Int64? = nil) -> Double? {
        let t = Swift.max(asOf ?? latest, latest)
        let eventStart = Self.start(t, spec.length)
        let oldestBucket = spec.step > 0 ? Self.bucket(t, spec.step) - spec.length / spec.step + 1 : 0
        var count = 0, present = 0
        var sum = 0.0, minimum = Double.infinity, maximum = -Double.infinity
        var distinct = Set<Double>()
        var recent: [Double] = []
        if spec.step == 0 {
            for i in head..<events.count where events[i].time > eventStart {
                let v = events[i].value
                count += 1
                guard !v.isNaN else { continue }
                present += 1
                sum += v
                minimum = Swift.min(minimum, v)
                maximum = Swift.max(maximum, v)
                if case .distinctCount = spec.function { distinct.insert(v) }
                if case .last = spec.function { recent.append(v) }
            }
        } else {
            for bucket in buckets where bucket.id >= oldestBucket {
                count += bucket.count
                present += bucket.present
                sum += bucket.sum
                minimum = Swift.min(minimum, bucket.minimum)
                maximum = Swift.max(maximum, bucket.maximum)
                distinct.formUnion(bucket.distinct)
                recent.append(contentsOf: bucket.recent)
            }
        }
        let any = minimum <= maximum
        switch spec.function {
        case .count: return Double(count)
        case .sum: return any ? sum : 0
        case .mean: return any ? sum / Double(present) : nil
        case .min: return any ? minimum : nil
        case .max: return any ? maximum : nil
        case .distinctCount: return Double(distinct.count)
        case .last(let n): return recent.count >= n ? recent[recent.count - n] : nil
        }
    }
}
