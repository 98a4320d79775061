public import CoreMetrics
import Metrics

/// Emits drift results through swift-metrics, so a service that bootstraps a metrics backend
/// (swift-prometheus, say) exports them with its other metrics.
///
/// Per column (dimensions `column`, `method`): gauges `<prefix>_score` (the statistic),
/// `<prefix>_p_value` (tests only), `<prefix>_p_value_adjusted` (under the bh and bonferroni
/// dataset rules), `<prefix>_effect_size`, `<prefix>_column_drifted` and
/// `<prefix>_column_tested` (0 or 1), and a counter `<prefix>_alarms_total` raised each time
/// the column drifts. A column that could not be compared records NaN scores and 0 for
/// drifted, so no stale value keeps an alert firing. Per
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
        for column in report.columns {
            let labels = dimensions + [("column", column.name), ("method", column.method?.rawValue ?? "none")]
            // A column that could not be compared this time must not keep its last values.
            let tested = column.status != .notTested
            gauge("score", labels).record(tested ? column.statistic ?? .nan : .nan)
            gauge("p_value", labels).record(tested ? column.pValue ?? .nan : .nan)
            gauge("p_value_adjusted", labels).record(tested ? column.adjustedPValue ?? .nan : .nan)
            gauge("effect_size", labels).record(tested ? column.effectSize ?? .nan : .nan)
            gauge("column_drifted", labels).record(column.drifted ? 1 : 0)
            gauge("column_tested", labels).record(tested ? 1 : 0)
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
