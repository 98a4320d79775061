public import CoreMetrics
import Metrics

/// Emits drift results through swift-metrics, so a service that bootstraps a metrics backend
/// (swift-prometheus, say) exports them with its other metrics.
///
/// Per column (dimensions `column`, `method`): gauges `<prefix>_score` (the statistic),
/// `<prefix>_p_value` (tests only), `<prefix>_effect_size` and `<prefix>_column_drifted`
/// (0 or 1), and a counter `<prefix>_alarms_total` raised each time the column drifts. Per
/// dataset: the gauge `<prefix>_dataset_drifted` and the counter `<prefix>_quality_issues_total`
/// (dimensions `check`, `severity`). Extra dimensions (a model name, a window) go on every metric.
public struct DriftMetrics: Sendable {
    /// The metric-name prefix (`mlops_drift`).
    public let prefix: String
    /// Dimensions added to every metric.
    public let dimensions: [(String, String)]
    private let factory: (any MetricsFactory)?

    /// Metrics under `prefix`, with `dimensions` on each, through the bootstrapped backend
    /// (or `factory`, for tests).
    public init(prefix: String = "mlops_drift", dimensions: [(String, String)] = [], factory: (any MetricsFactory)? = nil) {
        self.prefix = prefix
        self.dimensions = dimensions
        self.factory = factory
    }

    /// Records one report.
    public func record(_ report: DriftReport) {
        for column in report.columns where column.status != .notTested {
            let labels = dimensions + [("column", column.name), ("method", column.method?.rawValue ?? "none")]
            if let statistic = column.statistic { gauge("score", labels).record(statistic) }
            if let p = column.adjustedPValue ?? column.pValue { gauge("p_value", labels).record(p) }
            if let effect = column.effectSize { gauge("effect_size", labels).record(effect) }
            gauge("column_drifted", labels).record(column.drifted ? 1 : 0)
            if column.drifted { counter("alarms_total", labels).increment() }
        }
        gauge("dataset_drifted", dimensions).record(report.drifted ? 1 : 0)
        for issue in report.allIssues {
            counter("quality_issues_total", dimensions + [("check", issue.check.rawValue), ("severity", issue.severity.rawValue)]).increment()
        }
    }

    private func gauge(_ name: String, _ labels: [(String, String)]) -> Gauge {
        if let factory { return Gauge(label: "\(prefix)_\(name)", dimensions: labels, factory: factory) }
        return Gauge(label: "\(prefix)_\(name)", dimensions: labels)
    }

    private func counter(_ name: String, _ labels: [(String, String)]) -> Counter {
        if let factory { return Counter(label: "\(prefix)_\(name)", dimensions: labels, factory: factory) }
        return Counter(label: "\(prefix)_\(name)", dimensions: labels)
    }
}
