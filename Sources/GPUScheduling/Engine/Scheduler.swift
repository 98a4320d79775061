import TensorCore

/// Decides which jobs run where on a GPU cluster: admission in policy order under team quotas,
/// all-or-nothing placement of gangs, backfill with a reservation, and preemption with a
/// cool-down.
///
/// A value type: a host feeds it submissions and completions with their times and calls
/// ``schedule(at:)`` to get the decisions; the ``Simulator`` does the same from a trace.
///
/// ```swift
/// var scheduler = try Scheduler(cluster: cluster, configuration: .init(policy: PriorityPolicy()))
/// try scheduler.submit(JobSpec(id: 1, team: "vision", gpus: 16, workers: 2), at: 0)
/// for decision in try scheduler.schedule(at: 0) { print(decision) }
/// ```
///
/// A gang either gets every worker placed at once or nothing: no partial allocation is ever
/// held, so gangs cannot deadlock each other.
public struct Scheduler: Sendable {
    struct Record: Sendable {
        let spec: JobSpec
        var request: PlacementRequest
        /// Eligible pools per GPU model, models in the cluster's order.
        var modelPools: [(model: String, pools: [Int], shape: Int)]
        var allPools: [Int]
        var submitTime: Double
        var state: JobState = .pending
        var placement: Placement?
        var model: String = ""
        var startTime: Double = 0
        /// Seconds of work saved (done before the current run, minus what preemptions lost).
        var progress: Double = 0
        /// GPU-seconds received before the current run.
        var attained: Double = 0
        var borrowedMilli: Int = 0
        var enqueueTime: Double
        var key = QueueKey(0, 0, job: 0)
        var preemptions = 0
        var unschedulableReason: String?
        /// Preempted in the pass under way: back in the queue only when the pass ends.
        var awaitingRequeue = false
        /// The team as a number (for cheap cache keys and comparisons).
        var teamID = 0
        /// Whether the team has a quota (asked once at submission: preemption asks per running
        /// job, and string-keyed lookups there made the Philly trace's `las` run a fifth slower).
        var teamHasQuota = false
        /// What a preemption attempt for this job is cached under while it waits.
        var preemptionKey = PreemptionKey(shapes: [], rank: nil, team: -1)
        /// The shape when the job can run on one GPU model only, else -1.
        var soleShape: Int { modelPools.count == 1 ? modelPools[0].shape : -1 }
    }

    /// The cluster the scheduler places on.
    public let cluster: ClusterSpec
    /// How it decides.
    public let configuration: SchedulerConfiguration
    private(set) var state: ClusterState
    private let emptyState: ClusterState
    private(set) var ledger: QuotaLedger
    private(set) var records: [Record] = []
    private var index: [Int: Int] = [:]
    /// Waiting record indices in key order (one queue), or per team (fair share).
    private(set) var queue: [Int] = []
    /// Entries of ``queue`` no longer pending, not yet compacted away.
    private var departedInQueue = 0
    private(set) var teamQueues: [String: [Int]] = [:]
    /// Running record indices (in no particular order) and each record's place among them.
    private(set) var running: [Int] = []
    private var runningPosition: [Int] = []
    /// Running records by expected end, ascending (infinite when the duration is unknown).
    private var runningEnds: [(end: Double, record: Int)] = []
    /// team → [GPU milli, CPU milli, memory MiB] in use, for dominant shares.
    private var teamResources: [String: [Int]] = [:]
    private let totals: [Int]
    private(set) var now: Double = -.infinity
    /// Request shapes (workers, GPUs, fraction, CPU, memory, colocation, pools) by number.
    private var shapes: [ShapeKey: Int] = [:]
    private var noRoomEpoch: [Int] = []
    private var refusedEpoch: [Int] = []
    private var refusedEnd: [Double] = []
    private var epoch = 0
    /// (shape, rank, team) that found no victims, per epoch.
    private var preemptionRefused: [PreemptionKey: (epoch: Int, rank: Int)] = [:]
    /// Waiting jobs by milli-GPUs asked.
    private var pendingDemand: [Int: Int] = [:]
    /// Per request shape: the waiting jobs' expected remaining seconds, ascending.
    private var shapeRemaining: [[Double]] = []
    private var shapeMilli: [Int] = []
    private var shapePools: [Set<Int>] = []
    /// Whether the next pass must consider every waiting job (capacity came free, or a job
    /// arrived ahead of the standing reservation); otherwise only ``fresh`` ones.
    private var mustRescan = true
    /// ``neverFits(_:)`` answers by shapes and team.
    private var fitVerdicts: [FitKey: String?] = [:]
    /// The requests submitted so far by shape (without pools), for fragmentation-aware placement.
    private var mixCounts: [PlacementRequest: Int] = [:]
    private var teamIDs: [String: Int] = [:]
    private var modelIDs: [String: Int] = [:]
    /// Quota answers, good while the ledger's version is the one stored with them.
    private var quotaMemo: [QuotaQuery: (version: Int, borrowed: Int?)] = [:]
    /// The most common of them, weighted by share; refreshed as jobs arrive.
    private var workloadMix: [(request: PlacementRequest, weight: Double)] = []
    private var submittedSinceMix = 0
    /// Whether quotas or shares can make a running job a victim whatever the policy ranks.
    private let victimsWithoutRanks: Bool
    /// Whether the policy has ranked some job submitted so far (then preemption by rank can happen).
    private var someJobRanked = false

    /// Whether time alone can make a running job a victim (a cool-down ends, a job's service
    /// moves it down a queue), so every pass must look at every waiting job.
    private var timeCanMakeVictims: Bool { configuration.preemption.enabled && (someJobRanked || victimsWithoutRanks) }
    private var fresh: [Int] = []
    private var standing: Reservation?
    private var standingKey: QueueKey?
    private var standingStop: QueueKey?
    /// Admission attempts so far: one per job considered in a pass.
    public private(set) var decisionCount = 0
    /// The job holding the backfill reservation after the last pass, and the milli-GPUs it
    /// holds idle waiting for (free now in its pools, up to what it needs).
    public private(set) var reservation: (job: Int, heldMilli: Int)?

