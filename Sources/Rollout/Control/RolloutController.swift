public import Foundation
import Synchronization

/// Runs one rollout inside a serving process: routes requests by the current step, records
/// their evidence, and at every ``evaluate(now:)`` judges it, moves to the next step, promotes or
/// rolls back, moves the registry alias accordingly, and stores the decision so every replica
/// follows.
///
/// ```swift
/// let controller = try await RolloutController.start(plan: plan, store: store, aliasControl: registryControl)
/// // per request:
/// let variant = controller.route("user-42")
/// controller.recorder.recordRequest(variant: variant, latency: 0.012)
/// controller.recorder.recordOutcome(variant: variant, metric: 0, value: converted ? 1 : 0)
/// // every minute (or run(every:)):
/// let decision = try await controller.evaluate()
/// ```
///
/// Routing reads a ``RouterHandle``: no actor hop, no allocation, no wait on a reconfiguration.
/// Evidence is this replica's; replicas share the decisions through the store (each replica's
/// controller judges its own traffic, and the first to store a decision wins: the others pick
/// it up at their next evaluation).
///
/// A blue-green plan switches all traffic to the candidate (and the alias to its version) at
/// the start, judges it on its guardrails alone for the policy's minimum samples and duration,
/// then promotes, or rolls back (switching traffic and the alias back) on a broken guardrail.
public final class RolloutController: Sendable {
    /// The rollout's name.
    public let name: String
    /// The store its state lives in.
    public let store: any RolloutStore
    /// The evidence of this replica: variants `[control, candidate]`, metrics `[plan.metric]`.
    public let recorder: EvidenceRecorder
    /// The router requests use now.
    public let routerHandle: RouterHandle
    /// The targeting rules every router of this rollout applies.
    public let rules: [TargetingRule]
    private let aliasControl: (any ModelAliasControl)?
    private let current: Mutex<RolloutState>
    private let startedAt: Double

    private init(state: RolloutState, store: any RolloutStore, aliasControl: (any ModelAliasControl)?, rules: [TargetingRule], now: Double) throws(RolloutError) {
        name = state.plan.name
        self.store = store
        self.aliasControl = aliasControl
        self.rules = rules
        recorder = try EvidenceRecorder(variants: [state.plan.control, state.plan.candidate], metrics: [state.plan.metric])
        routerHandle = RouterHandle(try state.router(rules: rules))
        current = Mutex(state)
        startedAt = now
    }

    /// Starts `plan` (or resumes it, when the store already holds a rollout of that name with the same plan).
    ///
    /// A blue-green plan moves the alias to the candidate here.
    ///
    /// - Throws: ``RolloutError/Code/stateConflict`` when the store holds a different plan under
    ///   that name; ``RolloutError/Code/unknownVariant`` for a rule naming another variant; the
    ///   store's and the registry's errors.
    public static func start(
        plan: RolloutPlan, store: any RolloutStore, aliasControl: (any ModelAliasControl)? = nil, rules: [TargetingRule] = [],
        now: Double = Date().timeIntervalSince1970
    ) async throws -> RolloutController {
        var state: RolloutState
        do {
            state = try await store.create(plan, now: now)
            if plan.strategy == .blueGreen, let target = plan.registry, let aliasControl {
                try await Self.ensureAlias(aliasControl, target, at: target.candidateVersion, reason: "rollout \(plan.name): blue-green switch to version \(target.candidateVersion)")
            }
        } catch let error as RolloutError where error.code == .stateConflict {
            let stored = try await store.state(of: plan.name)
            guard stored.plan == plan else {
                throw RolloutError(.stateConflict, "A different rollout named '\(plan.name)' is stored", location: plan.name, fix: "choose another name, or resume it with resume(name:).")
            }
            state = stored
        }
        return try RolloutController(state: state, store: store, aliasControl: aliasControl, rules: rules, now: now)
    }

    /// Resumes the stored rollout `name` (after a restart, or on another replica).
    ///
    /// - Throws: ``RolloutError/Code/rolloutNotFound``; the store's errors.
    public static func resume(
        name: String, store: any RolloutStore, aliasControl: (any ModelAliasControl)? = nil, rules: [TargetingRule] = [],
        now: Double = Date().timeIntervalSince1970
    ) async throws -> RolloutController {
        try RolloutController(state: try await store.state(of: name), store: store, aliasControl: aliasControl, rules: rules, now: now)
    }

    /// The state as this replica last saw it.
    public var state: RolloutState { current.withLock { $0 } }

    /// The index of the variant for `unit` (0: control, 1: candidate). No allocation, no wait.
    public func route(_ unit: String) -> Int { routerHandle.variantIndex(for: unit) }

    /// The index of the variant for `unit`, after the targeting rules.
    public func route(_ unit: String, attributes: [String: String]) -> Int { routerHandle.variantIndex(for: unit, attributes: attributes) }

