import Foundation
import Synchronization
import MLOpsStorage
import MLOpsTestSupport
import Registry
import Rollout
import RolloutRegistry
import Testing
import TensorCore

@Suite("Rollout controller, store and registry")
struct ControllerTests {
    @Test("the in-memory rollout store passes the conformance suite", arguments: RolloutStoreConformance.checks)
    func inMemoryStore(_ check: ConformanceCheck<any RolloutStore>) async {
        await check.run(on: InMemoryRolloutStore())
    }

    @Test("the SQL rollout store on SQLite passes the conformance suite", arguments: RolloutStoreConformance.checks)
    func sqliteStore(_ check: ConformanceCheck<any RolloutStore>) async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("store.sqlite"))
            await check.run(on: try await SQLRolloutStore(database: database))
            try await database.close()
        }
    }

    @Test(
        "the SQL rollout store on PostgreSQL passes the conformance suite",
        .enabled(if: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] != nil, "set MLOPS_TEST_POSTGRES_URL to run (bash .ci/run does)"),
        arguments: RolloutStoreConformance.checks)
    func postgresStore(_ check: ConformanceCheck<any RolloutStore>) async throws {
        try await StoreLocation(parsing: ProcessInfo.processInfo.environment["MLOPS_TEST_POSTGRES_URL"] ?? "").withDatabase { database in
            await check.run(on: try await SQLRolloutStore(database: database))
        }
    }

    /// Simulated traffic through a controller: `candidateRate` vs a control converting 10%.
    static func drive(_ controller: RolloutController, candidateRate: Double, users: Int, seed: UInt64, start: Int = 0) {
        var random = Xoshiro256StarStar(seed: seed)
        for i in start..<(start + users) {
            let variant = controller.route("user-\(i)")
            controller.recorder.recordRequest(variant: variant, latency: 0.01)
            let rate = variant == 1 ? candidateRate : 0.10
            controller.recorder.recordOutcome(variant: variant, metric: 0, value: random.nextUniform() < rate ? 1 : 0)
        }
    }

    /// A minute at a time: 5,000 new users, then a look; until the rollout ends (at most 200 minutes).
    static func runToEnd(_ controller: RolloutController, candidateRate: Double, seed: UInt64) async throws {
        var minute = 0
        while controller.state.status == .running && minute < 200 {
            drive(controller, candidateRate: candidateRate, users: 5_000, seed: seed &+ UInt64(minute), start: minute * 5_000)
            minute += 1
            try await controller.evaluate(now: Double(minute))
        }
    }

    static func plan(_ name: String) throws -> RolloutPlan {
        var policy = AnalysisPolicy()
        policy.minimumSamples = 500
        return try RolloutPlan(
            name: name, strategy: .canary, control: "v1", candidate: "v2", steps: [10, 50], metric: "converted", policy: policy,
            registry: .init(model: "shop/ranker", controlVersion: 1, candidateVersion: 2))
    }

    @Test("a better candidate advances through the steps and is promoted; the alias moves to it")
    func promotes() async throws {
        let store = InMemoryRolloutStore()
        let aliases = InMemoryAliasControl(aliases: ["shop/ranker/production": 1])
        let controller = try await RolloutController.start(plan: try Self.plan("better"), store: store, aliasControl: aliases, now: 0)
        try await Self.runToEnd(controller, candidateRate: 0.16, seed: 0)
        let state = controller.state
        #expect(state.status == .promoted, "\(state.decisions.last?.look.reason ?? "")")
        #expect(state.decisions.contains { $0.action.hasPrefix("advanced to step 2") })
        #expect(try await aliases.version(of: "shop/ranker", alias: "production") == 2)
        #expect(controller.route("anyone") == 1)
        #expect(try await store.state(of: "better").status == .promoted)
    }

    @Test("a worse candidate is rolled back; the alias stays on the control; a restarted replica resumes the ended state")
    func rollsBack() async throws {
        let store = InMemoryRolloutStore()
        let aliases = InMemoryAliasControl(aliases: ["shop/ranker/production": 1])
        let controller = try await RolloutController.start(plan: try Self.plan("worse"), store: store, aliasControl: aliases, now: 0)
        try await Self.runToEnd(controller, candidateRate: 0.05, seed: 1_000)
        #expect(controller.state.status == .rolledBack)
        #expect(try await aliases.version(of: "shop/ranker", alias: "production") == 1)
        #expect(aliases.moves.isEmpty)
        #expect(controller.route("anyone") == 0)
        let resumed = try await RolloutController.resume(name: "worse", store: store)
        #expect(resumed.state.status == .rolledBack)
        #expect(resumed.route("anyone") == 0)
    }

    @Test("a second replica follows the step and the decision the first one stored")
    func replicasAgree() async throws {
        let store = InMemoryRolloutStore()
        let plan = try Self.plan("replicas")
        let first = try await RolloutController.start(plan: plan, store: store, now: 0)
        let second = try await RolloutController.start(plan: plan, store: store, now: 0)
        Self.drive(first, candidateRate: 0.10, users: 20_000, seed: 5)
        try await first.evaluate(now: 1)
        #expect(first.state.step == 1)
        // The second replica has too little traffic of its own to decide, but follows the stored step.
        try await second.evaluate(now: 2)
        #expect(second.state.step == 1)
        for i in 0..<2_000 { #expect(first.route("user-\(i)") == second.route("user-\(i)")) }
    }

    @Test("blue-green switches traffic and the alias at once, and a broken guardrail switches both back")
    func blueGreen() async throws {
        var policy = AnalysisPolicy()
        policy.minimumSamples = 200
        policy.guardrails = [try Guardrail(metric: "error_rate", maximum: 0.05)]
        let plan = try RolloutPlan(
            name: "blue-green", strategy: .blueGreen, control: "blue", candidate: "green", metric: "converted", policy: policy,
            registry: .init(model: "shop/ranker", controlVersion: 1, candidateVersion: 2))
        let aliases = InMemoryAliasControl(aliases: ["shop/ranker/production": 1])
        let controller = try await RolloutController.start(plan: plan, store: InMemoryRolloutStore(), aliasControl: aliases, now: 0)
        #expect(try await aliases.version(of: "shop/ranker", alias: "production") == 2)
        #expect((0..<500).allSatisfy { controller.route("u\($0)") == 1 })
        for i in 0..<500 { controller.recorder.recordRequest(variant: 1, latency: 0.01, error: i % 10 == 0) }
        let decision = try await controller.evaluate(now: 60)
        #expect(decision?.look.decision == .rollback, "\(decision?.look.reason ?? "")")
        #expect(controller.state.status == .rolledBack)
        #expect(try await aliases.version(of: "shop/ranker", alias: "production") == 1)
        #expect((0..<500).allSatisfy { controller.route("u\($0)") == 0 })
        // A guardrail a blue-green switch cannot judge is refused with the plan.
        var relative = AnalysisPolicy()
        relative.guardrails = [try Guardrail(metric: "latency_p99", maximumIncrease: 0.2)]
        #expect(throws: RolloutError.self) {
            try RolloutPlan(name: "bg", strategy: .blueGreen, control: "blue", candidate: "green", metric: "m", policy: relative)
        }
    }

    /// An outage: not a lost race, so the controller does not retry it at once.
    struct Unavailable: Error {}

    /// A registry that refuses the first `failures` moves.
    final class FlakyAliases: ModelAliasControl {
        let inner: InMemoryAliasControl
        let failures: Mutex<Int>
        init(_ aliases: [String: Int], failures: Int) {
            inner = InMemoryAliasControl(aliases: aliases)
            self.failures = Mutex(failures)
        }
        func version(of model: String, alias: String) async throws -> Int? { try await inner.version(of: model, alias: alias) }
        func move(_ model: String, alias: String, to version: Int, expecting expected: Int?, reason: String) async throws {
            let refuse = failures.withLock { left -> Bool in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if refuse { throw Unavailable() }
            try await inner.move(model, alias: alias, to: version, expecting: expected, reason: reason)
        }
    }

    @Test("a decision is stored before the alias moves; a refused move is retried by the next evaluation")
    func aliasRetried() async throws {
        let store = InMemoryRolloutStore()
        let aliases = FlakyAliases(["shop/ranker/production": 1], failures: 1)
        let controller = try await RolloutController.start(plan: try Self.plan("flaky"), store: store, aliasControl: aliases, now: 0)
        var t = 0.0
        var served = 0
        var refused = 0
        while try await store.state(of: "flaky").status == .running && t < 200 {
            Self.drive(controller, candidateRate: 0.16, users: 5_000, seed: 300 + UInt64(t), start: served)
            served += 5_000
            t += 1
            do { try await controller.evaluate(now: t) } catch { refused += 1 }
        }
        #expect(refused == 1)
        #expect(try await store.state(of: "flaky").status == .promoted)
        #expect(try await aliases.version(of: "shop/ranker", alias: "production") == 1)  // the move failed once
        try await controller.evaluate(now: t + 1)
        #expect(try await aliases.version(of: "shop/ranker", alias: "production") == 2)
    }

    /// A registry shared with another process, which moves the alias to the next of `racers`
    /// just before each of this replica's first moves, so that move loses the race; with
    /// `andBack`, it moves the alias back where it was before this replica reads it again.
    final class RacingAliases: ModelAliasControl {
        let inner: InMemoryAliasControl
        let racers: Mutex<[Int]>
        let andBack: Bool
        init(_ aliases: [String: Int], racers: [Int], andBack: Bool = false) {
            inner = InMemoryAliasControl(aliases: aliases)
            self.racers = Mutex(racers)
            self.andBack = andBack
        }
        func version(of model: String, alias: String) async throws -> Int? { try await inner.version(of: model, alias: alias) }
        func move(_ model: String, alias: String, to version: Int, expecting expected: Int?, reason: String) async throws {
            guard let other = racers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
                return try await inner.move(model, alias: alias, to: version, expecting: expected, reason: reason)
            }
            let before = try await inner.version(of: model, alias: alias)
            try await inner.move(model, alias: alias, to: other, expecting: before, reason: "another process")
            do {
                try await inner.move(model, alias: alias, to: version, expecting: expected, reason: reason)
            } catch {
                if andBack, let before { try await inner.move(model, alias: alias, to: before, expecting: other, reason: "another process, back") }
                throw error
            }
        }
    }

    @Test("an alias move that loses a race is made again from where the alias went; one that finds it already there stops")
    func aliasRaces() async throws {
        var policy = AnalysisPolicy()
        policy.minimumSamples = 200
        let plan = try RolloutPlan(
            name: "bg-race", strategy: .blueGreen, control: "blue", candidate: "green", metric: "converted", policy: policy,
            registry: .init(model: "shop/ranker", controlVersion: 1, candidateVersion: 2))
        // Another process moves production to 3, then to 4, before this replica's first two moves.
        let racing = RacingAliases(["shop/ranker/production": 1], racers: [3, 4])
        _ = try await RolloutController.start(plan: plan, store: InMemoryRolloutStore(), aliasControl: racing, now: 0)
        #expect(try await racing.version(of: "shop/ranker", alias: "production") == 2)
        #expect(racing.inner.moves.map(\.to) == [3, 4, 2])
        #expect(racing.inner.moves.last?.from == 4)
        // The other process made the same move first: nothing is left to do.
        let same = RacingAliases(["shop/ranker/production": 1], racers: [2])
        _ = try await RolloutController.start(plan: plan, store: InMemoryRolloutStore(), aliasControl: same, now: 0)
        #expect(same.inner.moves.map(\.to) == [2])
        // A move that keeps losing gives up after five reads, with the registry's error.
        let endless = RacingAliases(["shop/ranker/production": 1], racers: [3, 4, 5, 6, 7, 8])
        await #expect(throws: RolloutError.self) {
            _ = try await RolloutController.start(plan: plan, store: InMemoryRolloutStore(), aliasControl: endless, now: 0)
        }
        #expect(try await endless.version(of: "shop/ranker", alias: "production") == 7)
        // The alias moved away and back between the lost move and the next read: the error
        // says the race was lost, so the move is made again.
        let back = RacingAliases(["shop/ranker/production": 1], racers: [3], andBack: true)
        _ = try await RolloutController.start(plan: plan, store: InMemoryRolloutStore(), aliasControl: back, now: 0)
        #expect(try await back.version(of: "shop/ranker", alias: "production") == 2)
        #expect(back.inner.moves.map(\.to) == [3, 1, 2])
    }

    @Test("the registry adapter moves production through the registry's promote, with its audit trail")
    func registryAdapter() async throws {
        let registry = InMemoryRegistryStore()
        _ = try await registry.addPrincipal(PrincipalRegistration(id: "admin", roles: [.admin]), by: nil)
        _ = try await registry.addPrincipal(PrincipalRegistration(id: "rollouts", roles: [.register, .promote]), by: "admin")
        let model = try ModelName("shop/ranker")
        _ = try await registry.registerModel(ModelRegistration(name: model, description: "ranker"), by: "rollouts")
        for v in 1...2 {
            _ = try await registry.registerVersion(VersionRegistration(model: model, artifactDigest: Digest(of: Array("ranker v\(v)".utf8))), by: "rollouts")
        }
        _ = try await registry.promote(model, version: 1, to: "production", by: "rollouts", reason: "first", expecting: .any)
        let control = RegistryAliasControl(registry: registry, principal: "rollouts")
        let controller = try await RolloutController.start(plan: try Self.plan("registry"), store: InMemoryRolloutStore(), aliasControl: control, now: 0)
        try await Self.runToEnd(controller, candidateRate: 0.16, seed: 77)
        #expect(controller.state.status == .promoted)
        #expect(try await registry.resolve(model, alias: "production").version == 2)
        let history = try await registry.aliasHistory(of: model, alias: "production")
        #expect(history.last?.reason.contains("rollout registry promoted") == true)
    }
}