    /// Creates a scheduler for a cluster.
    ///
    /// - Throws: ``SchedulingError`` when the cluster or a quota is invalid.
    public init(cluster: ClusterSpec, configuration: SchedulerConfiguration = SchedulerConfiguration()) throws(SchedulingError) {
        try cluster.validate()
        self.cluster = cluster
        self.configuration = configuration
        state = ClusterState(spec: cluster)
        emptyState = state
        ledger = QuotaLedger(teams: cluster.teams)
        let preemption = configuration.preemption
        victimsWithoutRanks = preemption.fairSharing || (preemption.reclaimQuota && !cluster.teams.isEmpty)
        // A resource counts toward dominant shares only where every node tracks it.
        let cpu = cluster.nodes.allSatisfy { $0.cpuMilli != nil } ? cluster.nodes.reduce(0) { $0 + ($1.cpuMilli ?? 0) } : 0
        let memory = cluster.nodes.allSatisfy { $0.memoryMiB != nil } ? cluster.nodes.reduce(0) { $0 + ($1.memoryMiB ?? 0) } : 0
        totals = [max(1, state.totalMilli), cpu, memory]
    }

    // MARK: Reading

    /// Where a job stands, or `nil` for an unknown ID.
    public func jobState(_ id: Int) -> JobState? { index[id].map { records[$0].state } }

    /// Seconds of work a job has kept (its progress, without what preemptions lost), as of its
    /// last start or stop.
    public func savedProgress(_ id: Int) -> Double? { index[id].map { records[$0].progress } }

    /// Why a job can never start here, or `nil` when it can (or is unknown).
    public func unschedulableReason(of id: Int) -> String? { index[id].flatMap { records[$0].unschedulableReason } }

    /// Where a running job's workers are.
    public func placement(of id: Int) -> Placement? { index[id].flatMap { records[$0].placement } }

    /// How many times a job was preempted.
    public func preemptionCount(of id: Int) -> Int { index[id].map { records[$0].preemptions } ?? 0 }

    /// Milli-GPUs of a running job that are borrowed from its cohort.
    public func borrowedMilli(of id: Int) -> Int { index[id].map { records[$0].borrowedMilli } ?? 0 }

    /// IDs of the running jobs, ascending.
    public var runningJobs: [Int] { running.map { records[$0].spec.id }.sorted() }

    /// IDs of the waiting jobs, in no particular order.
    public var pendingJobs: [Int] {
        configuration.policy.ordersByTeamShare
            ? teamQueues.values.flatMap { $0.map { records[$0].spec.id } } : queue.filter { records[$0].state == .pending }.map { records[$0].spec.id }
    }

    /// Milli-GPUs free in the whole cluster.
    public var freeMilli: Int { state.totalFreeMilli }

    /// Every way the scheduler's books disagree: GPUs or CPU over-allocated, free counts off,
    /// quotas broken, running jobs not holding exactly what they asked. Empty when all is well.
    ///
    /// - Complexity: O(nodes + GPUs + jobs); for tests and debug builds.
    public func invariantProblems() -> [String] {
        var problems = state.consistencyProblems()
        problems += ledger.problems()
        var held = Array(repeating: 0, count: state.slotFree.count)
        for r in running {
            let record = records[r]
            guard record.state == .running, let placement = record.placement else {
                problems.append("job \(record.spec.id) is counted running without a placement")
                continue
            }
            if placement.workers.count != record.request.workers {
                problems.append("job \(record.spec.id) holds \(placement.workers.count) of its \(record.request.workers) workers")
            }
            for worker in placement.workers {
                if worker.gpus.count != record.request.gpusPerWorker {
                    problems.append("a worker of job \(record.spec.id) holds \(worker.gpus.count) of \(record.request.gpusPerWorker) GPUs")
                }
                for gpu in worker.gpus { held[state.firstSlot[worker.node] + gpu] += worker.gpuMilli }
            }
        }
        for (slot, amount) in held.enumerated() where amount + state.slotFree[slot] != 1000 {
            problems.append("GPU slot \(slot) is held \(amount) and free \(state.slotFree[slot]) (not 1000 in all)")
        }
        return problems
    }

    // MARK: Changing

    /// Adds a job to the queue, or, when it can never start here, records it unschedulable and
    /// returns why.
    ///
    /// - Returns: The reason the job can never start, or `nil` when it waits.
    /// - Throws: ``SchedulingError`` for a malformed job, a duplicate ID or a time before the
    ///   last one seen.
    @discardableResult
    public mutating func submit(_ job: JobSpec, at time: Double) throws(SchedulingError) -> String? {
        try job.validate()
        try advance(to: time)
        if index[job.id] != nil {
            throw SchedulingError(.unknownJob, "job \(job.id) was submitted already", fix: "give every job its own ID")
        }
        let pools = state.eligiblePools(for: job)
        var grouped: [(model: String, pools: [Int])] = []
        for p in pools {
            let model = state.pools[p].gpuModel
            if let i = grouped.firstIndex(where: { $0.model == model }) {
                grouped[i].pools.append(p)
            } else {
                grouped.append((model, [p]))
            }
        }
        let request = PlacementRequest(job)
        if configuration.placement == .fragmentationAware { learnMix(request) }
        let teamID = teamIDs[job.team] ?? teamIDs.count
        teamIDs[job.team] = teamID
        let modelPools = grouped.map { (model: $0.model, pools: $0.pools, shape: shapeID(request, $0.pools)) }
        var record = Record(
            spec: job, request: request, modelPools: modelPools, allPools: pools, submitTime: time, enqueueTime: time)
        record.teamID = teamID
        record.teamHasQuota = ledger.quota(of: job.team) != nil
        let position = records.count
        index[job.id] = position
        // Jobs of one shape and team share the answer; most of a trace repeats a few shapes.
        let fitKey = FitKey(shapes: modelPools.map(\.shape), team: job.team, selectorMismatch: pools.isEmpty ? job.gpuModels + job.tolerations + job.nodeSelector.map { "\($0.key)=\($0.value)" }.sorted() : [])
        let verdict: String?
        if let known = fitVerdicts[fitKey] {
            verdict = known
        } else {
            verdict = neverFits(record)
            fitVerdicts[fitKey] = verdict
        }
        if let reason = verdict {
            record.state = .unschedulable
            record.unschedulableReason = reason
            records.append(record)
            runningPosition.append(-1)
            return reason
        }
        records.append(record)
        runningPosition.append(-1)
        enqueue(position)
        fresh.append(position)
        let key = records[position].key
        if configuration.policy.ordersByTeamShare || standingKey.map({ key < $0 }) == true || standingStop.map({ key < $0 }) == true {
            mustRescan = true
        }
        return nil
    }

