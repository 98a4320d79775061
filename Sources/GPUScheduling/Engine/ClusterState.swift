/// What is free on every node and GPU, indexed so placement decisions stay cheap with thousands
/// of nodes and pending jobs.
///
/// Nodes that look alike to a job (same GPU model, labels and taints) form a *pool*; within a
/// pool, nodes are kept in buckets by their number of wholly free GPUs, so "the fullest node
/// with at least 3 free GPUs" is found by walking at most a few buckets instead of every node.
/// Capacity is in milli-GPUs: each GPU offers 1,000.
struct ClusterState: Sendable {
    /// Nodes that look alike to every job.
    struct Pool: Sendable {
        var gpuModel: String
        var labels: [String: String]
        var taints: [String]
        /// Node indices, ascending.
        var nodes: [Int]
        var maxGPUs: Int
    }

    let spec: ClusterSpec
    let firstSlot: [Int]
    let gpuCount: [Int]
    /// Milli-GPUs free on each GPU (index `firstSlot[node] + gpu`).
    private(set) var slotFree: [Int]
    /// GPUs wholly free on each node.
    private(set) var wholeFree: [Int]
    private(set) var cpuFree: [Int]
    private(set) var memoryFree: [Int]
    /// For topology depth 1 (island), 2 (rack), 3 (zone): each node's domain number.
    let domainOf: [[Int]]
    let poolOf: [Int]
    let pools: [Pool]
    /// pool → wholly free GPU count → nodes.
    private var buckets: [[[Int]]]
    private var bucketPosition: [Int]
    private(set) var poolWholeFree: [Int]
    private(set) var totalFreeMilli: Int
    let totalMilli: Int

    static let untracked = Int.max / 4

    init(spec: ClusterSpec) {
        self.spec = spec
        var firstSlot: [Int] = []
        var slots = 0
        for node in spec.nodes {
            firstSlot.append(slots)
            slots += node.gpus
        }
        self.firstSlot = firstSlot
        gpuCount = spec.nodes.map(\.gpus)
        slotFree = Array(repeating: 1000, count: slots)
        wholeFree = gpuCount
        cpuFree = spec.nodes.map { $0.cpuMilli ?? Self.untracked }
        memoryFree = spec.nodes.map { $0.memoryMiB ?? Self.untracked }
        totalMilli = slots * 1000
        totalFreeMilli = totalMilli

        var domainOf: [[Int]] = []
        for level in [TopologyLevel.island, .rack, .zone] {
            var ids: [String: Int] = [:]
            var of: [Int] = []
            for node in spec.nodes {
                let name: String
                switch level {
                case .island: name = node.island ?? "node:" + node.name
                case .rack: name = node.rack ?? "node:" + node.name
                default: name = node.zone ?? "zone"
                }
                if let id = ids[name] {
                    of.append(id)
                } else {
                    ids[name] = ids.count
                    of.append(ids.count - 1)
                }
            }
            domainOf.append(of)
        }
        self.domainOf = domainOf

        struct Signature: Hashable {
            var model: String
            var labels: [String: String]
            var taints: [String]
        }
        var poolIDs: [Signature: Int] = [:]
        var pools: [Pool] = []
        var poolOf: [Int] = []
        for (index, node) in spec.nodes.enumerated() {
            let signature = Signature(model: node.gpuModel, labels: node.labels, taints: node.taints.sorted())
            if let id = poolIDs[signature] {
                poolOf.append(id)
                pools[id].nodes.append(index)
                pools[id].maxGPUs = max(pools[id].maxGPUs, node.gpus)
            } else {
                poolIDs[signature] = pools.count
                poolOf.append(pools.count)
                pools.append(Pool(gpuModel: node.gpuModel, labels: node.labels, taints: signature.taints, nodes: [index], maxGPUs: node.gpus))
            }
        }
        self.poolOf = poolOf
        self.pools = pools
        var buckets: [[[Int]]] = pools.map { Array(repeating: [], count: $0.maxGPUs + 1) }
        var bucketPosition = Array(repeating: 0, count: spec.nodes.count)
        var poolWholeFree = Array(repeating: 0, count: pools.count)
        for (index, node) in spec.nodes.enumerated() {
            let p = poolOf[index]
            bucketPosition[index] = buckets[p][node.gpus].count
            buckets[p][node.gpus].append(index)
            poolWholeFree[p] += node.gpus
        }
        self.buckets = buckets
        self.bucketPosition = bucketPosition
        self.poolWholeFree = poolWholeFree
    }

