import Foundation
import Synchronization
public import TensorCore

/// Profiles live traffic from many tasks at once, inside a serving process.
///
/// The profiler keeps several shards (twice the cores), each a ``DatasetProfile`` behind its
/// own `Mutex`. A caller's thread picks its shard from its thread id and takes the lock with
/// `withLockIfAvailable`; when another thread holds it, the caller moves on to the next shard
/// instead of waiting, and waits only when every shard is busy at that instant. It never hops
/// to an actor, and for numbers it allocates nothing beyond a sketch's occasional growth.
/// ``drain()`` merges the shards into one window's profile and swaps in empty profiles built
/// outside the locks, so the next window's first records do not copy anything.
///
/// ```swift
/// let profiler = try StreamingProfiler(schema: [("amount", .double), ("country", .categorical)])
/// // in each request handler:
/// profiler.record { row in
///     row.update(column: 0, request.amount)
///     row.update(column: 1, request.country)
/// }
/// // every window:
/// let window = try profiler.drain()
/// ```
public final class StreamingProfiler: Sendable {
    /// The empty profile each window starts from.
    public let template: DatasetProfile
    private let shards: [Shard]
    /// Numbers the empty profiles handed to shards, so each flips its own coins.
    private let copies: Atomic<UInt64>

    private final class Shard: Sendable {
        let profile: Mutex<DatasetProfile>
        init(_ profile: DatasetProfile) { self.profile = Mutex(profile) }
    }

    /// A profiler for a schema.
    ///
    /// - Parameters:
    ///   - schema: column names and kinds, in the order the profile's `update(column:…)` methods index them.
    ///   - settings: sketch sizes.
    ///   - shardCount: shards (default: twice the active cores, at least 2).
    public init(schema: [(name: String, kind: ColumnKind)], settings: ProfileSettings = ProfileSettings(), shardCount: Int? = nil) throws(DriftError) {
        template = try DatasetProfile(schema: schema, settings: settings)
        let count = Swift.max(2, shardCount ?? 2 * ProcessInfo.processInfo.activeProcessorCount)
        var shards: [Shard] = []
        for index in 0..<count { shards.append(Shard(try Self.seededCopy(of: template, number: UInt64(index)))) }
        self.shards = shards
        copies = Atomic(UInt64(count))
    }

    /// An empty profile for a shard, its sketches seeded apart from every other copy's: the
    /// shards are merged, and the sketches' error bounds assume merged sketches flip
    /// independent coins.
    private func freshCopy() throws(DriftError) -> DatasetProfile {
        try Self.seededCopy(of: template, number: copies.add(1, ordering: .relaxed).oldValue)
    }

    private static func seededCopy(of template: DatasetProfile, number: UInt64) throws(DriftError) -> DatasetProfile {
        try template.emptyCopy(coinSeed: SplitMix64.mix(template.settings.seed &+ (number &+ 1) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// Records into one shard's profile: call the profile's `update` methods in `body`.
    ///
    /// `body` runs while a shard is held, so keep it to sketch updates.
    public func record(_ body: (inout DatasetProfile) -> Void) {
        let start = Self.shardHint(shards.count)
        for attempt in 0..<shards.count {
            let shard = shards[(start + attempt) % shards.count]
            let done: Bool? = shard.profile.withLockIfAvailable { profile in
                body(&profile)
                return true
            }
            if done != nil { return }
        }
        // Every shard busy (more threads than shards, all mid-update): wait for our own.
        shards[start].profile.withLock { body(&$0) }
    }

    /// The merged profile of everything recorded since the last drain, without resetting.
    ///
    /// - Throws: ``DriftError`` only if a shard's profile cannot be merged (never for shards
    ///   this profiler made).
    public func snapshot() throws(DriftError) -> DatasetProfile {
        var merged = template
        for shard in shards {
            let copy = shard.profile.withLock { $0 }
            try merged.merge(copy)
        }
        return merged
    }

    /// The merged profile of everything recorded since the last drain; the shards start empty.
    ///
    /// - Throws: ``DriftError`` only if a shard's profile cannot be merged (never for shards
    ///   this profiler made).
    public func drain() throws(DriftError) -> DatasetProfile {
        var merged = template
        for shard in shards {
            // Built outside the lock, with storage of its own.
            var fresh = try freshCopy()
            shard.profile.withLock { swap(&$0, &fresh) }
            try merged.merge(fresh)
        }
        return merged
    }

    /// A shard index from the calling thread's id, so one thread keeps to one shard.
    private static func shardHint(_ count: Int) -> Int {
        #if canImport(Darwin)
        var id = UInt64(UInt(bitPattern: pthread_self()))
        #else
        var id = UInt64(pthread_self())
        #endif
        id = (id ^ (id >> 33)) &* 0xff51afd7ed558ccd
        id ^= id >> 33
        return Int(id % UInt64(count))
    }
}