    /// Makes the next pass consider every waiting job, as after a completion (for hosts whose
    /// cluster changed outside the scheduler's view, and for benchmarks).
    public mutating func markChanged() { mustRescan = true }

    /// Takes a job out: a waiting job leaves the queue, a running one gives back what it holds.
    /// Either way it will not run again (``JobState/cancelled``).
    ///
    /// - Throws: ``SchedulingError`` for an unknown job, one already done, or time going backwards.
    public mutating func cancel(_ id: Int, at time: Double) throws(SchedulingError) {
        try advance(to: time)
        guard let r = index[id], records[r].state == .pending || records[r].state == .running else {
            throw SchedulingError(.unknownJob, "job \(id) is neither waiting nor running", fix: "cancel only jobs the scheduler holds")
        }
        if records[r].state == .running {
            stop(r)
        } else {
            records[r].state = .cancelled
            removeFromQueues([r])
            fresh.removeAll { $0 == r }
        }
        records[r].state = .cancelled
        mustRescan = true
    }

    /// Marks a running job done and gives back what it held.
    ///
    /// - Throws: ``SchedulingError`` when the job is not running or time went backwards.
    public mutating func finish(_ id: Int, at time: Double) throws(SchedulingError) {
        try advance(to: time)
        guard let r = index[id], records[r].state == .running else {
            throw SchedulingError(.unknownJob, "job \(id) is not running", fix: "finish only jobs the scheduler started")
        }
        stop(r)
        mustRescan = true
        records[r].state = .finished
        records[r].progress = records[r].spec.expectedDuration ?? records[r].progress
    }

    /// Runs one scheduling pass: considers waiting jobs in policy order and starts, preempts
    /// and reserves as the configuration says.
    ///
    /// - Returns: What was done, in order.
    /// - Throws: ``SchedulingError/Code/timeWentBackwards`` for a time before the last one seen.
    public mutating func schedule(at time: Double) throws(SchedulingError) -> [SchedulingDecision] {
        try advance(to: time)
        var decisions: [SchedulingDecision] = []
        var requeue: [Int] = []
        var started = Set<Int>()
        let policy = configuration.policy
        // Preemption is possible only where the policy ranks jobs, or quotas or shares apply.
        let preemptionPossible = timeCanMakeVictims
        // Since the last pass, only arrivals that rank behind its reservation (or its strict
        // stop) happened: every job it could not start still cannot (no capacity came free, and
        // time only moves the reservation's rules against them), so only the arrivals are
        // considered, behind the standing reservation. Like Kubernetes' scheduling queue, which
        // retries unschedulable pods only on events that may have made room.
        let partial = !mustRescan && !timeCanMakeVictims
        var reserved: Reservation? = partial ? standing : nil
        var stoppedAt: QueueKey? = partial ? standingStop : nil
        if partial && stoppedAt != nil {
            fresh.removeAll()
            return []
        }
        if !partial { reservation = nil }

        // Within a pass, capacity only shrinks (until a preemption frees some), so a request shape
        // that found no room stays without room: later jobs of the same shape are answered
        // from that, not by searching again. Likewise a shape refused by the reservation stays
        // refused for jobs that would end no earlier.
        epoch += 1
        let smallestDemand = pendingDemand.keys.min() ?? 0
        var order = partial ? PassOrder(only: fresh.sorted { records[$0].key < records[$1].key }) : PassOrder(scheduler: self)
        fresh.removeAll(keepingCapacity: true)
        var failures = 0
        while let r = order.next(&self) {
            // Nothing fits the free GPUs: stop, once what the pass must leave behind for the
            // jobs it cannot start (a reservation, a strict stop) is in place.
            if !preemptionPossible && state.totalFreeMilli < smallestDemand
                && (configuration.backfill == .greedy || reserved != nil || stoppedAt != nil)
            {
                break
            }
            decisionCount += 1
            var quotaBlocked = false
            var roomBlocked = false
            var didStart = false
            var preemptedOthers = false
            let end = expectedEndIfStarted(r)
            // The common case, answered without touching the job's quota or pools: its only
            // shape already found no room in this pass.
            let sole = records[r].soleShape
            let knownBlocked = sole >= 0 && (noRoomEpoch[sole] == epoch || (refusedEpoch[sole] == epoch && end >= refusedEnd[sole]))
            if knownBlocked {
                // The quota still comes first: a job its quota refuses holds no reservation.
                if quotaAllows(r, model: records[r].modelPools[0].model) == nil {
                    quotaBlocked = true
                } else {
                    roomBlocked = true
                }
            }
            for (model, pools, shape) in knownBlocked ? [] : records[r].modelPools {
                guard let borrowed = quotaAllows(r, model: model) else {
                    quotaBlocked = true
                    continue
                }
                if noRoomEpoch[shape] == epoch || (refusedEpoch[shape] == epoch && end >= refusedEnd[shape]) {
                    roomBlocked = true
                    continue
                }
                guard let placement = state.findPlacement(for: records[r].request, in: pools, strategy: configuration.placement, mix: workloadMix) else {
                    noRoomEpoch[shape] = epoch
                    roomBlocked = true
                    continue
                }
                if reserved != nil, !leaves(&reserved!, whole: placement, of: r) {
                    if let reservation = reserved, reservation.covers(shape) {
                        refusedEnd[shape] = refusedEpoch[shape] == epoch ? min(refusedEnd[shape], end) : end
                        refusedEpoch[shape] = epoch
                    }
                    roomBlocked = true
                    continue
                }
                start(r, placement, model: model, borrowed: borrowed)
                decisions.append(.started(job: records[r].spec.id, placement: placement, gpuModel: model))
                didStart = true
                break
            }
            if !didStart && preemptionPossible && (roomBlocked || quotaBlocked) && reserved == nil,
                let victims = preemptOnce(for: r, policy: policy)
            {
                epoch += 1
                preemptedOthers = !victims.isEmpty
                for (victim, lost) in victims {
                    decisions.append(.preempted(job: records[victim].spec.id, by: records[r].spec.id, lostSeconds: lost))
                    requeue.append(victim)
                }
                if case .running = records[r].state, let placement = records[r].placement {
                    decisions.append(.started(job: records[r].spec.id, placement: placement, gpuModel: records[r].model))
                    didStart = true
                }
            }
            if didStart {
                started.insert(r)
                order.started(r, &self, afterPreempting: preemptedOthers)
                continue
            }
            if roomBlocked {
                switch configuration.backfill {
                case .none:
                    order.stop()
                    stoppedAt = records[r].key
                case .easy: if reserved == nil { reserved = makeReservation(for: r) }
                case .greedy: break
                }
            }
            failures += 1
            if (reserved != nil || !preemptionPossible) && (shapeRemaining.count <= 64 || failures % 64 == 0) && nothingLeftCanStart(reserved) {
                break
            }
        }
        if !started.isEmpty { removeFromQueues(started) }
        preemptionRefused.removeAll(keepingCapacity: true)
        for victim in requeue { enqueue(victim) }
        standing = reserved
        standingKey = reserved.map { records[$0.record].key }
        standingStop = stoppedAt
        // Victims are back in the queue and capacity moved: the next pass looks at everything.
        mustRescan = !requeue.isEmpty
        if let reserved {
            reservation = (records[reserved.record].spec.id, min(reserved.neededMilli, freeMilli(in: reserved.pools, whole: !records[reserved.record].request.isFractional)))
        }
        return decisions
    }

