import Foundation
import Synchronization
import TensorCore

/// A multi-armed bandit that moves traffic toward the arm with the best reward while it learns,
/// with sticky assignment: a unit, once assigned, keeps its arm (the arm a user saw stays the
/// arm they see, so their experience and their outcomes stay consistent).
///
/// Algorithms: Thompson sampling on Beta posteriors (rewards in [0, 1], counted fractionally;
/// Chapelle and Li, "An Empirical Evaluation of Thompson Sampling", NIPS 2011), ε-greedy, and
/// UCB1 (Auer, Cesa-Bianchi and Fischer, 2002). Only a unit's first request consults the
/// algorithm; later ones read its remembered arm. The memory of assignments is the process's:
/// ``assignments()`` exports it and ``init(arms:algorithm:seed:restoring:)`` restores it, so a
/// replica that restarts keeps units on their arms.
public final class BanditRouter: Sendable {
    /// How a new unit's arm is chosen.
    public enum Algorithm: Sendable, Hashable, Codable {
        /// Sample each arm's Beta(1 + successes, 1 + failures) posterior; take the largest.
        case thompsonSampling
        /// With probability ε a uniformly random arm, else the best mean so far.
        case epsilonGreedy(epsilon: Double)
        /// The arm with the largest mean + sqrt(2 ln N / n) (each arm tried once first).
        case ucb1
    }

    /// The arms.
    public let arms: [String]
    /// The algorithm.
    public let algorithm: Algorithm

    struct State {
        var sticky: [String: Int]
        /// Units assigned to each arm (rewards may arrive much later).
        var assigned: [Int]
        var pulls: [Double]
        var rewards: [Double]
        var random: Xoshiro256StarStar
    }

    private let state: Mutex<State>

    /// A bandit over `arms`.
    ///
    /// - Throws: ``RolloutError/Code/invalidWeights`` for fewer than two arms or repeated names;
    ///   ``RolloutError/Code/invalidPolicy`` for ε outside [0, 1]; ``RolloutError/Code/unknownVariant``
    ///   when a restored assignment names an arm not in `arms`.
    public init(arms: [String], algorithm: Algorithm, seed: UInt64 = 0, restoring assignments: [String: String] = [:]) throws(RolloutError) {
        guard arms.count >= 2, Set(arms).count == arms.count else {
            throw RolloutError(.invalidWeights, "A bandit needs two or more distinct arms; got \(arms)", fix: "name each arm once.")
        }
        for arm in arms { try TrafficWeights.validateName(arm) }
        if case .epsilonGreedy(let epsilon) = algorithm, !(epsilon >= 0 && epsilon <= 1) {
            throw RolloutError(.invalidPolicy, "ε = \(epsilon) is not a probability", location: "epsilon", fix: "give ε between 0 and 1, such as 0.1.")
        }
        var sticky: [String: Int] = [:]
        for (unit, arm) in assignments {
            guard let index = arms.firstIndex(of: arm) else {
                throw RolloutError(.unknownVariant, "The restored assignment of '\(unit)' names the arm '\(arm)', which is not one of \(arms.joined(separator: ", "))", location: unit)
            }
            guard !unit.isEmpty else { throw RolloutError(.emptyUnitKey, "A restored assignment has an empty unit key", fix: "drop it.") }
            sticky[unit] = index
        }
        self.arms = arms
        self.algorithm = algorithm
        var assigned = [Int](repeating: 0, count: arms.count)
        for arm in sticky.values { assigned[arm] += 1 }
        state = Mutex(State(
            sticky: sticky, assigned: assigned, pulls: Array(repeating: 0, count: arms.count), rewards: Array(repeating: 0, count: arms.count),
            random: Xoshiro256StarStar(seed: seed)))
    }

    /// The arm (an index into ``arms``) for `unit`: its remembered arm, or a new choice that is then remembered.
    /// An empty key is never remembered and gets the first arm.
    public func arm(for unit: String) -> Int {
        if unit.isEmpty { return 0 }
        return state.withLock { state in
            if let arm = state.sticky[unit] { return arm }
            let arm = Self.choose(algorithm, &state)
            state.sticky[unit] = arm
            state.assigned[arm] += 1
            return arm
        }
    }

    /// Records a reward in [0, 1] (clamped) for `arm`.
    public func recordReward(arm: Int, reward: Double) {
        guard arms.indices.contains(arm), reward.isFinite else { return }
        let r = min(1, max(0, reward))
        state.withLock { state in
            state.pulls[arm] += 1
            state.rewards[arm] += r
        }
    }

    /// Each arm's mean reward so far (nil before its first reward).
    public var means: [Double?] {
        state.withLock { s in zip(s.pulls, s.rewards).map { $0 > 0 ? $1 / $0 : nil } }
    }

    /// Units remembered so far.
    public var stickyUnits: Int { state.withLock { $0.sticky.count } }

    /// Every remembered assignment, unit to arm name (to persist across restarts).
    public func assignments() -> [String: String] {
        state.withLock { s in s.sticky.mapValues { arms[$0] } }
    }

    static func choose(_ algorithm: Algorithm, _ state: inout State) -> Int {
        let n = state.pulls.count
        switch algorithm {
        case .thompsonSampling:
            var best = 0, bestDraw = -1.0
            for arm in 0..<n {
                let draw = (try? state.random.nextBeta(alpha: 1 + state.rewards[arm], beta: 1 + state.pulls[arm] - state.rewards[arm])) ?? 0.5
                if draw > bestDraw { (best, bestDraw) = (arm, draw) }
            }
            return best
        case .epsilonGreedy(let epsilon):
            if state.random.nextUniform() < epsilon { return (try? state.random.nextInt(below: n)) ?? 0 }
            return bestMean(state)
        case .ucb1:
            if let untried = untriedArm(state) { return untried }
            let total = state.pulls.reduce(0, +)
            var best = 0, bestScore = -Double.infinity
            for arm in 0..<n {
                let score = state.rewards[arm] / state.pulls[arm] + (2 * log(total) / state.pulls[arm]).squareRoot()
                if score > bestScore { (best, bestScore) = (arm, score) }
            }
            return best
        }
    }

    /// Among arms without a reward yet, the one with the fewest units: while rewards are
    /// delayed, new units spread over the untried arms instead of piling onto the first.
    static func untriedArm(_ state: State) -> Int? {
        state.pulls.indices.filter { state.pulls[$0] == 0 }.min { state.assigned[$0] < state.assigned[$1] }
    }

    static func bestMean(_ state: State) -> Int {
        if let untried = untriedArm(state) { return untried }
        var best = 0, bestMean = -Double.infinity
        for arm in state.pulls.indices {
            let mean = state.rewards[arm] / state.pulls[arm]
            if mean > bestMean { (best, bestMean) = (arm, mean) }
        }
        return best
    }
}
