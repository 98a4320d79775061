/// The built-in policies by their command-line names.
public enum PolicyName: String, Sendable, Hashable, Codable, CaseIterable {
    /// ``FIFOPolicy``.
    case fifo
    /// ``PriorityPolicy``.
    case priority
    /// ``DominantResourceFairnessPolicy``.
    case drf
    /// ``LeastAttainedServicePolicy``.
    case las
    /// ``ShortestJobFirstPolicy``.
    case sjf

    /// The policy.
    public var policy: any SchedulingPolicy {
        switch self {
        case .fifo: FIFOPolicy()
        case .priority: PriorityPolicy()
        case .drf: DominantResourceFairnessPolicy()
        case .las: LeastAttainedServicePolicy()
        case .sjf: ShortestJobFirstPolicy()
        }
    }
}