    // MARK: Internals

    private mutating func advance(to time: Double) throws(SchedulingError) {
        guard time.isFinite else {
            throw SchedulingError(.timeWentBackwards, "time \(time) is not a finite number", fix: "pass seconds as a finite number")
        }
        if time < now {
            throw SchedulingError(
                .timeWentBackwards, "time \(time) is before the last time seen, \(now)", fix: "feed events in time order")
        }
        now = time
    }

    /// The policy's preemption rank of job `r` now.
    private func rank(of r: Int, _ policy: any SchedulingPolicy) -> Int? {
        policy.preemptionRank(of: records[r].spec, context(r))
    }

    private func context(_ r: Int) -> PolicyContext {
        var attained = records[r].attained
        if records[r].state == .running { attained += (now - records[r].startTime) * Double(records[r].request.totalMilli) / 1000 }
        return PolicyContext(submitTime: records[r].submitTime, enqueueTime: records[r].enqueueTime, attainedService: attained)
    }

    private mutating func enqueue(_ r: Int) {
        // A job that waited before may still have its old entry in the single queue (entries
        // leave it lazily): take that out first so the queue never holds a job twice.
        if !configuration.policy.ordersByTeamShare && (records[r].state != .pending || records[r].awaitingRequeue) {
            let old = records[r].key
            let position = queue.partitioningIndex { records[$0].key >= old }
            if position < queue.count && queue[position] == r {
                queue.remove(at: position)
                departedInQueue = max(0, departedInQueue - 1)
            }
        }
        records[r].awaitingRequeue = false
        records[r].state = .pending
        // A waiting job's rank cannot change while it waits (its service does not grow).
        let teamMatters = configuration.preemption.fairSharing || (configuration.preemption.reclaimQuota && records[r].teamHasQuota)
        let rank = rank(of: r, configuration.policy)
        if rank != nil { someJobRanked = true }
        records[r].preemptionKey = PreemptionKey(shapes: records[r].modelPools.map(\.shape), rank: rank, team: teamMatters ? records[r].teamID : -1)
        pendingDemand[records[r].request.totalMilli, default: 0] += 1
        let remaining = remainingExpected(r)
        for (_, _, shape) in records[r].modelPools {
            let position = shapeRemaining[shape].partitioningIndex { $0 > remaining }
            shapeRemaining[shape].insert(remaining, at: position)
        }
        records[r].key = configuration.policy.queueKey(for: records[r].spec, context(r))
        let key = records[r].key
        if configuration.policy.ordersByTeamShare {
            let team = records[r].spec.team
            // A job preempted in the pass that started it may still be in its team's queue.
            teamQueues[team]?.removeAll { $0 == r }
            let position = teamQueues[team, default: []].partitioningIndex { records[$0].key > key }
            teamQueues[team, default: []].insert(r, at: position)
        } else {
            let position = queue.partitioningIndex { records[$0].key > key }
            queue.insert(r, at: position)
        }
    }

