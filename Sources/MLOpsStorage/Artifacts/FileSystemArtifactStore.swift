internal import Crypto
import Foundation

/// An ``ArtifactStore`` in a folder of the local file system.
///
/// Layout: `objects/ab/<64 hex>` (or `<64 hex>.zz` when zlib-compressed), `tmp/` for writes in
/// progress, `tombstones/<64 hex>` for purged artifacts, `locks/ab` (one lock file per digest
/// prefix), and a marker file `.mlops-artifact-store` that tells the folder is a store.
///
/// A put streams into a temporary file, `fsync`s it and renames it under its digest, so a crash
/// never leaves a partial artifact under a digest. Every read recomputes the digest. Memory use
/// does not grow with the artifact: bytes move in ``chunkSize`` blocks.
///
/// Several stores on one folder, in one process or many, are safe together: the commit of a
/// put and a purge of the same digest take the digest's lock file (`flock`), so a put that finds
/// its bytes stored cannot report success while a purge removes them. Opening a new folder from
/// many processes at once is safe too: the marker is written first, atomically, and everything
/// else is created only if missing.
///
/// Calls do blocking file I/O on the calling task's thread.
public struct FileSystemArtifactStore: ArtifactStore {
    /// The store's folder.
    public let root: String
    /// How bytes are kept at rest.
    public let compression: ArtifactCompression
    /// How many bytes move per read or write call.
    public let chunkSize: Int
    /// Whether the store was opened read-only: it then never creates, changes or removes a file.
    public let readOnly: Bool

    /// How old a temporary file must be before it counts as stale: one day. A put in progress
    /// writes to its file all the time, so an older one belongs to a process that died.
    public static let defaultTemporaryFileGracePeriod: Duration = .seconds(24 * 3600)

    static let markerName = ".mlops-artifact-store"
    static let markerContents = "swift-mlops artifact store, layout 1\n"
    /// The prefix of a marker being written beside its final name.
    static let markerTemporaryPrefix = ".mlops-artifact-store.creating-"
    static let layoutFolders = ["objects", "tmp", "tombstones", "locks"]

    /// Opens the store in `root`, creating the folder when it does not exist.
    ///
    /// Any number of processes may open the same new folder at the same moment; all succeed
    /// and share one store. Temporary files older than `temporaryFileGracePeriod` (left by a
    /// process that was killed) are removed.
    ///
    /// - Parameters:
    ///   - root: The store's folder.
    ///   - compression: How new artifacts are kept at rest (reads handle both forms).
    ///   - chunkSize: How many bytes move per read or write call (at least 4096).
    ///   - readOnly: Open an existing store without writing anything: no folder or file is
    ///     created, cleaned or changed, and ``put(streaming:)`` and ``purge(_:reason:)`` throw
    ///     ``StorageError/Code/readOnly``. For checks and exports.
    ///   - temporaryFileGracePeriod: The age past which temporary files are removed on opening;
    ///     `nil` keeps them all. Ignored when `readOnly`.
    /// - Throws: ``StorageError`` (``StorageError/Code/fileSystem``) when `root` is a file, a
    ///   folder with other contents (it is never written into), or cannot be created;
    ///   (``StorageError/Code/cannotOpen``) when `readOnly` and `root` is not a store.
    public init(
        root: String, compression: ArtifactCompression = .none, chunkSize: Int = 1 << 20, readOnly: Bool = false,
        temporaryFileGracePeriod: Duration? = FileSystemArtifactStore.defaultTemporaryFileGracePeriod
    ) throws(StorageError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.compression = compression
        self.chunkSize = max(4096, chunkSize)
        self.readOnly = readOnly
        if readOnly {
            try openExisting()
        } else {
            try createLayout()
            if let temporaryFileGracePeriod { _ = removeStaleTemporaryFiles(olderThan: temporaryFileGracePeriod) }
        }
    }

