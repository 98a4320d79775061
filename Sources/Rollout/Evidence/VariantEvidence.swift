public import TensorCore

/// What one variant has shown so far: requests, errors, fallbacks, latency, and its outcome metrics.
///
/// A snapshot, taken from an ``EvidenceRecorder``; mergeable, so replicas' evidence adds up.
public struct VariantEvidence: Sendable {
    /// Requests served.
    public internal(set) var requests: Int = 0
    /// Requests that failed.
    public internal(set) var errors: Int = 0
    /// Requests answered with a fallback (a default score, the champion's answer): a service that
    /// returns HTTP 200 with a fallback must still show it here.
    public internal(set) var fallbacks: Int = 0
    /// Latency in seconds, sketched (KLL: rank error about 1.3% at the default size).
    public internal(set) var latency = KLLSketch()
    /// Each outcome metric's observations, by the recorder's metric index.
    public internal(set) var outcomes: [ArmSummary]

    init(metrics: Int) { outcomes = [ArmSummary](repeating: ArmSummary(), count: metrics) }

    /// The share of requests that failed (0 without requests).
    public var errorRate: Double { requests > 0 ? Double(errors) / Double(requests) : 0 }
    /// The share of requests answered with a fallback.
    public var fallbackRate: Double { requests > 0 ? Double(fallbacks) / Double(requests) : 0 }

    /// The latency quantile `q`, in seconds (nil without requests).
    public func latencyQuantile(_ q: Double) -> Double? { try? latency.quantile(q) }

    /// The value of a guardrail's metric (nil when there is none yet); `metrics` names the outcome
    /// metrics in index order.
    public func value(of metric: Guardrail.Metric, metrics: [String]) -> Double? {
        switch metric {
        case .errorRate: return errorRate
        case .fallbackRate: return fallbackRate
        case .latencyQuantile(let q): return latencyQuantile(q)
        case .outcomeMean(let name):
            guard let i = metrics.firstIndex(of: name), outcomes[i].count > 0 else { return nil }
            return outcomes[i].mean
        }
    }

    /// Adds another replica's or period's evidence.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` when the two track different numbers of metrics.
    public mutating func merge(_ other: VariantEvidence) throws(RolloutError) {
        guard other.outcomes.count == outcomes.count else {
            throw RolloutError(.invalidPolicy, "Evidence with \(other.outcomes.count) metrics cannot merge into evidence with \(outcomes.count)", fix: "merge evidence of the same rollout.")
        }
        requests += other.requests
        errors += other.errors
        fallbacks += other.fallbacks
        do {
            try latency.merge(other.latency)
        } catch {
            throw RolloutError(.invalidPolicy, "The latency sketches cannot merge: \(error)", fix: "merge evidence recorded with the same sketch size.")
        }
        for i in outcomes.indices { outcomes[i].merge(other.outcomes[i]) }
    }
}
