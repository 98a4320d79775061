/// A content-addressed store of immutable blobs (datasets, model files, reports), named by SHA-256.
///
/// Putting the same bytes twice stores them once. Every read verifies the bytes against their
/// digest. Implementations: ``FileSystemArtifactStore``.
public protocol ArtifactStore: Sendable {
    /// Stores the contents of a file, streaming it, and returns its digest.
    func put(contentsOf path: String) async throws -> ArtifactReceipt

    /// Stores bytes produced by `body` through a writer, streaming them, and returns their digest.
    ///
    /// Nothing is stored when `body` throws.
    func put(streaming body: (any ArtifactWriter) async throws -> Void) async throws -> ArtifactReceipt

    /// Streams the artifact's bytes to `body` in chunks, verifying the digest at the end.
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/artifactCorrupt``) after the last chunk when
    ///   the bytes do not match the digest; a caller that acts on the chunks as they come must undo
    ///   what it did when that happens. ``FileSystemArtifactStore/export(_:to:)`` does that for files.
    func read(_ digest: Digest, chunk body: (UnsafeRawBufferPointer) throws -> Void) async throws

    /// Information about an artifact, or `nil` when the store has never held it.
    func info(_ digest: Digest) async throws -> ArtifactInfo?

    /// Removes an artifact's bytes but keeps a tombstone, so readers learn it was purged and why.
    func purge(_ digest: Digest, reason: String) async throws

    /// Every digest whose bytes are stored, in ascending order.
    func allDigests() async throws -> [Digest]

    /// Stores bytes produced by `body`, as ``put(streaming:)`` does, then runs `stored` with the
    /// receipt while no purge of the digest can run: a purge that asks whether the bytes are
    /// still used (``FileSystemArtifactStore/purge(_:reason:unlessUsed:)``) runs wholly before
    /// the put, which then stores the bytes again, or after `stored` has recorded their new user.
    /// When `stored` throws and the bytes had been purged, a store that keeps tombstones asks
    /// `stillUsed` and, when nothing uses the bytes, leaves them purged, as
    /// ``FileSystemArtifactStore`` does.
    ///
    /// The default implementation runs `stored` after the put, with nothing held, and ignores
    /// `stillUsed` (the bytes stay): for stores whose bytes are never purged while in use.
    func put<Result>(
        streaming body: (any ArtifactWriter) async throws -> Void, thenHolding stored: (ArtifactReceipt) async throws -> Result,
        ifStoredThrows stillUsed: (Digest) async throws -> Bool
    ) async throws -> Result
}

/// Streams bytes into ``ArtifactStore/put(streaming:)``.
public protocol ArtifactWriter {
    /// Appends bytes to the artifact being written.
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ArtifactWriter {
    /// Appends bytes to the artifact being written.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// What a put stored.
public struct ArtifactReceipt: Sendable, Hashable, Codable {
    /// The digest of the bytes.
    public let digest: Digest
    /// The length of the bytes.
    public let size: Int64
    /// The bytes taken on disk (less than ``size`` when compressed).
    public let storedSize: Int64
    /// Whether the store already held these bytes, so nothing new was written.
    public let deduplicated: Bool
}

/// What a store knows about one artifact.
public struct ArtifactInfo: Sendable, Hashable, Codable {
    /// Whether the bytes are stored or were purged.
    public enum State: Sendable, Hashable, Codable {
        /// The bytes are stored.
        case stored
        /// The bytes were purged for `reason` at `purgedAt` (ISO 8601).
        case purged(reason: String, purgedAt: String)
    }

    /// The artifact's digest.
    public let digest: Digest
    /// Stored or purged.
    public let state: State
    /// The bytes taken on disk (0 when purged).
    public let storedSize: Int64
    /// Whether the stored bytes are zlib-compressed.
    public let compressed: Bool
}

extension ArtifactStore {
    public func put<Result>(
        streaming body: (any ArtifactWriter) async throws -> Void, thenHolding stored: (ArtifactReceipt) async throws -> Result,
        ifStoredThrows stillUsed: (Digest) async throws -> Bool
    ) async throws -> Result {
        try await stored(try await put(streaming: body))
    }

    /// ``put(streaming:thenHolding:ifStoredThrows:)`` for a caller that cannot tell whether a
    /// failed `stored` left a user of the bytes: they stay stored.
    public func put<Result>(
        streaming body: (any ArtifactWriter) async throws -> Void, thenHolding stored: (ArtifactReceipt) async throws -> Result
    ) async throws -> Result {
        try await put(streaming: body, thenHolding: stored, ifStoredThrows: { _ in true })
    }

    /// Stores bytes and returns their digest.
    public func put(_ bytes: [UInt8]) async throws -> ArtifactReceipt {
        try await put { writer in try writer.write(bytes) }
    }

    /// Reads a whole artifact into memory, verified.
    public func read(_ digest: Digest) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await read(digest) { chunk in bytes.append(contentsOf: chunk) }
        return bytes
    }

    /// Reads an artifact through, checking that its bytes match its digest.
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/artifactCorrupt``) when they do not.
    public func verify(_ digest: Digest) async throws {
        try await read(digest) { _ in }
    }

    /// Whether the store holds the artifact's bytes.
    public func contains(_ digest: Digest) async throws -> Bool {
        guard let info = try await info(digest) else { return false }
        return info.state == .stored
    }
}
