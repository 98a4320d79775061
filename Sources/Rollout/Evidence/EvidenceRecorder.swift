import Synchronization
import TensorCore

/// Records, in the serving process, what each variant does: latency, errors, fallbacks and
/// outcome metrics, including outcomes that arrive later (a conversion an hour after the
/// request) joined back to their request by id.
///
/// Each variant has its own lock, so requests to different variants never contend, and
/// recording takes no allocation in the steady state. Metric names are resolved to indices
/// once (``metric(_:)``), not per request.
///
/// ```swift
/// let recorder = try EvidenceRecorder(variants: ["control", "candidate"], metrics: ["converted"])
/// let converted = try recorder.metric("converted")
/// recorder.recordRequest(variant: 1, latency: 0.012)
/// recorder.expectOutcome(requestID: "r-17", variant: 1)
/// // … later, when the outcome arrives:
/// recorder.recordOutcome(requestID: "r-17", metric: converted, value: 1)
/// ```
public final class EvidenceRecorder: Sendable {
    /// The variants, in index order (the router's).
    public let variants: [String]
    /// The outcome metrics, in index order.
    public let metrics: [String]
    /// The most outcomes awaited at once; past it, new expectations are dropped and counted.
    public let pendingCapacity: Int

    private let perVariant: [Slot]

    /// One variant's evidence behind its own lock (a class: a `Mutex` cannot sit in an array).
    final class Slot: Sendable {
        let evidence: Mutex<VariantEvidence>
        init(metrics: Int) { evidence = Mutex(VariantEvidence(metrics: metrics)) }
        func withLock<T>(_ body: (inout VariantEvidence) -> T) -> T { evidence.withLock { body(&$0) } }
    }
    private let pending: Mutex<PendingOutcomes>

    struct PendingOutcomes {
        var byRequest: [String: (variant: Int, covariate: Double, since: Double)] = [:]
        var dropped = 0
        var unmatched = 0
        var expired = 0
    }

    /// A recorder for these variants and outcome metrics.
    ///
    /// - Throws: ``RolloutError/Code/invalidWeights`` for no variants or repeated names;
    ///   ``RolloutError/Code/invalidPolicy`` for a repeated metric or a capacity below 1.
    public init(variants: [String], metrics: [String] = [], pendingCapacity: Int = 1_000_000) throws(RolloutError) {
        guard !variants.isEmpty, Set(variants).count == variants.count else {
            throw RolloutError(.invalidWeights, "The recorder needs distinct variant names; got \(variants)", fix: "pass the router's variants.")
        }
        guard Set(metrics).count == metrics.count, !metrics.contains("") else {
            throw RolloutError(.invalidPolicy, "The metric names \(metrics) are empty or repeated", fix: "name each metric once.")
        }
        guard pendingCapacity >= 1 else {
            throw RolloutError(.invalidPolicy, "A pending-outcome capacity of \(pendingCapacity) holds nothing", fix: "give 1 or more.")
        }
        self.variants = variants
        self.metrics = metrics
        self.pendingCapacity = pendingCapacity
        perVariant = variants.map { _ in Slot(metrics: metrics.count) }
        pending = Mutex(PendingOutcomes())
    }

    /// The index of metric `name`, resolved once at configuration time.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` for a metric the recorder does not track.
    public func metric(_ name: String) throws(RolloutError) -> Int {
        guard let index = metrics.firstIndex(of: name) else {
            throw RolloutError(.invalidPolicy, "The recorder does not track the metric '\(name)' (it tracks \(metrics.joined(separator: ", ")))", fix: "create the recorder with it.")
        }
        return index
    }

    /// The index of variant `name`.
    ///
    /// - Throws: ``RolloutError/Code/unknownVariant``.
    public func variant(_ name: String) throws(RolloutError) -> Int {
        guard let index = variants.firstIndex(of: name) else {
            throw RolloutError(.unknownVariant, "'\(name)' is not one of \(variants.joined(separator: ", "))", fix: "name a variant of the rollout.")
        }
        return index
    }

    /// Records one served request. An out-of-range variant index is ignored (routers only give valid ones).
    public func recordRequest(variant: Int, latency: Double, error: Bool = false, fallback: Bool = false) {
        guard perVariant.indices.contains(variant) else { return }
        perVariant[variant].withLock { evidence in
            evidence.requests += 1
            if error { evidence.errors += 1 }
            if fallback { evidence.fallbacks += 1 }
            if latency.isFinite { evidence.latency.update(latency) }
        }
    }

