import Foundation

/// An operational limit the candidate must stay within, checked at every look before the
/// statistical test: breaking one rolls back at once, whatever the test says.
///
/// The metric is named as text so a policy file can hold it: `error_rate`, `fallback_rate`,
/// a latency quantile `latency_p50`, `latency_p90`, `latency_p95`, `latency_p99` or
/// `latency_p999` (seconds), or `mean:NAME` for a recorded outcome metric. A limit is absolute
/// (``maximum``), relative to the control (``maximumIncrease``: 0.2 is "at most 20% above the
/// control"), or both.
public struct Guardrail: Sendable, Hashable, Codable {
    /// The metric, as text (see the type's description).
    public let metric: String
    /// The largest value the candidate may show.
    public let maximum: Double?
    /// The largest increase over the control the candidate may show, as a fraction of the control's value.
    public let maximumIncrease: Double?

    enum CodingKeys: String, CodingKey {
        case metric, maximum, maximumIncrease = "maximum_increase"
    }

    /// A guardrail on `metric`.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` for an unknown metric, no limit, or a negative one.
    public init(metric: String, maximum: Double? = nil, maximumIncrease: Double? = nil) throws(RolloutError) {
        self.metric = metric
        self.maximum = maximum
        self.maximumIncrease = maximumIncrease
        try validate()
    }

    /// The metric this guardrail reads.
    public enum Metric: Sendable, Hashable {
        case errorRate, fallbackRate
        case latencyQuantile(Double)
        case outcomeMean(String)
    }

    /// The parsed metric.
    public var parsedMetric: Metric? {
        switch metric {
        case "error_rate": return .errorRate
        case "fallback_rate": return .fallbackRate
        case "latency_p50": return .latencyQuantile(0.5)
        case "latency_p90": return .latencyQuantile(0.9)
        case "latency_p95": return .latencyQuantile(0.95)
        case "latency_p99": return .latencyQuantile(0.99)
        case "latency_p999": return .latencyQuantile(0.999)
        default:
            if metric.hasPrefix("mean:"), metric.count > 5 { return .outcomeMean(String(metric.dropFirst(5))) }
            return nil
        }
    }

    func validate() throws(RolloutError) {
        guard parsedMetric != nil else {
            throw RolloutError(
                .invalidPolicy, "The guardrail metric '\(metric)' is not known", location: "guardrails",
                fix: "use error_rate, fallback_rate, latency_p50/p90/p95/p99/p999 or mean:NAME.")
        }
        guard maximum != nil || maximumIncrease != nil else {
            throw RolloutError(.invalidPolicy, "The guardrail on \(metric) sets no limit", location: "guardrails", fix: "give maximum, maximum_increase or both.")
        }
        for limit in [maximum, maximumIncrease].compactMap({ $0 }) where !(limit >= 0 && limit.isFinite) {
            throw RolloutError(.invalidPolicy, "The guardrail on \(metric) has the limit \(limit), which is not a number ≥ 0", location: "guardrails", fix: "give 0 or more.")
        }
    }

    /// The reason this guardrail is broken by `candidate` against `control`, or nil when it holds.
    public func breach(candidate: Double, control: Double?) -> String? {
        if let maximum, candidate > maximum {
            return "\(metric) of the candidate is \(Self.format(candidate)), above the limit \(Self.format(maximum))"
        }
        if let maximumIncrease, let control, control > 0, candidate > control * (1 + maximumIncrease) {
            return "\(metric) of the candidate is \(Self.format(candidate)) against the control's \(Self.format(control)), more than \(Self.format(maximumIncrease * 100))% higher"
        }
        return nil
    }

    static func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : String(value)
    }
}