    // MARK: Eligibility

    /// The pools a job may run in: GPU model, node selector and taints allow it.
    func eligiblePools(for job: JobSpec) -> [Int] {
        var result: [Int] = []
        for (index, pool) in pools.enumerated() {
            if job.gpus > 0 && pool.maxGPUs == 0 { continue }
            if !job.gpuModels.isEmpty && !job.gpuModels.contains(pool.gpuModel) { continue }
            if !job.nodeSelector.allSatisfy({ pool.labels[$0.key] == $0.value }) { continue }
            if !pool.taints.allSatisfy({ job.tolerations.contains($0) }) { continue }
            result.append(index)
        }
        return result
    }

    func domain(of node: Int, at level: TopologyLevel) -> Int {
        switch level {
        case .node: node
        case .cluster: 0
        default: domainOf[level.depth - 1][node]
        }
    }

    // MARK: Capacity

    /// How many of the request's workers fit on `node` now.
    func workerCapacity(of node: Int, for request: PlacementRequest) -> Int {
        var capacity = Int.max
        if request.cpuPerWorker > 0 { capacity = min(capacity, cpuFree[node] / request.cpuPerWorker) }
        if request.memoryPerWorker > 0 { capacity = min(capacity, memoryFree[node] / request.memoryPerWorker) }
        if request.gpusPerWorker == 0 { return capacity == Int.max ? request.workers : capacity }
        if request.isFractional {
            var slots = 0
            let first = firstSlot[node]
            for slot in first..<(first + gpuCount[node]) where slotFree[slot] >= request.gpuMilli { slots += 1 }
            return min(capacity, slots)
        }
        return min(capacity, wholeFree[node] / request.gpusPerWorker)
    }

    /// Wholly free GPUs over some pools.
    func wholeFree(in pools: [Int]) -> Int {
        var sum = 0
        for p in pools { sum += poolWholeFree[p] }
        return sum
    }

    /// Nodes of `pools`, ascending.
    func nodes(in pools: [Int]) -> [Int] {
        if pools.count == 1 { return self.pools[pools[0]].nodes }
        return pools.flatMap { self.pools[$0].nodes }.sorted()
    }

    // MARK: Finding a placement

    /// Finds where the request fits now, or `nil`; changes nothing.
    ///
    /// - Complexity: O(buckets) for a single whole-GPU worker under bin-packing or spreading;
    ///   O(nodes in the pools) for gangs, fractions and first-fit.
    func findPlacement(
        for request: PlacementRequest, in pools: [Int], strategy: PlacementStrategy, mix: [(request: PlacementRequest, weight: Double)] = []
    ) -> Placement? {
        if pools.isEmpty { return nil }
        if request.gpusPerWorker > 0 && !request.isFractional && wholeFree(in: pools) < request.wholeGPUs { return nil }
        if strategy == .fragmentationAware {
            if request.workers == 1 && !mix.isEmpty { return findLeastFragmenting(request, pools, mix) }
            return findPlacement(for: request, in: pools, strategy: .binPack)
        }
        if request.isFractional && request.workers == 1 { return findFraction(request, pools, strategy) }
        if request.workers == 1 && request.gpusPerWorker > 0 && strategy != .firstFit {
            return findSingle(request, pools, strategy)
        }
        return findGang(request, pools, strategy)
    }

    private func worker(on node: Int, _ request: PlacementRequest, taking slots: [Int]) -> Placement.Worker {
        Placement.Worker(
            node: node, gpus: slots.map { $0 - firstSlot[node] }, gpuMilli: request.gpuMilli, cpuMilli: request.cpuPerWorker,
            memoryMiB: request.memoryPerWorker)
    }