    private mutating func removeFromQueues(_ gone: Set<Int>) {
        for r in gone {
            let demand = records[r].request.totalMilli
            if let count = pendingDemand[demand], count > 1 { pendingDemand[demand] = count - 1 } else { pendingDemand[demand] = nil }
            let remaining = remainingExpected(r)
            for (_, _, shape) in records[r].modelPools {
                let position = shapeRemaining[shape].partitioningIndex { $0 >= remaining }
                if position < shapeRemaining[shape].count { shapeRemaining[shape].remove(at: position) }
            }
        }
        // Started jobs are the ones no longer pending (no hashing per waiting job). The single
        // queue drops them lazily: passes skip them, and the queue is compacted once they are half.
        if configuration.policy.ordersByTeamShare {
            for team in Set(gone.map { records[$0].spec.team }) { teamQueues[team]?.removeAll { records[$0].state != .pending } }
        } else {
            departedInQueue += gone.count
            if departedInQueue * 2 > queue.count {
                queue.removeAll { records[$0].state != .pending }
                departedInQueue = 0
            }
        }
    }

    private mutating func start(_ r: Int, _ placement: Placement, model: String, borrowed: Int) {
        state.commit(placement)
        let team = records[r].spec.team
        ledger.add(team: team, model: model, milli: records[r].request.totalMilli)
        addResources(team, r, sign: 1)
        records[r].state = .running
        records[r].placement = placement
        records[r].model = model
        records[r].startTime = now
        records[r].borrowedMilli = borrowed
        runningPosition[r] = running.count
        running.append(r)
        let end = expectedEnd(r)
        runningEnds.insert((end, r), at: runningEnds.partitioningIndex { ($0.end, $0.record) > (end, r) })
    }

    /// Gives back what a running job holds and books its progress; leaves its state to the caller.
    private mutating func stop(_ r: Int) {
        guard let placement = records[r].placement else { return }
        state.release(placement)
        ledger.remove(team: records[r].spec.team, model: records[r].model, milli: records[r].request.totalMilli)
        addResources(records[r].spec.team, r, sign: -1)
        let end = expectedEnd(r)
        let at = runningEnds.partitioningIndex { ($0.end, $0.record) >= (end, r) }
        if at < runningEnds.count && runningEnds[at].record == r { runningEnds.remove(at: at) }
        let ran = now - records[r].startTime
        records[r].progress += ran
        records[r].attained += ran * records[r].spec.gpuAmount
        let position = runningPosition[r]
        if position >= 0 {
            let last = running.removeLast()
            if last != r {
                running[position] = last
                runningPosition[last] = position
            }
            runningPosition[r] = -1
        }
        records[r].placement = nil
        records[r].borrowedMilli = 0
    }

    private mutating func addResources(_ team: String, _ r: Int, sign: Int) {
        let spec = records[r].spec
        var use = teamResources[team] ?? [0, 0, 0]
        use[0] += sign * spec.gpuMilliTotal
        use[1] += sign * spec.cpuMilli
        use[2] += sign * spec.memoryMiB
        teamResources[team] = use
    }

    /// A team's weighted dominant share, with `extra` [GPU, CPU, memory] added.
    func dominantShare(_ team: String, adding extra: [Int] = [0, 0, 0]) -> Double {
        let use = teamResources[team] ?? [0, 0, 0]
        var share = 0.0
        for i in 0..<3 where totals[i] > 0 { share = max(share, Double(use[i] + extra[i]) / Double(totals[i])) }
        return share / (ledger.quota(of: team)?.weight ?? 1)
    }

    /// Why a job could not start even on an empty cluster, or `nil`.
    private func neverFits(_ record: Record) -> String? {
        let job = record.spec
        if record.allPools.isEmpty {
            var why: [String] = []
            if !job.gpuModels.isEmpty { why.append("GPU model \(job.gpuModels.joined(separator: " or "))") }
            if !job.nodeSelector.isEmpty { why.append("node selector \(job.nodeSelector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))") }
            let taints = Set(state.pools.flatMap(\.taints)).subtracting(job.tolerations)
            if !taints.isEmpty { why.append("tolerations (untolerated taints: \(taints.sorted().joined(separator: ", ")))") }
            if job.gpus > 0 && state.pools.allSatisfy({ $0.maxGPUs == 0 }) { why.append("GPUs") }
            return "no node matches its " + (why.isEmpty ? "request" : why.joined(separator: ", "))
        }
        let request = record.request
        let eligibleGPUs = record.allPools.reduce(0) { $0 + state.pools[$1].nodes.reduce(0) { $0 + state.gpuCount[$1] } }
        if request.wholeGPUs > eligibleGPUs {
            return "needs \(request.wholeGPUs) GPUs but the nodes it may use have \(eligibleGPUs)"
        }
        let largestNode = record.allPools.reduce(0) { max($0, state.pools[$1].maxGPUs) }
        if request.gpusPerWorker > largestNode {
            return "a worker needs \(request.gpusPerWorker) GPUs but the largest node it may use has \(largestNode)"
        }
        if let level = request.colocation, level != .cluster {
            var sums: [Int: Int] = [:]
            for p in record.allPools { for n in state.pools[p].nodes { sums[state.domain(of: n, at: level), default: 0] += state.gpuCount[n] } }
            let largest = sums.values.max() ?? 0
            if request.wholeGPUs > largest {
                return "needs \(request.wholeGPUs) GPUs inside one \(level.rawValue), but the largest \(level.rawValue) it may use has \(largest)"
            }
        }
        let fitsSomeModel = record.modelPools.contains { emptyState.findPlacement(for: request, in: $0.pools, strategy: .binPack) != nil }
        if !fitsSomeModel {
            return "does not fit its nodes even when they are empty (CPU \(job.cpuMilli) milli, memory \(job.memoryMiB) MiB, \(request.workers) workers)"
        }
        if ledger.quota(of: job.team) != nil {
            let allowed = record.modelPools.contains { request.totalMilli <= ledger.maximumAdmissible(team: job.team, model: $0.model) }
            if !allowed {
                let nominal = ledger.quota(of: job.team)?.nominal ?? [:]
                let entries = Set(record.modelPools.map { ledger.key(team: job.team, model: $0.model) }).sorted()
                    .map { nominal[$0] == nil ? "'\($0)' (none: 0 GPUs)" : "'\($0)'" }
                return "needs \(job.gpuAmount) GPUs, more than team \(job.team)'s quota entry \(entries.joined(separator: " or ")) and what it may borrow from its cohort's entries of the same key allow"
            }
        }
        return nil
    }

