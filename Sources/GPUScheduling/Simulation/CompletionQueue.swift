/// A min-heap of expected completions: (time, job, generation). A preempted job's pending
/// completion is left in place and skipped when its generation no longer matches.
struct CompletionQueue: Sendable {
    struct Entry: Sendable {
        var time: Double
        var job: Int
        var generation: Int
        func before(_ other: Entry) -> Bool { (time, job) < (other.time, other.job) }
    }

    private var heap: [Entry] = []

    var isEmpty: Bool { heap.isEmpty }
    var first: Entry? { heap.first }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].before(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].before(heap[smallest]) { smallest = left }
            if right < heap.count && heap[right].before(heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