    /// The first `count` wholly free GPUs of `node`, skipping those in `taken`.
    private func wholeSlots(on node: Int, count: Int, skipping taken: Int = 0) -> [Int] {
        var result: [Int] = []
        var skip = taken
        let first = firstSlot[node]
        for slot in first..<(first + gpuCount[node]) where slotFree[slot] == 1000 {
            if skip > 0 {
                skip -= 1
                continue
            }
            result.append(slot)
            if result.count == count { break }
        }
        return result
    }

    private func findSingle(_ request: PlacementRequest, _ pools: [Int], _ strategy: PlacementStrategy) -> Placement? {
        let g = request.gpusPerWorker
        let maxK = pools.reduce(0) { max($0, self.pools[$1].maxGPUs) }
        guard g <= maxK else { return nil }
        let ks: [Int] = strategy == .spread ? Array((g...maxK).reversed()) : Array(g...maxK)
        for k in ks {
            for p in pools where k < buckets[p].count {
                for node in buckets[p][k] where workerCapacity(of: node, for: request) >= 1 {
                    return Placement(workers: [worker(on: node, request, taking: wholeSlots(on: node, count: g))])
                }
            }
        }
        return nil
    }

    private func findFraction(_ request: PlacementRequest, _ pools: [Int], _ strategy: PlacementStrategy) -> Placement? {
        var best: (node: Int, slot: Int, score: (Int, Int, Int))?
        for node in nodes(in: pools) {
            if request.cpuPerWorker > cpuFree[node] || request.memoryPerWorker > memoryFree[node] { continue }
            let first = firstSlot[node]
            for slot in first..<(first + gpuCount[node]) where slotFree[slot] >= request.gpuMilli {
                if strategy == .firstFit {
                    return Placement(workers: [worker(on: node, request, taking: [slot])])
                }
                let left = slotFree[slot] - request.gpuMilli
                // Bin-packing: the GPU left with least over (so whole GPUs stay whole), on the node
                // with fewest whole GPUs free; spreading: the emptiest GPU on the emptiest node.
                let score = strategy == .spread ? (-left, -wholeFree[node], node) : (left, wholeFree[node], node)
                if let current = best, current.score <= score { continue }
                best = (node, slot, score)
            }
        }
        guard let best else { return nil }
        return Placement(workers: [worker(on: best.node, request, taking: [best.slot])])
    }

    private func findGang(_ request: PlacementRequest, _ pools: [Int], _ strategy: PlacementStrategy) -> Placement? {
        // Every node that can take at least one worker, with how many.
        var candidates: [(node: Int, capacity: Int)] = []
        var total = 0
        for node in nodes(in: pools) {
            let capacity = workerCapacity(of: node, for: request)
            if capacity > 0 {
                candidates.append((node, capacity))
                total += capacity
            }
        }
        guard total >= request.workers else { return nil }
        let widest = request.colocation ?? .cluster
        for level in TopologyLevel.allCases where level <= widest {
            var sums: [Int: Int] = [:]
            var firstNode: [Int: Int] = [:]
            for candidate in candidates {
                let d = domain(of: candidate.node, at: level)
                sums[d, default: 0] += candidate.capacity
                if firstNode[d] == nil { firstNode[d] = candidate.node }
            }
            // The domain to use: the first in node order, the tightest fit, or the roomiest.
            var chosen: (domain: Int, key: (Int, Int))?
            for (d, sum) in sums where sum >= request.workers {
                let key: (Int, Int)
                switch strategy {
                case .firstFit: key = (firstNode[d] ?? 0, d)
                case .binPack, .fragmentationAware: key = (sum, d)
                case .spread: key = (-sum, d)
                }
                if let current = chosen, current.key <= key { continue }
                chosen = (d, key)
            }
            guard let chosen = chosen?.domain else { continue }
            var inside = candidates.filter { domain(of: $0.node, at: level) == chosen }
            if strategy != .firstFit {
                // Fewest nodes: the roomiest first.
                inside.sort { ($0.capacity, -$0.node) > ($1.capacity, -$1.node) }
            }
            var workers: [Placement.Worker] = []
            for candidate in inside where workers.count < request.workers {
                let take = min(candidate.capacity, request.workers - workers.count)
                for w in 0..<take {
                    let slots: [Int]
                    if request.gpusPerWorker == 0 {
                        slots = []
                    } else if request.isFractional {
                        slots = fractionSlots(on: candidate.node, milli: request.gpuMilli, skipping: w)
                    } else {
                        slots = wholeSlots(on: candidate.node, count: request.gpusPerWorker, skipping: w * request.gpusPerWorker)
                    }
                    workers.append(worker(on: candidate.node, request, taking: slots))
                }
            }
            return Placement(workers: workers)
        }
        return nil
    }