    /// Checks, writing nothing, that `root` holds a store.
    private func openExisting() throws(StorageError) {
        guard FileIO.isDirectory(root) else {
            throw StorageError(
                .cannotOpen, FileIO.exists(root) ? "\(root) is a file, not an artifact store folder" : "There is no artifact store at \(root)",
                location: root, fix: "check the artifact folder's path; a store is created by a command that writes artifacts.")
        }
        guard FileIO.exists("\(root)/\(Self.markerName)") || Self.isUnfinishedCreation(root) else {
            throw StorageError(
                .cannotOpen, "\(root) is not a swift-mlops artifact store (it has no \(Self.markerName) marker); it was not changed",
                location: root, fix: "check the artifact folder's path.")
        }
    }

    /// Whether `root` is a folder whose creation as a store was interrupted: it has no marker
    /// and holds nothing, or only markers being written. A process killed between creating the
    /// folder and renaming its marker into place leaves exactly this; it holds no artifact, and
    /// the next writer adopts it. Read-only opens treat it as an empty store.
    package static func isUnfinishedCreation(_ root: String) -> Bool {
        // A folder that cannot be listed (no permission) is not known to be empty: not a store.
        guard FileIO.isDirectory(root), !FileIO.exists("\(root)/\(markerName)"), let contents = FileIO.contents(of: root) else { return false }
        return contents.allSatisfy { $0.hasPrefix(markerTemporaryPrefix) }
    }

    /// Creates what is missing of the layout, idempotently: the marker first (atomically, by a
    /// rename), then the folders. Any number of processes may run this at once on one folder.
    private func createLayout() throws(StorageError) {
        if FileIO.exists(root) && !FileIO.isDirectory(root) {
            throw StorageError(
                .fileSystem, "\(root) is a file, not an artifact store folder", location: root,
                fix: "choose a folder path for the artifacts.")
        }
        try FileIO.makeFolderDurably(root)
        let marker = "\(root)/\(Self.markerName)"
        if !FileIO.exists(marker) {
            // A folder is adopted only when it is empty or holds nothing but markers that other
            // openers are writing right now.
            let contents = FileIO.contents(of: root) ?? []
            let foreign = contents.filter { $0 != Self.markerName && !$0.hasPrefix(Self.markerTemporaryPrefix) }
            if !foreign.isEmpty && !FileIO.exists(marker) {
                throw StorageError(
                    .fileSystem, "\(root) holds other files and is not a swift-mlops artifact store; nothing was written to it",
                    location: root, fix: "choose an empty or new folder for the artifacts.")
            }
            // Written beside and renamed into place, so a crash never leaves a half-written
            // marker; a rename over another opener's identical marker is harmless.
            let temporary = "\(root)/\(Self.markerTemporaryPrefix)\(UUIDText.random())"
            try FileIO.writeSyncedNewFile(temporary, Array(Self.markerContents.utf8))
            do throws(StorageError) {
                try FileIO.rename(temporary, to: marker)
            } catch {
                FileIO.remove(temporary)
                throw error
            }
            try FileIO.syncFolder(root)
        }
        for folder in Self.layoutFolders { try FileIO.makeFolderDurably("\(root)/\(folder)") }
    }

    private func requireWritable(_ action: String) throws(StorageError) {
        guard !readOnly else {
            throw StorageError(
                .readOnly, "The artifact store at \(root) was opened read-only, so it cannot \(action)", location: root,
                fix: "open it without readOnly to change it.")
        }
    }

    // MARK: Paths

    func objectPath(_ digest: Digest, compressed: Bool) -> String {
        "\(root)/objects/\(digest.hex.prefix(2))/\(digest.hex)\(compressed ? ".zz" : "")"
    }

    func tombstonePath(_ digest: Digest) -> String { "\(root)/tombstones/\(digest.hex)" }

    /// The stored file of an artifact and whether it is compressed, or `nil`.
    func storedObject(_ digest: Digest) -> (path: String, compressed: Bool)? {
        let raw = objectPath(digest, compressed: false)
        if FileIO.exists(raw) { return (raw, false) }
        let compressed = objectPath(digest, compressed: true)
        if FileIO.exists(compressed) { return (compressed, true) }
        return nil
    }