    // MARK: Backfill

    struct Reservation {
        var record: Int
        var pools: Set<Int>
        var shadow: Double
        var extraMilli: Int
        var neededMilli: Int
        /// Per request shape: whether all its pools lie inside the reservation's.
        var inside: [Bool]

        func covers(_ shape: Int) -> Bool { shape < inside.count && inside[shape] }
    }

    private func expectedEnd(_ r: Int) -> Double {
        guard let expected = records[r].spec.expectedDuration else { return .infinity }
        return records[r].startTime + max(0, expected - records[r].progress)
    }

    /// Milli-GPUs free in some pools: all of it, or only wholly free GPUs.
    private func freeMilli(in pools: Set<Int>, whole: Bool) -> Int {
        var free = 0
        for p in pools {
            if whole {
                free += state.poolWholeFree[p] * 1000
                continue
            }
            for n in state.pools[p].nodes {
                let first = state.firstSlot[n]
                for s in first..<(first + state.gpuCount[n]) { free += state.slotFree[s] }
            }
        }
        return free
    }

    private func makeReservation(for r: Int) -> Reservation {
        let pools = Set(records[r].allPools)
        let needed = records[r].request.totalMilli
        var free = freeMilli(in: pools, whole: !records[r].request.isFractional)
        var shadow = now
        for (end, v) in runningEnds {
            // Past the shadow time once the job fits; every job ending at that same moment
            // still counts, as EASY's spare GPUs are all those free at the shadow time (else
            // the spare count, and what backfills, would depend on the order of ties).
            if free >= needed && end > shadow { break }
            guard let placement = records[v].placement else { continue }
            var milli = 0
            // For a whole-GPU job, a fraction ending need not free a whole GPU: count none.
            for worker in placement.workers where pools.contains(state.poolOf[worker.node]) {
                if worker.gpuMilli == 1000 || records[r].request.isFractional { milli += worker.gpus.count * worker.gpuMilli }
            }
            if milli > 0 {
                free += milli
                shadow = end
            }
        }
        if free < needed { shadow = .infinity }
        // With an unknown shadow time (a running job's duration unknown) no GPU is known to be
        // spare when the reserved job starts: which running jobs end first is unknown, so none
        // of the reservation's GPUs may be lent.
        return Reservation(
            record: r, pools: pools, shadow: shadow, extraMilli: shadow.isFinite ? max(0, free - needed) : 0, neededMilli: needed,
            inside: shapePools.map { $0.isSubset(of: pools) })
    }

    /// Whether starting `r` with `placement` leaves the reservation whole; takes from its spare
    /// GPUs when it uses them.
    private func leaves(_ reservation: inout Reservation, whole placement: Placement, of r: Int) -> Bool {
        var milli = 0
        for worker in placement.workers where reservation.pools.contains(state.poolOf[worker.node]) {
            milli += worker.gpus.count * worker.gpuMilli
        }
        if milli == 0 { return true }
        // An infinite reservation (durations unknown) lets nothing pass on its GPUs.
        if reservation.shadow.isFinite && expectedEndIfStarted(r) <= reservation.shadow { return true }
        guard milli <= reservation.extraMilli else { return false }
        reservation.extraMilli -= milli
        return true
    }

    /// When `r` would end if it started now (infinite when its duration is unknown).
    private func expectedEndIfStarted(_ r: Int) -> Double {
        now + remainingExpected(r)
    }

    /// The seconds `r` is expected to run from here (infinite when its duration is unknown).
    private func remainingExpected(_ r: Int) -> Double {
        guard let expected = records[r].spec.expectedDuration else { return .infinity }
        return max(0, expected - records[r].progress)
    }

    /// Whether no waiting job can start in what is left of this pass: every request shape
    /// waiting has found no room, or (behind a reservation it would overlap) is too large for
    /// the reservation's spare GPUs and its shortest job would outlast the reservation.
    private func nothingLeftCanStart(_ reserved: Reservation?) -> Bool {
        for shape in shapeRemaining.indices {
            guard let shortest = shapeRemaining[shape].first, noRoomEpoch[shape] != epoch else { continue }
            if let reserved, shapeMilli[shape] > reserved.extraMilli, reserved.covers(shape),
                !reserved.shadow.isFinite || now + shortest > reserved.shadow
            {
                continue
            }
            return false
        }
        return true
    }

    struct ShapeKey: Hashable {
        var request: PlacementRequest
        var pools: [Int]
    }

    struct FitKey: Hashable {
        var shapes: [Int]
        var team: String
        var selectorMismatch: [String]
    }

    struct PreemptionKey: Hashable {
        var shapes: [Int]
        var rank: Int?
        var team: Int
    }

    struct QuotaQuery: Hashable {
        var team: Int
        var model: Int
        var milli: Int
    }

    private mutating func shapeID(_ request: PlacementRequest, _ pools: [Int]) -> Int {
        let key = ShapeKey(request: request, pools: pools)
        if let id = shapes[key] { return id }
        let id = shapes.count
        shapes[key] = id
        noRoomEpoch.append(-1)
        refusedEpoch.append(-1)
        refusedEnd.append(0)
        shapeRemaining.append([])
        shapeMilli.append(request.totalMilli)
        shapePools.append(Set(pools))
        return id
    }

