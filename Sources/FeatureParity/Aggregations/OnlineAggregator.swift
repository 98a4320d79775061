import Synchronization

/// The online side of a ``WindowedAggregation``: each entity's window kept in memory and updated
/// as its events arrive, so a request reads the aggregate without scanning history.
///
/// Runs the same state as the offline backfill, so for a stream replayed in time order both give
/// the same value for every event. Memory per entity is bounded by the number of buckets when
/// the aggregation has a slide step (and by the events inside the window when it is exact).
/// Entities are sharded over locks, so events of different entities rarely contend.
public final class OnlineAggregator: Sendable {
    /// The aggregation.
    public let aggregation: WindowedAggregation

    private final class Shard: Sendable {
        let states = Mutex<[String: AggregationState]>([:])
    }

    private let shards: [Shard]

    /// An aggregator for `aggregation`, with `shards` locks (default 64).
    public init(_ aggregation: WindowedAggregation, shards: Int = 64) {
        self.aggregation = aggregation
        self.shards = (0..<Swift.max(1, shards)).map { _ in Shard() }
    }

    private func shard(_ entity: String) -> Shard {
        var hasher = Hasher()
        hasher.combine(entity)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(shards.count))]
    }

    /// Adds an event of `entity` at `time` (microseconds since the epoch) with `value` (nil:
    /// counted, not aggregated) and returns the aggregate as of it.
    @discardableResult
    public func add(entity: String, time: Int64, value: Double?) -> Double? {
        shard(entity).states.withLock { states in
            // Mutated in place through the dictionary: no copy of the window.
            states[entity, default: AggregationState(aggregation)].add(time: time, value: value ?? .nan)
        }
    }

    /// Adds an event whose value is a category (nil: counted, not aggregated), for `count` and
    /// `distinctCount`: the category counts by ``WindowedAggregation/categoryCode(_:)``, as in the
    /// offline backfill.
    @discardableResult
    public func add(entity: String, time: Int64, category: String?) -> Double? {
        add(entity: entity, time: time, value: category.map(WindowedAggregation.categoryCode))
    }

    /// The aggregate of `entity` at request time `asOf` (microseconds; nil: as of its latest
    /// event): events that have left the window since are not counted, so an entity idle since
    /// yesterday has an empty one-hour window. Nil for an entity never seen, and for functions
    /// with no value over an empty window.
    public func value(entity: String, asOf: Int64? = nil) -> Double? {
        shard(entity).states.withLock { $0[entity]?.current(asOf: asOf) }
    }

    /// Forgets entities whose latest event is at or before `cutoff` (microseconds): their windows
    /// are empty from then on. Call it periodically (with now minus the window) to bound memory
    /// by the active entities.
    ///
    /// - Returns: How many were forgotten.
    @discardableResult
    public func evictIdle(before cutoff: Int64) -> Int {
        shards.reduce(0) { total, shard in
            total + shard.states.withLock { states in
                let idle = states.filter { $0.value.latest <= cutoff }.map(\.key)
                for key in idle { states.removeValue(forKey: key) }
                return idle.count
            }
        }
    }

    /// Entities held.
    public var entityCount: Int { shards.reduce(0) { total, shard in total + shard.states.withLock { $0.count } } }
}
