public import ServiceLifecycle
import Synchronization

/// Resolves `team/model@alias` from memory in a serving process, and tells it when an alias moves.
///
/// ```swift
/// let resolver = AliasResolver(store: registry)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await resolver.run() }          // or put it in the ServiceGroup
///     let scorer = try ModelName("fraud/scorer")
///     for try await version in try await resolver.updates(of: scorer, alias: "production") {
///         try await loadModel(version.artifactDigest)      // a new model without a restart
///     }
/// }
/// // On the request path: a dictionary look-up under a lock, no store round trip.
/// let version = try await resolver.resolve(scorer, alias: "production")
/// ```
///
/// The first ``resolve(_:alias:)`` of an alias reads the store and keeps the answer; later ones
/// are answered from memory (a few hundred nanoseconds; see Benchmarks.md). ``run()`` watches the
/// store's change counter (``RegistryStore/watchChanges(pollInterval:_:)``: PostgreSQL
/// notifications, or a poll every ``pollInterval`` on SQLite) and, whenever it moves, reads every
/// kept alias again, replaces what changed and tells the streams of ``updates(of:alias:)``.
///
/// How stale can an answer be? On PostgreSQL, about one round trip after the promotion commits;
/// on SQLite, up to ``pollInterval``. Without ``run()`` nothing is ever refreshed: call
/// ``refresh()`` yourself then.
public final class AliasResolver: Service, Sendable {
    /// The registry read from.
    public let store: any RegistryStore
    /// How often the change counter is read when the store cannot notify (SQLite).
    public let pollInterval: Duration

    private struct Key: Hashable, Sendable {
        var model: ModelName
        var alias: String
    }

    private struct State {
        var entries: [Key: ModelVersion] = [:]
        /// The generation each entry was read under: a refresh never replaces an answer read
        /// under a later generation than its own (two refreshes may overlap).
        var stamps: [Key: UInt64] = [:]
        /// Grows each time a change is seen: a store read that began before a change must not
        /// be kept after it (it may predate the move).
        var generation: UInt64 = 0
        var watchers: [Key: [UInt64: AsyncStream<ModelVersion>.Continuation]] = [:]
        var nextWatcherID: UInt64 = 0
        var stopped = false
    }

    private let state = Mutex(State())

    /// Creates a resolver on `store`; nothing runs until ``run()``.
    ///
    /// - Parameters:
    ///   - store: the registry.
    ///   - pollInterval: how often to read the change counter on a store that cannot notify.
    public init(store: any RegistryStore, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.pollInterval = pollInterval
    }

    /// The version `alias` points at, from memory when this resolver has resolved it before,
    /// otherwise from the store (then kept).
    ///
    /// - Throws: ``RegistryError/Code/notFound`` for an unknown model or alias (not kept: the
    ///   next call asks the store again).
    public func resolve(_ model: ModelName, alias: String) async throws -> ModelVersion {
        let key = Key(model: model, alias: alias)
        // A read that a refresh overtook may predate a move: it is not kept, and read again (a
        // few times; under a storm of changes the last answer is returned without being kept).
        var attempt = 1
        while true {
            let (cached, generation) = state.withLock { ($0.entries[key], $0.generation) }
            if let cached { return cached }
            let read = try await store.resolve(model, alias: alias)
            let kept = state.withLock { state in
                guard state.generation == generation && !state.stopped else { return false }
                state.entries[key] = read
                state.stamps[key] = generation
                return true
            }
            if kept || attempt == 4 { return read }
            attempt += 1
        }
    }

    /// The version kept for `alias`, without reading the store: nil when it has not been
    /// resolved yet.
    public func cachedVersion(of model: ModelName, alias: String) -> ModelVersion? {
        state.withLock { $0.entries[Key(model: model, alias: alias)] }
    }

    /// The versions `alias` points at: the current one at once, then each new holder (or a
    /// change of the same version's record, its status say) as ``run()`` sees it.
    ///
    /// The stream ends when the iterating task is cancelled or ``run()`` returns. Slow consumers
    /// see the newest version: only the last unread one is kept.
    ///
    /// - Throws: ``RegistryError/Code/notFound`` for an unknown model or alias.
    public func updates(of model: ModelName, alias: String) async throws -> AsyncStream<ModelVersion> {
        let current = try await resolve(model, alias: alias)
        let key = Key(model: model, alias: alias)
        let (stream, continuation) = AsyncStream.makeStream(of: ModelVersion.self, bufferingPolicy: .bufferingNewest(1))
        let registered: Bool = state.withLock { state in
            guard !state.stopped else { return false }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[key, default: [:]][id] = continuation
            // A change seen between the read above and now has replaced the entry: start from it.
            continuation.yield(state.entries[key] ?? current)
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { state in
                    state.watchers[key]?[id] = nil
                    if state.watchers[key]?.isEmpty == true { state.watchers[key] = nil }
                }
            }
            return true
        }
        if !registered {
            continuation.yield(current)
            continuation.finish()
        }
        return stream
    }

    /// Reads every kept alias again now, replaces what changed and tells its watchers.
    ///
    /// An alias whose model or alias no longer resolves is dropped from memory (its watchers
    /// keep their last version).
    ///
    /// - Throws: what reading the store throws; entries read before the failure are updated,
    ///   the others keep their values.
    public func refresh() async throws {
        let (keys, generation) = state.withLock { state -> ([Key], UInt64) in
            state.generation &+= 1
            // Watched aliases too, even when not kept (a resolution that lost its race).
            return (Array(Set(state.entries.keys).union(state.watchers.keys)), state.generation)
        }
        for key in keys {
            let fresh: ModelVersion?
            do {
                fresh = try await store.resolve(key.model, alias: key.alias)
            } catch let error as RegistryError where error.code == .notFound {
                fresh = nil
            }
            let (changed, watchers) = state.withLock { state -> (Bool, [AsyncStream<ModelVersion>.Continuation]) in
                // A refresh that started later has stored a newer answer: keep it.
                guard (state.stamps[key] ?? 0) <= generation else { return (false, []) }
                let old = state.entries[key]
                state.entries[key] = fresh
                state.stamps[key] = generation
                guard let fresh, fresh != old else { return (false, []) }
                return (true, Array((state.watchers[key] ?? [:]).values))
            }
            if changed, let fresh {
                for watcher in watchers { watcher.yield(fresh) }
            }
        }
    }

    /// Watches the store until the task is cancelled or the service group shuts down gracefully,
    /// refreshing the kept aliases whenever the change counter moves; then ends every stream of
    /// ``updates(of:alias:)``.
    ///
    /// A refresh that fails (the store unreachable for a moment) is tried again every
    /// ``pollInterval`` until it succeeds; the old answers are served meanwhile.
    public func run() async throws {
        defer { stop() }
        try await cancelWhenGracefulShutdown {
            try await self.store.watchChanges(pollInterval: self.pollInterval) { _ in
                while !Task.isCancelled {
                    do {
                        try await self.refresh()
                        return
                    } catch {
                        try? await Task.sleep(for: self.pollInterval)
                    }
                }
            }
        }
    }

    private func stop() {
        let watchers = state.withLock { state in
            state.stopped = true
            defer { state.watchers = [:] }
            return state.watchers.values.flatMap(\.values)
        }
        for watcher in watchers { watcher.finish() }
    }
}