    /// Counts a submitted request into the workload mix; every so often keeps the 16 most
    /// common shapes (with GPUs) as the mix placement scores against.
    private mutating func learnMix(_ request: PlacementRequest) {
        mixCounts[request, default: 0] += 1
        submittedSinceMix += 1
        guard workloadMix.isEmpty || submittedSinceMix >= 64 else { return }
        submittedSinceMix = 0
        workloadMix = Self.weightedMix(mixCounts, top: 16)
    }

    /// ``QuotaLedger/borrowing(team:model:milli:)`` for record `r` on `model`, remembered until
    /// the ledger changes (a pass asks it for every waiting job, and most ask alike).
    private mutating func quotaAllows(_ r: Int, model: String) -> Int? {
        if cluster.teams.isEmpty { return 0 }
        let modelID = modelIDs[model] ?? modelIDs.count
        modelIDs[model] = modelID
        let query = QuotaQuery(team: records[r].teamID, model: modelID, milli: records[r].request.totalMilli)
        if let known = quotaMemo[query], known.version == ledger.version { return known.borrowed }
        let answer = ledger.borrowing(team: records[r].spec.team, model: model, milli: records[r].request.totalMilli)
        quotaMemo[query] = (ledger.version, answer)
        return answer
    }

    /// The `top` most common requests with GPUs (ties broken by the request, so the mix is the
    /// same on every run), each weighted by its share of them.
    static func weightedMix(_ counts: [PlacementRequest: Int], top: Int) -> [(request: PlacementRequest, weight: Double)] {
        let ranked = counts.filter { $0.key.gpusPerWorker > 0 }.sorted {
            let a = ($0.value, $0.key.gpuMilli, $0.key.gpusPerWorker, $0.key.cpuPerWorker, $0.key.memoryPerWorker, $0.key.workers)
            let b = ($1.value, $1.key.gpuMilli, $1.key.gpusPerWorker, $1.key.cpuPerWorker, $1.key.memoryPerWorker, $1.key.workers)
            if a != b { return a > b }
            return ($0.key.colocation?.depth ?? -1) > ($1.key.colocation?.depth ?? -1)
        }.prefix(top)
        let total = Double(ranked.reduce(0) { $0 + $1.value })
        return ranked.map { ($0.key, Double($0.value) / max(total, 1)) }
    }

    /// ``preempt(for:policy:)``, skipped when a job of the same shape, rank and team found no
    /// victims since capacity last grew.
    private mutating func preemptOnce(for r: Int, policy: any SchedulingPolicy) -> [(Int, Double)]? {
        // A job ranked no higher than one of the same shapes and team that found no victims
        // since capacity last changed finds none either (victims only get fewer as rank drops).
        var key = records[r].preemptionKey
        let rank = key.rank ?? Int.min
        key.rank = nil
        if let refused = preemptionRefused[key], refused.epoch == epoch, rank <= refused.rank { return nil }
        guard let victims = preempt(for: r, policy: policy) else {
            let known = preemptionRefused[key]
            preemptionRefused[key] = (epoch, known?.epoch == epoch ? max(known?.rank ?? Int.min, rank) : rank)
            return nil
        }
        return victims
    }

    // MARK: Preemption

    /// Work lost (in GPU-seconds) if running job `v` stopped now.
    private func lostIfStopped(_ v: Int) -> (seconds: Double, gpuSeconds: Double) {
        let progress = records[v].progress + (now - records[v].startTime)
        let saved = Self.checkpointed(progress, interval: records[v].spec.checkpointInterval)
        return (progress - saved, (progress - saved) * records[v].spec.gpuAmount)
    }

    static func checkpointed(_ progress: Double, interval: Double?) -> Double {
        guard let interval else { return 0 }
        if interval == 0 { return progress }
        return (progress / interval).rounded(.down) * interval
    }

    /// How long job `v` is safe from preemption after it (re)starts: the cool-down, doubled for
    /// every time it was preempted before. Whatever mix of ranks, quotas and shares would stop
    /// jobs in a cycle, each turn of it lets its jobs run twice as long, so each finishes.
    private func protection(of v: Int) -> Double {
        configuration.preemption.minimumRunTime * Double(1 << min(records[v].preemptions, 30))
    }

    /// What decides whether running jobs may be stopped for waiting job `r`, worked out once
    /// per attempt rather than once per running job.
    struct PreemptorView {
        /// The waiting job's record.
        var waiting: Int
        var rank: Int?
        /// Its team's ``Record/teamID``.
        var team: Int
        /// Whether `r`'s team stays within its nominal quota with `r` admitted, on some model.
        var withinNominal: Bool
        /// Whether it may reclaim its quota from borrowers (``withinNominal`` and reclaiming on).
        var reclaims: Bool
        var demand: [Int]
        var shareNow: Double
        var shareAfter: Double
    }

    private func preemptorView(_ r: Int, policy: any SchedulingPolicy) -> PreemptorView {
        let waiting = records[r].spec
        let withinNominal = records[r].modelPools.contains {
            ledger.withinNominal(team: waiting.team, model: $0.model, adding: records[r].request.totalMilli)
        }
        let demand = [waiting.gpuMilliTotal, waiting.cpuMilli, waiting.memoryMiB]
        return PreemptorView(
            waiting: r, rank: policy.preemptionRank(of: waiting, context(r)), team: records[r].teamID, withinNominal: withinNominal,
            reclaims: configuration.preemption.reclaimQuota && withinNominal, demand: demand,
            shareNow: dominantShare(waiting.team), shareAfter: dominantShare(waiting.team, adding: demand))
    }

