/// How a ``Simulator`` replays a trace.
public struct SimulationOptions: Sendable, Hashable {
    /// Jobs arrive at their submit time divided by this: 2 packs arrivals twice as densely
    /// (twice the load); durations are unchanged.
    public var timeScale: Double
    /// Check the invariants after every event (no GPU over-allocated, quotas respected, free
    /// counts consistent); a violation stops the run with
    /// ``SchedulingError/Code/invariantViolated``. On by default in debug builds.
    public var checkInvariants: Bool
    /// Slices of the utilisation timeline in the report.
    public var timelinePoints: Int

    /// Creates options.
    public init(timeScale: Double = 1, checkInvariants: Bool = _isDebugAssertConfiguration(), timelinePoints: Int = 400) {
        self.timeScale = timeScale
        self.checkInvariants = checkInvariants
        self.timelinePoints = timelinePoints
    }
}
