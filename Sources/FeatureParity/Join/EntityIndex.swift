import TensorCore

/// The feature rows grouped by entity, each group in time order: a counting sort by entity code
/// (stable, so rows of equal time keep their file order) and a sort of a group only where the
/// file was not already in time order.
struct EntityIndex: Sendable {
    /// Row numbers, grouped by entity, each group in (time, file order).
    let rows: [Int32]
    /// Their times, in the same order.
    let times: [Int64]
    /// Group `e` is `rows[starts[e] ..< starts[e + 1]]`.
    let starts: [Int]
    /// Rows without a key or a time (left out).
    let droppedRows: Int
    /// Rows with the same entity and time as the row before them in the group.
    let duplicates: Int

    init(codes: [Int32], times rowTimes: [Int64], entities: Int) {
        var counts = [Int](repeating: 0, count: entities + 1)
        var dropped = 0
        for (row, code) in codes.enumerated() {
            if code < 0 || rowTimes[row] == TimeValues.missing { dropped += 1 } else { counts[Int(code) + 1] += 1 }
        }
        for e in 0..<entities { counts[e + 1] += counts[e] }
        let starts = counts
        var next = counts
        var rows = [Int32](repeating: 0, count: codes.count - dropped)
        var times = [Int64](repeating: 0, count: codes.count - dropped)
        // One pass scatters each row number and its time to the row's place in its group.
        codes.withUnsafeBufferPointer { codes in
            rowTimes.withUnsafeBufferPointer { rowTimes in
                rows.withUnsafeMutableBufferPointer { rows in
                    times.withUnsafeMutableBufferPointer { times in
                        next.withUnsafeMutableBufferPointer { next in
                            for row in 0..<codes.count {
                                let code = Int(codes[row]), time = rowTimes[row]
                                guard code >= 0, time != TimeValues.missing else { continue }
                                let slot = next[code]
                                rows[slot] = Int32(truncatingIfNeeded: row)
                                times[slot] = time
                                next[code] = slot + 1
                            }
                        }
                    }
                }
            }
        }
        var duplicates = 0
        for e in 0..<entities {
            let range = starts[e]..<starts[e + 1]
            var sorted = true
            for i in range.dropFirst() where times[i] < times[i - 1] {
                sorted = false
                break
            }
            if !sorted {
                // (time, row) order: the row number keeps file order among equal times.
                let pairs = range.map { (times[$0], rows[$0]) }.sorted { $0 < $1 }
                for (offset, pair) in pairs.enumerated() {
                    times[range.lowerBound + offset] = pair.0
                    rows[range.lowerBound + offset] = pair.1
                }
            }
            for i in range.dropFirst() where times[i] == times[i - 1] { duplicates += 1 }
        }
        self.rows = rows
        self.times = times
        self.starts = starts
        droppedRows = dropped
        self.duplicates = duplicates
    }

    struct Matches {
        /// Per event, the matched feature row (−1: none).
        var rows: [Int32]
        var matched = 0
        var noEarlier = 0
        var outsideTTL = 0
        var skippedCreated = 0
    }

    /// Each event's feature row: the last of its entity's group at or before the event time
    /// (and created by then, when `created` is given), if within `ttl`.
    func match(eventCodes: [Int32], eventTimes: [Int64], ttl: Int64?, created: [Int64]?) -> Matches {
        let count = eventCodes.count
        var result = [Int32](repeating: -1, count: count)
        let partials = result.withUnsafeMutableBufferPointer { output -> [Matches] in
            let out = DisjointAccess(output)
            return ParallelFor.map(count: count, minimumChunk: 50_000) { range -> Matches in
                var tally = Matches(rows: [])
                rows.withUnsafeBufferPointer { rows in
                    times.withUnsafeBufferPointer { times in
                        for i in range {
                            let code = eventCodes[i]
                            let t = eventTimes[i]
                            guard code >= 0, t != TimeValues.missing else { continue }
                            let lower = starts[Int(code)], upper = starts[Int(code) + 1]
                            // The first position in the group with a time after t. (Written out, not
                            // TensorCore's partitioningIndex over a slice: this is the join's
                            // per-event loop, and the slice version measured 2-5% slower.)
                            var lo = lower, hi = upper
                            while lo < hi {
                                let mid = (lo + hi) >> 1
                                if times[mid] <= t { lo = mid + 1 } else { hi = mid }
                            }
                            var position = lo - 1
                            if let created {
                                // A row without a creation time is visible (nothing says it came later).
                                while position >= lower, created[Int(rows[position])] != TimeValues.missing && created[Int(rows[position])] > t {
                                    position -= 1
                                    tally.skippedCreated += 1
                                }
                            }
                            guard position >= lower else { tally.noEarlier += 1; continue }
                            if let ttl, t - times[position] > ttl { tally.outsideTTL += 1; continue }
                            out.value[i] = rows[position]
                            tally.matched += 1
                        }
                    }
                }
                return tally
            }
        }
        var total = Matches(rows: result)
        for p in partials {
            total.matched += p.matched
            total.noEarlier += p.noEarlier
            total.outsideTTL += p.outsideTTL
            total.skippedCreated += p.skippedCreated
        }
        return total
    }
}