    /// Judges the evidence now and acts on it; returns the decision recorded.
    ///
    /// Reads the stored state first, so a step another replica took (or its promotion or
    /// rollback) is followed; an ended rollout is not judged again.
    ///
    /// - Throws: the store's and the registry's errors; a lost race is not an error (the
    ///   winner's state is adopted and its last decision returned).
    @discardableResult
    public func evaluate(now: Double = Date().timeIntervalSince1970) async throws -> RolloutState.DecisionRecord? {
        var state = try await store.state(of: name)
        adopt(state)
        guard state.status == .running else { return state.decisions.last }
        let plan = state.plan
        let evidence = recorder.snapshot()
        let (control, candidate) = (evidence[0], evidence[1])
        let assigned = (control.requests - state.stepStartAssignments[0], candidate.requests - state.stepStartAssignments[1])
        var policy = plan.policy
        let share = plan.steps[state.step]
        policy.expectedSplit = [max(100 - share, 0.000_001), share]
        let analysis = try SequentialAnalysis(policy: policy)
        let breach = recorder.guardrailBreach(policy, control: 0, candidate: 1) ?? Self.absoluteBreach(policy, candidate)
        let elapsed = now - state.createdAt

        var look: RolloutLook
        if plan.strategy == .blueGreen {
            look = analysis.look(control: ArmSummary(), candidate: candidate.outcomes[0], assignments: assigned, elapsedSeconds: elapsed)
            if let breach {
                look.decision = .rollback
                look.reason = "guardrail broken: \(breach)"
            } else if candidate.requests < policy.minimumSamples || elapsed < policy.minimumDurationSeconds {
                look.decision = .hold
                look.reason = String(format: "baking: %d of %d requests and %.0f of %.0f s on the candidate, no guardrail broken", candidate.requests, policy.minimumSamples, elapsed, policy.minimumDurationSeconds)
            } else {
                look.decision = .promote
                look.reason = "the candidate served \(candidate.requests) requests for its bake time without breaking a guardrail"
            }
        } else {
            look = analysis.look(
                control: control.outcomes[0], candidate: candidate.outcomes[0], assignments: assigned, events: control.requests + candidate.requests,
                elapsedSeconds: elapsed, guardrailBreach: breach)
        }

        var action: String
        switch look.decision {
        case .promote:
            if let target = plan.registry, let aliasControl {
                try await Self.ensureAlias(aliasControl, target, at: target.candidateVersion, reason: "rollout \(plan.name) promoted: \(look.reason)")
            }
            state.status = .promoted
            action = plan.registry.map { "promoted: \($0.alias) → version \($0.candidateVersion)" } ?? "promoted"
        case .rollback:
            if let target = plan.registry, let aliasControl {
                try await Self.ensureAlias(aliasControl, target, at: target.controlVersion, reason: "rollout \(plan.name) rolled back: \(look.reason)")
            }
            state.status = .rolledBack
            action = plan.registry.map { "rolled back: \($0.alias) stays on version \($0.controlVersion)" } ?? "rolled back"
        case .continue where state.step + 1 < plan.steps.count && now - state.stepStartedAt >= plan.minimumStepSeconds:
            state.step += 1
            state.stepStartAssignments = [control.requests, candidate.requests]
            state.stepStartedAt = now
            action = "advanced to step \(state.step + 1) (\(TrafficWeights.format(plan.steps[state.step]))% to the candidate)"
        case .continue where state.step + 1 < plan.steps.count:
            action = String(format: "baking step %d: %.0f of %.0f s", state.step + 1, now - state.stepStartedAt, plan.minimumStepSeconds)
        case .continue:
            action = "continued at the last step"
        case .hold:
            action = "held at step \(state.step + 1)"
        }
        state.decisions.append(RolloutState.DecisionRecord(time: now, step: state.step, look: look, action: action))
        do {
            state = try await store.update(state, now: now)
        } catch let error as RolloutError where error.code == .stateConflict || error.code == .rolloutEnded {
            // Another replica decided first: follow it.
            state = try await store.state(of: name)
        }
        adopt(state)
        return state.decisions.last
    }

    /// Evaluates every `interval` until the rollout ends or the task is cancelled.
    ///
    /// - Throws: what ``evaluate(now:)`` throws.
    public func run(every interval: Duration) async throws {
        while !Task.isCancelled {
            try await evaluate()
            if state.status != .running { return }
            try? await Task.sleep(for: interval)
        }
    }

    /// Makes `state` this replica's, publishing its router when the split changed.
    private func adopt(_ state: RolloutState) {
        let changed = current.withLock { old in
            defer { old = state }
            return old.status != state.status || old.step != state.step
        }
        if changed, let router = try? state.router(rules: rules) { routerHandle.publish(router) }
    }

    /// A guardrail with an absolute limit, judged on the candidate alone (blue-green has no control traffic).
    static func absoluteBreach(_ policy: AnalysisPolicy, _ candidate: VariantEvidence) -> String? {
        guard candidate.requests >= policy.minimumSamples else { return nil }
        for guardrail in policy.guardrails where guardrail.maximum != nil {
            let value: Double?
            switch guardrail.parsedMetric {
            case .errorRate?: value = candidate.errorRate
            case .fallbackRate?: value = candidate.fallbackRate
            case .latencyQuantile(let q)?: value = candidate.latencyQuantile(q)
            default: value = nil
            }
            if let value, let breach = guardrail.breach(candidate: value, control: nil) { return breach }
        }
        return nil
    }

    /// Points the target's alias at `version`, from wherever it is; nothing when it is already there.
    static func ensureAlias(_ control: any ModelAliasControl, _ target: RolloutPlan.RegistryTarget, at version: Int, reason: String) async throws {
        let current = try await control.version(of: target.model, alias: target.alias)
        guard current != version else { return }
        try await control.move(target.model, alias: target.alias, to: version, expecting: current, reason: reason)
    }
}