    /// The free GPU capacity on a node (GPUs' free milli in `slots`, with `cpu` and `memory`
    /// free) that the mix's requests could not use, weighted by how often each occurs.
    private func unusable(_ slots: UnsafeBufferPointer<Int>, cpu: Int, memory: Int, mix: [(request: PlacementRequest, weight: Double)]) -> Double {
        var free = 0
        var whole = 0
        for slot in slots {
            free += slot
            if slot == 1000 { whole += 1 }
        }
        if free == 0 { return 0 }
        var total = 0.0
        for (request, weight) in mix {
            let fitsHost = cpu >= request.cpuPerWorker && memory >= request.memoryPerWorker
            if request.isFractional {
                var usable = false
                var lost = 0
                for slot in slots {
                    if slot >= request.gpuMilli { usable = true } else { lost += slot }
                }
                total += weight * Double(fitsHost && usable ? lost : free)
            } else {
                let fits = fitsHost && whole >= request.gpusPerWorker
                total += weight * Double(fits ? free - whole * 1000 : free)
            }
        }
        return total
    }

    /// Fragmentation gradient descent for one worker: the place whose placement adds least
    /// unusable capacity. Untouched nodes of one pool are alike, so each pool's is scored once.
    private func findLeastFragmenting(_ request: PlacementRequest, _ pools: [Int], _ mix: [(request: PlacementRequest, weight: Double)]) -> Placement? {
        var best: (node: Int, slots: [Int], score: (Double, Int, Int))?
        var scratch = [Int](repeating: 0, count: 1024)
        var pristineScore: [Int: (Double, Int, Int)] = [:]
        for node in nodes(in: pools) {
            if request.cpuPerWorker > cpuFree[node] || request.memoryPerWorker > memoryFree[node] { continue }
            let first = firstSlot[node]
            let count = gpuCount[node]
            let pristine = wholeFree[node] == count && cpuFree[node] == (spec.nodes[node].cpuMilli ?? Self.untracked)
                && memoryFree[node] == (spec.nodes[node].memoryMiB ?? Self.untracked)
            // The GPU choices worth scoring: for a fraction, one GPU per distinct free amount.
            var choices: [[Int]] = []
            if request.gpusPerWorker == 0 {
                choices = [[]]
            } else if request.isFractional {
                var seen = Set<Int>()
                for slot in first..<(first + count) where slotFree[slot] >= request.gpuMilli && seen.insert(slotFree[slot]).inserted {
                    choices.append([slot])
                }
            } else if wholeFree[node] >= request.gpusPerWorker {
                choices = [wholeSlots(on: node, count: request.gpusPerWorker)]
            }
            if choices.isEmpty { continue }
            if pristine, let known = pristineScore[poolOf[node]] {
                if let current = best, current.score <= (known.0, known.1, node) { continue }
                best = (node, choices[0], (known.0, known.1, node))
                continue
            }
            let before = slotFree.withUnsafeBufferPointer { unusable(UnsafeBufferPointer(rebasing: $0[first..<(first + count)]), cpu: cpuFree[node], memory: memoryFree[node], mix: mix) }
            for choice in choices {
                for i in 0..<count { scratch[i] = slotFree[first + i] }
                for slot in choice { scratch[slot - first] -= request.gpuMilli }
                let after = scratch.withUnsafeBufferPointer {
                    unusable(UnsafeBufferPointer(rebasing: $0[0..<count]), cpu: cpuFree[node] - request.cpuPerWorker, memory: memoryFree[node] - request.memoryPerWorker, mix: mix)
                }
                let leftover = choice.reduce(0) { $0 + slotFree[$1] - request.gpuMilli }
                let score = (after - before, leftover, node)
                if pristine { pristineScore[poolOf[node]] = score }
                if let current = best, current.score <= score { continue }
                best = (node, choice, score)
            }
        }
        guard let best else { return nil }
        return Placement(workers: [worker(on: best.node, request, taking: best.slots)])
    }

