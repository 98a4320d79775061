internal import Crypto
import Foundation

/// An ``ArtifactStore`` in a folder of the local file system.
///
/// Layout: `objects/ab/<64 hex>` (or `<64 hex>.zz` when zlib-compressed), `tmp/` for writes in
/// progress, `tombstones/<64 hex>` for purged artifacts, and a marker file
/// `.mlops-artifact-store` that tells the folder is a store.
///
/// A put streams into a temporary file, `fsync`s it and renames it under its digest, so a crash
/// never leaves a partial artifact under a digest. Every read recomputes the digest. Memory use
/// does not grow with the artifact: bytes move in ``chunkSize`` blocks.
///
/// Calls do blocking file I/O on the calling task's thread.
public struct FileSystemArtifactStore: ArtifactStore {
    /// The store's folder.
    public let root: String
    /// How bytes are kept at rest.
    public let compression: ArtifactCompression
    /// How many bytes move per read or write call.
    public let chunkSize: Int

    static let markerName = ".mlops-artifact-store"
    static let markerContents = "swift-mlops artifact store, layout 1\n"

    /// Opens the store in `root`, creating the folder when it does not exist.
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/fileSystem``) when `root` is a file, a
    ///   folder with other contents (it is never written into), or cannot be created.
    public init(root: String, compression: ArtifactCompression = .none, chunkSize: Int = 1 << 20) throws(StorageError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.compression = compression
        self.chunkSize = max(4096, chunkSize)
        let marker = "\(self.root)/\(Self.markerName)"
        if FileIO.exists(self.root) {
            guard FileIO.isDirectory(self.root) else {
                throw StorageError(
                    .fileSystem, "\(self.root) is a file, not an artifact store folder", location: self.root,
                    fix: "choose a folder path for the artifacts.")
            }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: self.root)) ?? []
            if !contents.isEmpty && !contents.contains(Self.markerName) {
                throw StorageError(
                    .fileSystem, "\(self.root) holds other files and is not a swift-mlops artifact store; nothing was written to it",
                    location: self.root, fix: "choose an empty or new folder for the artifacts.")
            }
        }
        for folder in ["", "/objects", "/tmp", "/tombstones"] { try FileIO.makeFolder(self.root + folder) }
        if !FileIO.exists(marker) {
            // Written beside and renamed into place, so a crash never leaves a half-written marker.
            let temporary = "\(self.root)/tmp/marker-\(UUIDText.random())"
            let fd = try FileIO.createNew(temporary)
            defer { close(fd) }
            try FileIO.writeAll(fd, Array(Self.markerContents.utf8), path: temporary)
            try FileIO.sync(fd, path: temporary)
            try FileIO.rename(temporary, to: marker)
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
        let fd = try FileIO.openForReading(path)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        return try await put { writer in
            while true {
                let count = try FileIO.read(fd, into: buffer, path: path)
                if count == 0 { break }
                try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }

    public func put(streaming body: (any ArtifactWriter) async throws -> Void) async throws -> ArtifactReceipt {
        let writer = try FileArtifactWriter(temporaryPath: "\(root)/tmp/put-\(UUIDText.random())", compression: compression)
        do {
            try await body(writer)
            let (digest, size, storedSize) = try writer.finish()
            return try commit(writer.temporaryPath, digest: digest, size: size, storedSize: storedSize)
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Moves a finished temporary file under its digest, or drops it when the digest is stored already.
    private func commit(_ temporaryPath: String, digest: Digest, size: Int64, storedSize: Int64) throws -> ArtifactReceipt {
        if storedObject(digest) != nil {
            FileIO.remove(temporaryPath)
            return ArtifactReceipt(digest: digest, size: size, storedSize: storedSize, deduplicated: true)
        }
        let compressed: Bool = if case .zlib = compression { true } else { false }
        let folder = "\(root)/objects/\(digest.hex.prefix(2))"
        try FileIO.makeFolder(folder)
        try FileIO.rename(temporaryPath, to: objectPath(digest, compressed: compressed))
        try FileIO.syncFolder(folder)
        FileIO.remove(tombstonePath(digest))
        return ArtifactReceipt(digest: digest, size: size, storedSize: storedSize, deduplicated: false)
    }

    // MARK: Read

    public func read(_ digest: Digest, chunk body: (UnsafeRawBufferPointer) throws -> Void) async throws {
        guard let (path, compressed) = storedObject(digest) else { throw try missing(digest) }
        let fd = try FileIO.openForReading(path)
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
        guard !FileIO.exists(destination) else {
            throw StorageError(
                .fileSystem, "\(destination) exists already; it was not overwritten", location: destination,
                fix: "remove it first or choose another destination.")
        }
        let folder = (destination as NSString).deletingLastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\((destination as NSString).lastPathComponent).partial-\(UUIDText.random())"
        let fd = try FileIO.createNew(temporary)
        var open = true
        do {
            try await read(digest) { chunk in try FileIO.writeAll(fd, chunk, path: temporary) }
            try FileIO.sync(fd, path: temporary)
            close(fd)
            open = false
            // link() is the no-overwrite commit; file systems without hard links fall back to
            // rename() after checking again that nothing appeared meanwhile.
            if link(temporary, destination) == 0 {
                FileIO.remove(temporary)
            } else if errno == EEXIST || FileIO.exists(destination) {
                throw StorageError(
                    .fileSystem, "\(destination) appeared while the artifact was exported; it was not overwritten", location: destination,
                    fix: "remove it first or choose another destination.")
            } else {
                try FileIO.rename(temporary, to: destination)
            }
        } catch {
            if open { close(fd) }
            FileIO.remove(temporary)
            throw error
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
        guard let (path, _) = storedObject(digest) else {
            if try readTombstone(digest) != nil { return }
            throw try missing(digest)
        }
        let tombstone = Tombstone(reason: reason, purgedAt: Timestamp.nowISO8601())
        let temporary = "\(root)/tmp/tombstone-\(UUIDText.random())"
        let fd = try FileIO.createNew(temporary)
        do {
            try FileIO.writeAll(fd, Array(try JSONEncoder().encode(tombstone)), path: temporary)
            try FileIO.sync(fd, path: temporary)
            close(fd)
        } catch {
            close(fd)
            FileIO.remove(temporary)
            throw error
        }
        // The tombstone is in place before the bytes go: a crash in between leaves both, never neither.
        try FileIO.rename(temporary, to: tombstonePath(digest))
        try FileIO.syncFolder("\(root)/tombstones")
        FileIO.remove(path)
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

    // MARK: Helpers

    struct Tombstone: Codable {
        var reason: String
        var purgedAt: String
    }

    private func readTombstone(_ digest: Digest) throws -> Tombstone? {
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

    private func missing(_ digest: Digest) throws -> StorageError {
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
