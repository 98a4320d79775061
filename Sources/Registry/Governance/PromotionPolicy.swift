public import MLOpsStorage

/// What a version must show before an alias may point at it, for one alias and risk class.
/// The store enforces it on every promotion; a refused promotion lists every rule it broke.
///
/// ```swift
/// let policy = PromotionPolicy(
///     alias: "production", riskClass: .high,
///     metricMinimums: [MetricRule(metric: "auc", value: 0.9)],
///     marginsOverHolder: [MetricRule(metric: "f1", value: 0.01)],   // F1 at least 1 % above the holder
///     requireReproducibleLineage: true, requireCompleteCard: true,
///     requiredApprovals: 2)                                          // never by the version's author
/// ```
public struct PromotionPolicy: Sendable, Hashable, Codable {
    /// A rule on one metric.
    public struct MetricRule: Sendable, Hashable, Codable {
        /// The metric's name in the version's ``ModelVersion/metrics``.
        public var metric: String
        /// The bound: an absolute minimum (or maximum) for ``PromotionPolicy/metricMinimums``; a
        /// relative margin (0.01 = 1 %) for ``PromotionPolicy/marginsOverHolder``.
        public var value: Double
        /// Whether smaller is better (a loss): the bound is then a maximum, and the margin must
        /// be below the holder.
        public var lowerIsBetter: Bool

        enum CodingKeys: String, CodingKey {
            case metric, value
            case lowerIsBetter = "lower_is_better"
        }

        /// Creates a rule.
        public init(metric: String, value: Double, lowerIsBetter: Bool = false) {
            self.metric = metric
            self.value = value
            self.lowerIsBetter = lowerIsBetter
        }
    }

    /// The alias the policy guards.
    public var alias: String
    /// The risk class it applies to; nil for models of any class without a policy of their own.
    @ExplicitNull public var riskClass: RiskClass?
    /// Each metric must reach its value (or stay below it when lower is better).
    public var metricMinimums: [MetricRule]
    /// Each metric must beat the alias's current holder by the relative margin.
    public var marginsOverHolder: [MetricRule]
    /// The version's Lineage run must be complete enough to reproduce (finished, inputs and
    /// outputs by digest, a clean commit, seeds, environment).
    public var requireReproducibleLineage: Bool
    /// The model card must fill every field its risk class requires.
    public var requireCompleteCard: Bool
    /// How many valid signed approvals the promotion needs, by distinct principals holding
    /// ``approverRole``, never the version's author.
    public var requiredApprovals: Int
    /// The role approvers must hold (``Role/approve``).
    public var approverRole: Role

    enum CodingKeys: String, CodingKey {
        case alias
        case riskClass = "risk_class", metricMinimums = "metric_minimums", marginsOverHolder = "margins_over_holder"
        case requireReproducibleLineage = "require_reproducible_lineage", requireCompleteCard = "require_complete_card"
        case requiredApprovals = "required_approvals", approverRole = "approver_role"
    }

    /// Creates a policy.
    public init(
        alias: String, riskClass: RiskClass? = nil, metricMinimums: [MetricRule] = [], marginsOverHolder: [MetricRule] = [],
        requireReproducibleLineage: Bool = false, requireCompleteCard: Bool = false, requiredApprovals: Int = 0,
        approverRole: Role = .approve
    ) {
        self.alias = alias
        self.riskClass = riskClass
        self.metricMinimums = metricMinimums
        self.marginsOverHolder = marginsOverHolder
        self.requireReproducibleLineage = requireReproducibleLineage
        self.requireCompleteCard = requireCompleteCard
        self.requiredApprovals = requiredApprovals
        self.approverRole = approverRole
    }

    /// The SHA-256 of the policy's canonical JSON: approvals sign it, so an approval given under
    /// one policy does not count under another.
    public func hash() throws -> Digest {
        Digest(of: try RegistryCoding.canonicalJSON(self))
    }
}

/// One promotion rule a version broke, and how.
public struct PolicyFailure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The rule (`metric_minimum`, `margin_over_holder`, `reproducible_lineage`, `complete_card`,
    /// `approvals`, `status`).
    public var rule: String
    /// What was found, as a sentence.
    public var message: String

    /// Creates a failure.
    public init(rule: String, message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(rule): \(message)" }
}
