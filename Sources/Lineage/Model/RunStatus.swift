/// Where a run is in its life.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Started and still logging.
    case running
    /// Ended normally.
    case finished
    /// Ended with an error.
    case failed
    /// Stopped from outside.
    case killed

    /// Whether the run has ended (nothing more can be logged).
    public var isTerminal: Bool { self != .running }
}
