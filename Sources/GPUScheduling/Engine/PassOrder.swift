extension Scheduler {
    /// The order one pass considers waiting jobs in: the queue in key order, or, for fair-share
    /// policies, team by team, each step to the team with the smallest weighted dominant share
    /// as it stands (so the shares move as the pass starts jobs).
    ///
    /// Reads a snapshot of the queues (copy-on-write, so taking it copies nothing: the queues
    /// change only after the pass).
    struct PassOrder {
        private let single: [Int]
        private var cursor = 0
        private var teams: [(team: String, jobs: [Int], cursor: Int, share: Double)]
        private var stopped = false

        init(scheduler: Scheduler) {
            if scheduler.configuration.policy.ordersByTeamShare {
                single = []
                teams = scheduler.teamQueues.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map {
                    ($0.key, $0.value, 0, scheduler.dominantShare($0.key))
                }
            } else {
                single = scheduler.queue
                teams = []
            }
        }

        /// Only these records, in this order.
        init(only records: [Int]) {
            single = records
            teams = []
        }

        /// The next record to consider, or `nil` when the pass is over.
        @inline(__always)
        mutating func next(_ scheduler: inout Scheduler) -> Int? {
            if stopped { return nil }
            if teams.isEmpty {
                // Skips entries that started (or were cancelled) since the queue was compacted.
                while cursor < single.count {
                    let r = single[cursor]
                    cursor += 1
                    if scheduler.records[r].state == .pending && !scheduler.records[r].awaitingRequeue { return r }
                }
                return nil
            }
            // Skips entries no longer waiting (started, or preempted in this very pass).
            while true {
                var best = -1
                for i in teams.indices where teams[i].cursor < teams[i].jobs.count {
                    if best >= 0 && teams[best].share <= teams[i].share { continue }
                    best = i
                }
                guard best >= 0 else { return nil }
                let r = teams[best].jobs[teams[best].cursor]
                teams[best].cursor += 1
                lastTeam = best
                if scheduler.records[r].state == .pending && !scheduler.records[r].awaitingRequeue { return r }
            }
        }

        private var lastTeam = -1

        /// A job started: its team's share moved, and so did the shares of the teams whose jobs
        /// it preempted (QA sweep: a reclaiming start left the victim team's share as it was, so
        /// DRF's next pick in the pass went to the wrong team).
        mutating func started(_ r: Int, _ scheduler: inout Scheduler, afterPreempting: Bool) {
            if afterPreempting {
                for i in teams.indices { teams[i].share = scheduler.dominantShare(teams[i].team) }
                return
            }
            guard lastTeam >= 0 else { return }
            teams[lastTeam].share = scheduler.dominantShare(teams[lastTeam].team)
        }

        /// Ends the pass (strict order behind a job that cannot start).
        mutating func stop() { stopped = true }
    }
}