    /// Whether running job `v`'s team uses more than its nominal quota of `v`'s model now: its
    /// jobs then run partly on borrowed quota, and one may be another team's victim. Asked of
    /// the ledger, not of the job's flag from its admission, which goes stale as the team's
    /// other jobs end (a job admitted on borrowed quota runs within quota once they have).
    private func teamBorrows(_ v: Int) -> Bool {
        records[v].teamHasQuota
            && !ledger.withinNominal(team: records[v].spec.team, model: records[v].model, adding: 0)
    }

    /// Whether running job `v` may be stopped for the waiting job `view` describes.
    private func mayPreempt(_ v: Int, for view: PreemptorView, policy: any SchedulingPolicy) -> Bool {
        guard records[v].spec.preemptible, now - records[v].startTime >= protection(of: v) else { return false }
        let team = records[v].teamID
        let guaranteed = records[v].teamHasQuota
        // By rank: within a team always; across teams only when the victim runs on borrowed
        // quota or its team has no quota to guarantee. A job running within its team's nominal
        // quota is that team's guarantee: no other team takes it, whatever the ranks (otherwise
        // a reclaim and a rank preemption can undo each other for ever, as a seeded trace showed).
        if let mine = view.rank, team == view.team || !guaranteed || teamBorrows(v),
            let theirs = rank(of: v, policy), mine > theirs
        {
            return true
        }
        if view.reclaims, team != view.team, teamBorrows(v), ledger.sameCohort(records[v].spec.team, records[view.waiting].spec.team) {
            return true
        }
        if configuration.preemption.fairSharing, team != view.team, !guaranteed || teamBorrows(v) {
            if configuration.preemption.naiveFairSharing { return view.shareNow < dominantShare(records[v].spec.team) }
            let freed = [-records[v].spec.gpuMilliTotal, -records[v].spec.cpuMilli, -records[v].spec.memoryMiB]
            return view.shareAfter < dominantShare(records[v].spec.team, adding: freed)
        }
        return false
    }

    /// Finds the fewest victims (least work lost first) that let `r` start now, stops them and
    /// starts `r`. Changes nothing and returns `nil` when no such set exists.
    private mutating func preempt(for r: Int, policy: any SchedulingPolicy) -> [(Int, Double)]? {
        // Nothing can make a victim when the policy ranks no job and neither quotas nor shares apply.
        let reclaiming = configuration.preemption.reclaimQuota && records[r].teamHasQuota
        if rank(of: r, policy) == nil && !reclaiming && !configuration.preemption.fairSharing {
            return nil
        }
        var candidates: [(v: Int, lost: Double, rank: Int, start: Double)] = []
        var reachable = 0
        let view = preemptorView(r, policy: policy)
        for v in running where mayPreempt(v, for: view, policy: policy) {
            candidates.append((v, lostIfStopped(v).gpuSeconds, rank(of: v, policy) ?? 0, records[v].startTime))
            reachable += records[v].request.totalMilli
        }
        guard !candidates.isEmpty, reachable + state.totalFreeMilli >= records[r].request.totalMilli else { return nil }
        candidates.sort { ($0.lost, $0.rank, -$0.start, records[$0.v].spec.id) < ($1.lost, $1.rank, -$1.start, records[$1.v].spec.id) }

        func release(_ v: Int) {
            guard let placement = records[v].placement else { return }
            state.release(placement)
            ledger.remove(team: records[v].spec.team, model: records[v].model, milli: records[v].request.totalMilli)
        }
        func restore(_ v: Int) {
            guard let placement = records[v].placement else { return }
            state.commit(placement)
            ledger.add(team: records[v].spec.team, model: records[v].model, milli: records[v].request.totalMilli)
        }
        // As in Kueue (without borrowWithinCohort), a job preempts only to run within its
        // team's nominal quota: preempting to borrow would start what a reclaim soon stops.
        func fit() -> (Placement, String, Int)? {
            for (model, pools, _) in records[r].modelPools {
                guard let borrowed = ledger.borrowing(team: records[r].spec.team, model: model, milli: records[r].request.totalMilli), borrowed == 0,
                    let placement = state.findPlacement(for: records[r].request, in: pools, strategy: configuration.placement, mix: workloadMix)
                else { continue }
                return (placement, model, borrowed)
            }
            return nil
        }

        var chosen: [Int] = []
        var fitted: (Placement, String, Int)?
        for candidate in candidates {
            // Another team's job is taken only while that team still borrows: once the victims
            // chosen so far bring it within its quota, its other jobs are its guarantee. This is
            // Kueue's `minimalPreemptions` (candidates removed in order while their queue still
            // borrows); like it, the greedy walk can miss a set that would fit a node (the cheap
            // victims on one node, the rest skipped), and the job then waits for the borrower.
            if records[candidate.v].teamID != records[r].teamID, records[candidate.v].teamHasQuota, !teamBorrows(candidate.v) { continue }
            release(candidate.v)
            chosen.append(candidate.v)
            if let found = fit() {
                fitted = found
                break
            }
        }
        guard fitted != nil else {
            for v in chosen.reversed() { restore(v) }
            return nil
        }
        // Drop victims that turn out not to be needed, latest chosen first.
        var kept: [Int] = []
        for v in chosen.reversed() {
            restore(v)
            if let found = fit() {
                fitted = found
            } else {
                release(v)
                kept.append(v)
            }
        }
        guard let (placement, model, borrowed) = fit() ?? fitted else { return nil }
        // The victims' books: give back through `stop` (re-taking them first, so it balances).
        var result: [(Int, Double)] = []
        for v in kept.reversed() {
            restore(v)
            let lost = lostIfStopped(v).seconds
            stop(v)
            records[v].progress = Self.checkpointed(records[v].progress, interval: records[v].spec.checkpointInterval)
            records[v].preemptions += 1
            records[v].state = .pending
            records[v].awaitingRequeue = true
            records[v].enqueueTime = now
            result.append((v, lost))
        }
        start(r, placement, model: model, borrowed: borrowed)
        return result
    }
}
