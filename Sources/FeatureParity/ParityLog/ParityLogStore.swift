/// Where sampled serving records go, so that parity can be checked later against an offline
/// recomputation. Implementations: ``InMemoryParityLogStore`` (tests, one process) and
/// ``SQLParityLogStore`` (SQLite, or PostgreSQL shared by replicas); one conformance suite.
public protocol ParityLogStore: Sendable {
    /// Appends records (one transaction: all or none).
    func append(_ records: [ParityRecord]) async throws

    /// Records served at or after `since`, oldest first, at most `limit`; only those of the
    /// feature set `featureSetHash` when it is given.
    func records(featureSetHash: String?, since: Double, limit: Int) async throws -> [ParityRecord]

    /// How many records are stored.
    func count() async throws -> Int
}