    private func fractionSlots(on node: Int, milli: Int, skipping: Int) -> [Int] {
        let first = firstSlot[node]
        var skip = skipping
        for slot in first..<(first + gpuCount[node]) where slotFree[slot] >= milli {
            if skip == 0 { return [slot] }
            skip -= 1
        }
        return []
    }

    // MARK: Changing what is held

    /// Takes what `placement` holds.
    mutating func commit(_ placement: Placement) {
        for worker in placement.workers { apply(worker, sign: -1) }
    }

    /// Gives back what `placement` held.
    mutating func release(_ placement: Placement) {
        for worker in placement.workers { apply(worker, sign: 1) }
    }

    private mutating func apply(_ worker: Placement.Worker, sign: Int) {
        let node = worker.node
        let first = firstSlot[node]
        for gpu in worker.gpus {
            slotFree[first + gpu] += sign * worker.gpuMilli
            totalFreeMilli += sign * worker.gpuMilli
        }
        cpuFree[node] += sign * worker.cpuMilli
        memoryFree[node] += sign * worker.memoryMiB
        var whole = 0
        for slot in first..<(first + gpuCount[node]) where slotFree[slot] == 1000 { whole += 1 }
        let old = wholeFree[node]
        if whole != old {
            let p = poolOf[node]
            // Swap-remove from the old bucket, append to the new one.
            let position = bucketPosition[node]
            let last = buckets[p][old].removeLast()
            if last != node {
                buckets[p][old][position] = last
                bucketPosition[last] = position
            }
            bucketPosition[node] = buckets[p][whole].count
            buckets[p][whole].append(node)
            wholeFree[node] = whole
            poolWholeFree[p] += whole - old
        }
    }

    // MARK: Checking

    /// Every way the free counts could disagree with the slots: for the invariant checks.
    func consistencyProblems() -> [String] {
        var problems: [String] = []
        var free = 0
        for (node, spec) in spec.nodes.enumerated() {
            let first = firstSlot[node]
            var whole = 0
            for slot in first..<(first + gpuCount[node]) {
                if slotFree[slot] < 0 || slotFree[slot] > 1000 {
                    problems.append("GPU \(slot - first) of node \(spec.name) has \(slotFree[slot]) of 1000 free")
                }
                if slotFree[slot] == 1000 { whole += 1 }
                free += slotFree[slot]
            }
            if whole != wholeFree[node] { problems.append("node \(spec.name) counts \(wholeFree[node]) whole GPUs free, has \(whole)") }
            if cpuFree[node] < 0 { problems.append("node \(spec.name) has CPU over-allocated (\(cpuFree[node]))") }
            if memoryFree[node] < 0 { problems.append("node \(spec.name) has memory over-allocated (\(memoryFree[node]))") }
            let p = poolOf[node]
            if bucketPosition[node] >= buckets[p][whole].count || buckets[p][whole][bucketPosition[node]] != node {
                problems.append("node \(spec.name) is not in its free-GPU bucket")
            }
        }
        if free != totalFreeMilli { problems.append("total free \(totalFreeMilli) milli-GPUs, slots add up to \(free)") }
        return problems
    }
}