    // MARK: Put

    public func put(contentsOf path: String) async throws -> ArtifactReceipt {
        try await put(contentsOf: path, thenHolding: { $0 })
    }

    /// Stores the contents of a file, as ``put(contentsOf:)`` does, then runs `stored` with the
    /// receipt while no purge of the digest can run (see
    /// ``put(streaming:thenHolding:ifStoredThrows:)``, which says what `stillUsed` is asked).
    public func put<Result>(
        contentsOf path: String, thenHolding stored: (ArtifactReceipt) async throws -> Result,
        ifStoredThrows stillUsed: (Digest) async throws -> Bool = { _ in true }
    ) async throws -> Result {
        let fd = try FileIO.openForReading(path)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        return try await put(streaming: { writer in
            while true {
                let count = try FileIO.read(fd, into: buffer, path: path)
                if count == 0 { break }
                try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }, thenHolding: stored, ifStoredThrows: stillUsed)
    }

    public func put(streaming body: (any ArtifactWriter) async throws -> Void) async throws -> ArtifactReceipt {
        try await put(streaming: body, thenHolding: { $0 })
    }

    /// Stores bytes produced by `body`, then runs `stored` with the receipt still holding the
    /// digest's lock, the one ``purge(_:reason:unlessUsed:)`` takes: a purge of these bytes runs
    /// wholly before the put (which then stores them again) or after `stored` returns. A caller
    /// that records a new user of the bytes in `stored` (a model version) so never has them
    /// removed by a purge that found them unused a moment before.
    ///
    /// The bytes stay stored when `stored` throws (unreferenced content, which is harmless),
    /// except purged bytes: unless `stillUsed` says something uses them after all (a
    /// registration that committed although its reply was lost), their tombstone is written back
    /// and bytes this put brought back go again, so a user the caller refused (a model version
    /// of quarantined bytes) does not undo the purge. A kill in between leaves bytes beside
    /// their tombstone, an interrupted purge that purging again finishes.
    /// `stored` and `stillUsed` must not put or purge the same digest: the lock is not reentrant.
    public func put<Result>(
        streaming body: (any ArtifactWriter) async throws -> Void, thenHolding stored: (ArtifactReceipt) async throws -> Result,
        ifStoredThrows stillUsed: (Digest) async throws -> Bool
    ) async throws -> Result {
        try requireWritable("store new artifacts")
        let writer = try FileArtifactWriter(temporaryPath: "\(root)/tmp/put-\(UUIDText.random())", compression: compression)
        do {
            try await body(writer)
            let (digest, size, storedSize) = try writer.finish()
            return try await withLock(on: digest) {
                let (receipt, tombstone) = try commit(writer.temporaryPath, digest: digest, size: size, storedSize: storedSize)
                do {
                    return try await stored(receipt)
                } catch {
                    if let tombstone, try await !stillUsed(digest) {
                        try restorePurge(digest, tombstone: tombstone, removingBytes: !receipt.deduplicated)
                    }
                    throw error
                }
            }
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Runs `body` holding the digest's lock when the store holds the digest's bytes: no purge
    /// of them (``purge(_:reason:unlessUsed:)``) can run until it returns. For recording a new
    /// user of bytes stored earlier; like a put of them, it keeps bytes an interrupted purge
    /// left behind (their tombstone goes).
    ///
    /// - Throws: ``StorageError/Code/artifactNotFound`` or ``StorageError/Code/artifactPurged`` when the
    ///   bytes are not stored; ``StorageError/Code/readOnly`` on a read-only store; what `body`
    ///   throws.
    public func holding<Result>(_ digest: Digest, _ body: () async throws -> Result) async throws -> Result {
        try requireWritable("hold artifacts for a new user")
        return try await withLock(on: digest) {
            guard storedObject(digest) != nil else { throw try missing(digest) }
            try removeTombstone(digest)
            return try await body()
        }
    }

    /// Moves a finished temporary file under its digest, or drops it when the digest is stored
    /// already, and removes the digest's tombstone (bytes and a tombstone together are an
    /// interrupted purge, which a put ends by keeping the bytes). Returns the tombstone's bytes
    /// when there was one. Called under the digest's lock, so a purge of the digest runs wholly
    /// before or after.
    private func commit(
        _ temporaryPath: String, digest: Digest, size: Int64, storedSize: Int64
    ) throws(StorageError) -> (receipt: ArtifactReceipt, tombstone: [UInt8]?) {
        let tombstone = FileManager.default.contents(atPath: tombstonePath(digest)).map { [UInt8]($0) }
        if storedObject(digest) != nil {
            FileIO.remove(temporaryPath)
            try removeTombstone(digest)
            return (ArtifactReceipt(digest: digest, size: size, storedSize: storedSize, deduplicated: true), tombstone)
        }
        let compressed: Bool = if case .zlib = compression { true } else { false }
        let folder = "\(root)/objects/\(digest.hex.prefix(2))"
        // A new objects/xx folder is made durable in objects/ before anything goes in it.
        try FileIO.makeFolderDurably(folder)
        try FileIO.rename(temporaryPath, to: objectPath(digest, compressed: compressed))
        try FileIO.syncFolder(folder)
        try removeTombstone(digest)
        return (ArtifactReceipt(digest: digest, size: size, storedSize: storedSize, deduplicated: false), tombstone)
    }

    /// Undoes a put of purged bytes: the tombstone comes back (its earlier bytes), then the bytes
    /// the put brought go, each durably, as a purge orders them. Bytes that were there beside
    /// the tombstone before the put (an interrupted purge) stay, as they were.
    private func restorePurge(_ digest: Digest, tombstone: [UInt8], removingBytes: Bool) throws(StorageError) {
        let temporary = "\(root)/tmp/tombstone-\(UUIDText.random())"
        try FileIO.writeSyncedNewFile(temporary, tombstone)
        try FileIO.rename(temporary, to: tombstonePath(digest))
        try FileIO.syncFolder("\(root)/tombstones")
        guard removingBytes, let (path, _) = storedObject(digest) else { return }
        FileIO.remove(path)
        try FileIO.syncFolder(FileIO.parent(of: path))
    }

    /// Removes the digest's tombstone, if any, durably.
    private func removeTombstone(_ digest: Digest) throws(StorageError) {
        let path = tombstonePath(digest)
        guard FileIO.exists(path) else { return }
        FileIO.remove(path)
        try FileIO.syncFolder("\(root)/tombstones")
    }

    /// Runs `body` holding the lock of the digest's prefix (`locks/ab`), shared by every store
    /// instance and process on this folder.
    func withLock<Result>(on digest: Digest, _ body: () async throws -> Result) async throws -> Result {
        let locks = "\(root)/locks"
        if !FileIO.isDirectory(locks) { try FileIO.makeFolderDurably(locks) }
        let fd = try await FileIO.lockExclusively("\(locks)/\(digest.hex.prefix(2))")
        defer { close(fd) }
        return try await body()
    }

    // MARK: Read

    public func read(_ digest: Digest, chunk body: (UnsafeRawBufferPointer) throws -> Void) async throws {
        guard let (path, compressed) = storedObject(digest) else { throw try missing(digest) }
        let fd = try openStoredObject(digest, at: path)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        let inflater = compressed ? try ZlibInflater(outputCapacity: chunkSize) : nil
        while true {
            let count = try FileIO.readFull(fd, into: buffer, path: path)
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            if let inflater {
                if let problem = try inflater.decompress(chunk, emit: { output in
                    hasher.update(bufferPointer: output)
                    try body(output)
                }) {
                    throw corrupt(digest, path: path, problem)
                }
            } else {
                hasher.update(bufferPointer: chunk)
                try body(chunk)
            }
        }
        if let inflater, !inflater.finished {
            throw corrupt(digest, path: path, "the compressed data ends early (the file is truncated)")
        }
        let actual = Digest(finalized: hasher)
        guard actual == digest else {
            throw corrupt(digest, path: path, "its bytes hash to \(actual)")
        }
    }

    /// Writes a verified copy of an artifact to `destination`, which must not exist yet.
    ///
    /// The bytes go to a temporary file beside `destination` that is renamed into place only
    /// after the digest checked out, so a corrupt artifact never appears as a finished file.
    ///
    /// - Throws: ``StorageError`` when `destination` exists (it is never overwritten), the artifact
    ///   is missing or corrupt, or writing fails.
    public func export(_ digest: Digest, to destination: String) async throws {
        // The digest is checked while the bytes stream (`read` throws on a mismatch), so a
        // corrupt artifact never reaches `destination`.
        try await FileIO.writeNewFile(destination) { write in
            try await read(digest) { chunk in try write(chunk) }
        }
    }

    // MARK: Info, purge, listing

    public func info(_ digest: Digest) async throws -> ArtifactInfo? {
        if let (path, compressed) = storedObject(digest) {
            return ArtifactInfo(digest: digest, state: .stored, storedSize: FileIO.size(path) ?? 0, compressed: compressed)
        }
        if let tombstone = try readTombstone(digest) {
            return ArtifactInfo(digest: digest, state: .purged(reason: tombstone.reason, purgedAt: tombstone.purgedAt), storedSize: 0, compressed: false)
        }
        return nil
    }

    public func purge(_ digest: Digest, reason: String) async throws {
        try requireWritable("purge artifacts")
        try await withLock(on: digest) {
            guard storedObject(digest) != nil else {
                if try readTombstone(digest) != nil { return }
                throw try missing(digest)
            }
            try removeStoredBytes(digest, reason: reason)
        }
    }

    /// Removes the artifact's bytes, leaving a tombstone, unless `isUsed` (asked while no put of
    /// the digest can commit and no ``put(streaming:thenHolding:)`` or ``holding(_:_:)`` body
    /// runs) says something still uses them. A purge decided from records read earlier (a model
    /// version purged in its own transaction) asks again here, so bytes a new version took up
    /// meanwhile are kept.
    ///
    /// - Returns: Whether the bytes were removed: `false` when they are used, or not stored (never
    ///   put, or purged already).
    public func purge(_ digest: Digest, reason: String, unlessUsed isUsed: () async throws -> Bool) async throws -> Bool {
        try requireWritable("purge artifacts")
        return try await withLock(on: digest) {
            guard storedObject(digest) != nil, try await !isUsed() else { return false }
            try removeStoredBytes(digest, reason: reason)
            return true
        }
    }

    /// Writes the digest's tombstone, then removes its bytes; under the digest's lock.
    private func removeStoredBytes(_ digest: Digest, reason: String) throws(StorageError) {
        guard let (path, _) = storedObject(digest) else { return }
        let encoded: [UInt8]
        do {
            encoded = Array(try JSONEncoder().encode(Tombstone(reason: reason, purgedAt: Timestamp.nowISO8601())))
        } catch {
            throw StorageError(.fileSystem, "Cannot encode the tombstone of \(digest): \(error)", location: root)
        }
        let temporary = "\(root)/tmp/tombstone-\(UUIDText.random())"
        try FileIO.writeSyncedNewFile(temporary, encoded)
        // The tombstone is in place before the bytes go: a crash in between leaves both, never neither.
        try FileIO.rename(temporary, to: tombstonePath(digest))
        try FileIO.syncFolder("\(root)/tombstones")
        FileIO.remove(path)
        try FileIO.syncFolder(FileIO.parent(of: path))
    }

    public func allDigests() async throws -> [Digest] {
        let objects = "\(root)/objects"
        var digests: [Digest] = []
        for folder in (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? [] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(objects)/\(folder)")) ?? [] {
                let hex = name.hasSuffix(".zz") ? String(name.dropLast(3)) : name
                if let digest = try? Digest(parsing: hex) { digests.append(digest) }
            }
        }
        return digests.sorted()
    }

    // MARK: Housekeeping

    /// Removes temporary files older than `age`: the remains of puts, purges and store creations
    /// whose process died. Files younger than `age` are left alone, since they may belong to
    /// work in progress in another process.
    ///
    /// The store removes them by itself when it is opened for writing; call this to clean up
    /// sooner. Best effort: a file that cannot be removed is left and reported again by
    /// ``inspect(staleAfter:)``.
    ///
    /// - Parameter age: How old a file must be to be removed.
    /// - Returns: The files removed. Empty for a read-only store, which removes nothing.
    @discardableResult
    public func removeStaleTemporaryFiles(
        olderThan age: Duration = FileSystemArtifactStore.defaultTemporaryFileGracePeriod
    ) -> [ArtifactStoreInspection.TemporaryFile] {
        guard !readOnly else { return [] }
        var removed: [ArtifactStoreInspection.TemporaryFile] = []
        for file in temporaryFiles(staleAfter: age) where file.isStale {
            if unlink(file.path) == 0 { removed.append(file) }
        }
        return removed
    }

    /// Looks through the folder for what is not an artifact: temporary files (stale or in
    /// progress), interrupted purges and files that do not belong. Reads only.
    ///
    /// - Parameter staleAfter: The age past which a temporary file counts as stale.
    /// - Returns: What was found; ``ArtifactStoreInspection/problems`` says it in sentences.
    /// - Complexity: O(stored artifacts): one directory listing per `objects/` folder.
    public func inspect(
        staleAfter: Duration = FileSystemArtifactStore.defaultTemporaryFileGracePeriod
    ) async throws -> ArtifactStoreInspection {
        let objects = "\(root)/objects"
        var stored = 0
        var interrupted: [Digest] = []
        var unexpected: [String] = []
        for folder in (FileIO.contents(of: objects) ?? []).sorted() {
            let folderPath = "\(objects)/\(folder)"
            guard folder.count == 2, folder.allSatisfy(\.isHexDigit), folder == folder.lowercased(), FileIO.isDirectory(folderPath) else {
                unexpected.append(folderPath)
                continue
            }
            for name in (FileIO.contents(of: folderPath) ?? []).sorted() {
                let hex = name.hasSuffix(".zz") ? String(name.dropLast(3)) : name
                guard let digest = try? Digest(parsing: hex), digest.hex == hex, hex.hasPrefix(folder) else {
                    unexpected.append("\(folderPath)/\(name)")
                    continue
                }
                stored += 1
                if FileIO.exists(tombstonePath(digest)) { interrupted.append(digest) }
            }
        }
        return ArtifactStoreInspection(
            root: root, storedCount: stored, temporaryFiles: temporaryFiles(staleAfter: staleAfter),
            interruptedPurges: interrupted, unexpectedFiles: unexpected, gracePeriod: staleAfter)
    }

    /// The files in `tmp/`, and markers being written in the store's folder, oldest first.
    func temporaryFiles(staleAfter age: Duration) -> [ArtifactStoreInspection.TemporaryFile] {
        let now = Date()
        let limit = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
        var paths = (FileIO.contents(of: "\(root)/tmp") ?? []).map { "\(root)/tmp/\($0)" }
        paths += (FileIO.contents(of: root) ?? []).filter { $0.hasPrefix(Self.markerTemporaryPrefix) }.map { "\(root)/\($0)" }
        var files: [ArtifactStoreInspection.TemporaryFile] = []
        for path in paths where FileIO.isRegularFile(path) {
            guard let modified = FileIO.modificationDate(path) else { continue }
            files.append(ArtifactStoreInspection.TemporaryFile(
                path: path, size: FileIO.size(path) ?? 0, modifiedAt: modified, isStale: now.timeIntervalSince(modified) > limit))
        }
        return files.sorted { first, second in
            first.modifiedAt == second.modifiedAt ? first.path < second.path : first.modifiedAt < second.modifiedAt
        }
    }

    // MARK: Helpers

    /// Opens an artifact's file; one purged between the look-up and the open is reported as
    /// purged, not as a missing file.
    private func openStoredObject(_ digest: Digest, at path: String) throws(StorageError) -> Int32 {
        do {
            return try FileIO.openForReading(path)
        } catch {
            if !FileIO.exists(path) { throw try missing(digest) }
            throw error
        }
    }

    struct Tombstone: Codable {
        var reason: String
        var purgedAt: String
    }

    private func readTombstone(_ digest: Digest) throws(StorageError) -> Tombstone? {
        let path = tombstonePath(digest)
        guard FileIO.exists(path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
              let tombstone = try? JSONDecoder().decode(Tombstone.self, from: data)
        else {
            throw StorageError(
                .artifactCorrupt, "The tombstone of \(digest) at \(path) cannot be read", location: path,
                fix: "restore it from a backup, or delete it to forget the purge.")
        }
        return tombstone
    }

    private func missing(_ digest: Digest) throws(StorageError) -> StorageError {
        if let tombstone = try readTombstone(digest) {
            return StorageError(
                .artifactPurged, "Artifact \(digest) was purged at \(tombstone.purgedAt): \(tombstone.reason)",
                location: root, fix: "put the same bytes again to restore it.")
        }
        return StorageError(
            .artifactNotFound, "No artifact \(digest) in the store at \(root)", location: root,
            fix: "check the digest, or put the artifact first.")
    }

    private func corrupt(_ digest: Digest, path: String, _ problem: String) -> StorageError {
        StorageError(
            .artifactCorrupt, "Artifact \(digest) at \(path) is corrupt: \(problem)", location: path,
            fix: "restore the file from a backup or put the original bytes again after deleting it.")
    }
}

/// Streams a put into a temporary file, hashing (and compressing) as bytes arrive.
final class FileArtifactWriter: ArtifactWriter {
    let temporaryPath: String
    private let fd: Int32
    private var hasher = SHA256()
    private let deflater: ZlibDeflater?
    private var size: Int64 = 0
    private var storedSize: Int64 = 0
    private var closed = false

    init(temporaryPath: String, compression: ArtifactCompression) throws(StorageError) {
        self.temporaryPath = temporaryPath
        fd = try FileIO.createNew(temporaryPath)
        if case .zlib(let level) = compression {
            do {
                deflater = try ZlibDeflater(level: level)
            } catch {
                close(fd)
                FileIO.remove(temporaryPath)
                throw error
            }
        } else {
            deflater = nil
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !closed else {
            throw StorageError(.closed, "The artifact writer is finished", fix: "write only inside the put's body.")
        }
        hasher.update(bufferPointer: bytes)
        size += Int64(bytes.count)
        if let deflater {
            try deflater.compress(bytes, finish: false, emit: store)
        } else {
            try store(bytes)
        }
    }

    private func store(_ bytes: UnsafeRawBufferPointer) throws {
        try FileIO.writeAll(fd, bytes, path: temporaryPath)
        storedSize += Int64(bytes.count)
    }

    /// Flushes the compressor, `fsync`s the file and returns what was written.
    func finish() throws -> (Digest, Int64, Int64) {
        if let deflater { try deflater.compress(UnsafeRawBufferPointer(start: nil, count: 0), finish: true, emit: store) }
        try FileIO.sync(fd, path: temporaryPath)
        closed = true
        close(fd)
        return (Digest(finalized: hasher), size, storedSize)
    }

    /// Removes the temporary file after a failed put.
    func abandon() {
        if !closed {
            closed = true
            close(fd)
        }
        FileIO.remove(temporaryPath)
    }

    deinit {
        if !closed { close(fd) }
    }
}