    /// Records an outcome known at request time (or already joined).
    public func recordOutcome(variant: Int, metric: Int, value: Double, covariate: Double = 0) {
        guard perVariant.indices.contains(variant), metrics.indices.contains(metric), value.isFinite else { return }
        perVariant[variant].withLock { $0.outcomes[metric].add(value, covariate: covariate) }
    }

    /// Notes that request `requestID`, served by `variant`, will have an outcome later.
    ///
    /// - Parameters:
    ///   - requestID: The request's id, as the outcome will carry it.
    ///   - variant: The variant that served it.
    ///   - covariate: The unit's pre-exposure value of the metric, for CUPED.
    ///   - now: The time in seconds (any epoch), for ``expireOutcomes(olderThan:value:metric:)``.
    public func expectOutcome(requestID: String, variant: Int, covariate: Double = 0, now: Double = 0) {
        guard perVariant.indices.contains(variant) else { return }
        pending.withLock { pending in
            if pending.byRequest.count >= pendingCapacity && pending.byRequest[requestID] == nil {
                pending.dropped += 1
            } else {
                pending.byRequest[requestID] = (variant, covariate, now)
            }
        }
    }

    /// Joins a delayed outcome to its request and records it; an id never expected (or already
    /// joined, or expired) is counted as unmatched and changes nothing.
    ///
    /// - Returns: Whether the outcome was joined.
    @discardableResult
    public func recordOutcome(requestID: String, metric: Int, value: Double) -> Bool {
        let found = pending.withLock { pending in
            let entry = pending.byRequest.removeValue(forKey: requestID)
            if entry == nil { pending.unmatched += 1 }
            return entry
        }
        guard let found else { return false }
        recordOutcome(variant: found.variant, metric: metric, value: value, covariate: found.covariate)
        return true
    }

    /// Closes the attribution window: requests expected before `cutoff` without an outcome get
    /// `value` (0 for "did not convert") for `metric`, or are dropped when `value` is nil.
    ///
    /// - Returns: How many were closed.
    @discardableResult
    public func expireOutcomes(olderThan cutoff: Double, value: Double?, metric: Int) -> Int {
        let expired = pending.withLock { pending in
            let old = pending.byRequest.filter { $0.value.since < cutoff }
            for key in old.keys { pending.byRequest.removeValue(forKey: key) }
            pending.expired += old.count
            return Array(old.values)
        }
        if let value {
            for entry in expired { recordOutcome(variant: entry.variant, metric: metric, value: value, covariate: entry.covariate) }
        }
        return expired.count
    }

    /// Counts of the delayed-outcome join.
    public struct JoinCounts: Sendable, Hashable, Codable {
        /// Outcomes still awaited.
        public let pending: Int
        /// Expectations dropped because the table was full.
        public let dropped: Int
        /// Outcomes whose request was unknown.
        public let unmatched: Int
        /// Expectations closed by ``expireOutcomes(olderThan:value:metric:)``.
        public let expired: Int
    }

    /// The join's counts now.
    public var joinCounts: JoinCounts {
        pending.withLock { JoinCounts(pending: $0.byRequest.count, dropped: $0.dropped, unmatched: $0.unmatched, expired: $0.expired) }
    }

    /// A snapshot of one variant's evidence.
    public func evidence(variant: Int) -> VariantEvidence? {
        guard perVariant.indices.contains(variant) else { return nil }
        return perVariant[variant].withLock { $0 }
    }

    /// A snapshot of every variant's evidence, in index order.
    public func snapshot() -> [VariantEvidence] { perVariant.map { $0.withLock { $0 } } }

    /// The first guardrail of `policy` the `candidate` breaks, as a reason; nil when all hold.
    ///
    /// With a `control`, relative limits compare against it and both variants need
    /// ``AnalysisPolicy/minimumSamples`` requests; without one (a blue-green switch, where no
    /// traffic stays on the control) only absolute limits are judged, once the candidate has them.
    public func guardrailBreach(_ policy: AnalysisPolicy, control: Int?, candidate: Int) -> String? {
        guard let t = evidence(variant: candidate), t.requests >= policy.minimumSamples else { return nil }
        let c = control.flatMap { evidence(variant: $0) }
        if control != nil {
            guard let c, c.requests >= policy.minimumSamples else { return nil }
        }
        for guardrail in policy.guardrails {
            guard let metric = guardrail.parsedMetric, let value = t.value(of: metric, metrics: metrics) else { continue }
            if let breach = guardrail.breach(candidate: value, control: c?.value(of: metric, metrics: metrics)) { return breach }
        }
        return nil
    }
}
