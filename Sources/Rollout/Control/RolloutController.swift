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
    /// This replica's request counts (control, candidate) when it adopted the current step: the
    /// sample-ratio check and the step's minimum judge this replica's traffic since then.
    private let stepBaseline: Mutex<[Int]>

    private init(state: RolloutState, store: any RolloutStore, aliasControl: (any ModelAliasControl)?, rules: [TargetingRule], now: Double) throws(RolloutError) {
        name = state.plan.name
        self.store = store
        self.aliasControl = aliasControl
        self.rules = rules
        recorder = try EvidenceRecorder(variants: [state.plan.control, state.plan.candidate], metrics: [state.plan.metric])
        routerHandle = RouterHandle(try state.router(rules: rules))
        current = Mutex(state)
        stepBaseline = Mutex([0, 0])
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
        let state: RolloutState
        do {
            state = try await store.create(plan, now: now)
        } catch let error as RolloutError where error.code == .stateConflict {
            let stored = try await store.state(of: plan.name)
            guard stored.plan == plan else {
                throw RolloutError(.stateConflict, "A different rollout named '\(plan.name)' is stored", location: plan.name, fix: "choose another name, or resume it with resume(name:).")
            }
            state = stored
        }
        let controller = try RolloutController(state: state, store: store, aliasControl: aliasControl, rules: rules, now: now)
        // A blue-green switch moves the alias now; an ended rollout's alias is brought in line.
        try await controller.reconcileAlias(state)
        return controller
    }

    /// Resumes the stored rollout `name` (after a restart, or on another replica).
    ///
    /// - Throws: ``RolloutError/Code/rolloutNotFound``; the store's errors.
    public static func resume(
        name: String, store: any RolloutStore, aliasControl: (any ModelAliasControl)? = nil, rules: [TargetingRule] = [],
        now: Double = Date().timeIntervalSince1970
    ) async throws -> RolloutController {
        let state = try await store.state(of: name)
        let controller = try RolloutController(state: state, store: store, aliasControl: aliasControl, rules: rules, now: now)
        try await controller.reconcileAlias(state)
        return controller
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
    /// rollback) is followed; an ended rollout is not judged again, but its registry alias is
    /// brought in line with it (a move that failed before is retried).
    ///
    /// A decision is stored first (with the version check) and the alias moved after, so a
    /// replica that loses the race to store never moves the alias; a move the registry refuses
    /// throws, and the next evaluation retries it.
    ///
    /// - Throws: the store's and the registry's errors; a lost race is not an error (the
    ///   winner's state is adopted and its last decision returned).
    @discardableResult
    public func evaluate(now: Double = Date().timeIntervalSince1970) async throws -> RolloutState.DecisionRecord? {
        var state = try await store.state(of: name)
        adopt(state)
        guard state.status == .running else {
            try await reconcileAlias(state)
            return state.decisions.last
        }
        let plan = state.plan
        let evidence = recorder.snapshot()
        let (control, candidate) = (evidence[0], evidence[1])
        let baseline = stepBaseline.withLock { $0 }
        let assigned = (max(0, control.requests - baseline[0]), max(0, candidate.requests - baseline[1]))
        var policy = plan.policy
        let share = plan.steps[state.step]
        // At 100% there is no split to check: the sample-ratio check is skipped.
        let checkSampleRatio = share < 100
        policy.expectedSplit = checkSampleRatio ? [100 - share, share] : [50, 50]
        let analysis = try SequentialAnalysis(policy: policy)
        let breach = recorder.guardrailBreach(policy, control: plan.strategy == .blueGreen ? nil : 0, candidate: 1)
        let elapsed = now - state.createdAt

        var look: RolloutLook
        if plan.strategy == .blueGreen {
            look = analysis.look(control: ArmSummary(), candidate: candidate.outcomes[0], assignments: assigned, elapsedSeconds: elapsed, checkSampleRatio: false)
            if let breach {
                look.decision = .rollback
                look.reason = "guardrail broken: \(breach)"
            } else if candidate.requests < policy.minimumSamples || elapsed < policy.minimumDurationSeconds {
                look.decision = .hold
                look.reason = String(format: "baking: %ld of %ld requests and %.0f of %.0f s on the candidate, no guardrail broken", candidate.requests, policy.minimumSamples, elapsed, policy.minimumDurationSeconds)
            } else {
                look.decision = .promote
                look.reason = "the candidate served \(candidate.requests) requests for its bake time without breaking a guardrail"
            }
        } else {
            look = analysis.look(
                control: control.outcomes[0], candidate: candidate.outcomes[0], assignments: assigned, events: control.requests + candidate.requests,
                elapsedSeconds: elapsed, guardrailBreach: breach, checkSampleRatio: checkSampleRatio)
        }

        var action: String
        let stepCandidates = assigned.1
        switch look.decision {
        case .promote:
            state.status = .promoted
            action = plan.registry.map { "promoted: \($0.alias) → version \($0.candidateVersion)" } ?? "promoted"
        case .rollback:
            state.status = .rolledBack
            action = plan.registry.map { "rolled back: \($0.alias) on version \($0.controlVersion)" } ?? "rolled back"
        case .continue where state.step + 1 < plan.steps.count
            && now - state.stepStartedAt >= plan.minimumStepSeconds && stepCandidates >= policy.minimumSamples:
            state.step += 1
            state.stepStartedAt = now
            action = "advanced to step \(state.step + 1) (\(TrafficWeights.format(plan.steps[state.step]))% to the candidate)"
        case .continue where state.step + 1 < plan.steps.count:
            action = String(
                format: "baking step %ld: %ld of %ld candidate requests and %.0f of %.0f s", state.step + 1, stepCandidates, policy.minimumSamples,
                now - state.stepStartedAt, plan.minimumStepSeconds)
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
        try await reconcileAlias(state)
        return state.decisions.last
    }

    /// Points the plan's alias where the stored state says: the candidate once promoted (and
    /// while a blue-green switch runs), the control once rolled back; a running canary or test
    /// leaves it alone.
    private func reconcileAlias(_ state: RolloutState) async throws {
        guard let target = state.plan.registry, let aliasControl else { return }
        let version: Int
        let reason: String
        switch state.status {
        case .promoted:
            (version, reason) = (target.candidateVersion, "rollout \(name) promoted: \(state.decisions.last?.look.reason ?? "")")
        case .rolledBack:
            (version, reason) = (target.controlVersion, "rollout \(name) rolled back: \(state.decisions.last?.look.reason ?? "")")
        case .running where state.plan.strategy == .blueGreen:
            (version, reason) = (target.candidateVersion, "rollout \(name): blue-green switch to version \(target.candidateVersion)")
        case .running:
            return
        }
        try await Self.ensureAlias(aliasControl, target, at: version, reason: reason)
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

    /// Makes `state` this replica's, publishing its router when the split changed; an older
    /// state than the one held (two evaluations racing) is ignored, so units never move back.
    private func adopt(_ state: RolloutState) {
        let changed = current.withLock { old -> Bool in
            guard state.version >= old.version else { return false }
            defer { old = state }
            return old.status != state.status || old.step != state.step
        }
        guard changed else { return }
        // The step's traffic is counted from here on this replica.
        let counts = recorder.snapshot().map(\.requests)
        stepBaseline.withLock { $0 = counts }
        if let router = try? state.router(rules: rules) { routerHandle.publish(router) }
    }

    /// Points the target's alias at `version`, from wherever it is; nothing when it is already there.
    ///
    /// The move expects the alias where it was just read. When it loses a race (the control's
    /// ``ModelAliasControl/isLostRace(_:)``, or the alias found elsewhere when read again: another
    /// replica, or another process sharing the registry, moved it first), the alias is read again:
    /// already at `version` is done, anywhere else is moved from there, up to ``aliasAttempts``
    /// moves in all. Any other refusal (a policy, a role) is thrown as it came.
    static func ensureAlias(_ control: any ModelAliasControl, _ target: RolloutPlan.RegistryTarget, at version: Int, reason: String) async throws {
        var current = try await control.version(of: target.model, alias: target.alias)
        var attempt = 1
        while current != version {
            do {
                try await control.move(target.model, alias: target.alias, to: version, expecting: current, reason: reason)
                return
            } catch {
                guard attempt < aliasAttempts else { throw error }
                // Read again even when the error says it lost: the alias may have come back
                // (X → Y → X) between the move and this read.
                let now = try await control.version(of: target.model, alias: target.alias)
                guard now != current || control.isLostRace(error) else { throw error }
                (current, attempt) = (now, attempt + 1)
            }
        }
    }

    /// How many moves ``ensureAlias(_:_:at:reason:)`` makes before it gives up on a move that
    /// keeps losing races.
    static let aliasAttempts = 5
}
