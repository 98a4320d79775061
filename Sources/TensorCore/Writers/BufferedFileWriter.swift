import Foundation

/// Writes bytes to a file through a buffer, with POSIX `write`: the sink under ``TableWriter``
/// and anything else that streams rows to disk.
///
/// With `atomic` (the default), the bytes go to a temporary file beside `path` (with the mode of
/// the file it replaces) that ``finish()`` renames over `path`, so a failure or a crash never
/// leaves a half-written file there. A writer dropped before ``finish()`` removes what it wrote.
///
/// Not thread-safe: one owner writes.
public final class BufferedFileWriter {
    /// The file the bytes end up in.
    public let path: String
    /// Where they are written until ``finish()``.
    private let writingPath: String
    /// What ``finish()`` renames ``writingPath`` to: `path`, or the file a link at `path` names;
    /// `nil` when the bytes go straight to their place.
    private let renameTarget: String?
    /// Whether ``writingPath`` is a file this writer creates (not a device or FIFO written
    /// through), so that a writer dropped before ``finish()`` removes it.
    private let createsFile: Bool
    private var descriptor: Int32
    /// Bytes not yet written; append to it with ``append(_:)`` or ``withBuffer(_:)``.
    private var buffer: [UInt8] = []
    private let capacity: Int
    private var finished = false
    /// How many bytes went through the writer so far.
    public private(set) var byteCount = 0

    /// Creates (or truncates) the file.
    ///
    /// What is at `path` decides where the bytes go, as with a shell redirection (see
    /// `OutputDestination`): a device, a FIFO or a socket (`/dev/null`) is written into, never
    /// replaced; the process's own open files (`/dev/stdout`) are appended to; and a symbolic
    /// link to a regular file has that file replaced, not the link.
    ///
    /// - Parameters:
    ///   - path: The file to write.
    ///   - atomic: Write beside `path` and rename at ``finish()``; `false` writes `path` directly.
    ///   - bufferSize: How many bytes are gathered before each `write` call (at least 4096).
    /// - Throws: ``TableError`` (``TableError/Code/fileUnwritable``) when the file cannot be created.
    public init(path: String, atomic: Bool = true, bufferSize: Int = 1 << 20) throws(TableError) {
        self.path = path
        let flags: Int32
        switch OutputDestination(path) {
        case .replace(let target):
            writingPath = atomic ? target + ".partial-\(UUID().uuidString.prefix(8))" : target
            renameTarget = atomic ? target : nil
            createsFile = true
            flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        case .writeThrough(let target):
            writingPath = target
            renameTarget = nil
            createsFile = false
            flags = O_WRONLY | O_TRUNC | O_CLOEXEC
        case .append(let target):
            writingPath = target
            renameTarget = nil
            createsFile = false
            flags = O_WRONLY | O_APPEND | O_CLOEXEC
        }
        capacity = max(4096, bufferSize)
        descriptor = open(writingPath, flags, 0o644)
        guard descriptor >= 0 else {
            // Nothing was opened: deinit must not remove a file this writer never made.
            finished = true
            throw TableError(.fileUnwritable, path: path, detail: "it cannot be created (\(String(cString: strerror(errno))); does its folder exist, and may it be written?)")
        }
        if let renameTarget { Self.keepPermissions(of: renameTarget, on: descriptor) }
        buffer.reserveCapacity(capacity + 4096)
    }

    deinit {
        if !finished {
            if descriptor >= 0 { close(descriptor) }
            // Only a file this writer made is removed (never a device or FIFO written through).
            if createsFile { unlink(writingPath) }
        }
    }

    /// Appends `bytes`, writing the buffer out when it is full.
    public func append(_ bytes: some Sequence<UInt8>) throws(TableError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    /// Lets `body` append to the buffer directly (no copy), then writes it out when it is full.
    public func withBuffer<Result>(_ body: (inout [UInt8]) throws(TableError) -> Result) throws(TableError) -> Result {
        let result = try body(&buffer)
        if buffer.count >= capacity { try flush() }
        return result
    }

    /// Writes the buffer out.
    public func flush() throws(TableError) {
        var offset = 0
        let total = buffer.count
        var failure: Int32 = 0
        buffer.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            while offset < total {
                let written = write(descriptor, base + offset, total - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure != 0 {
            // What was written stays written: a later flush must not write it again.
            buffer.removeFirst(offset)
            byteCount += offset
            throw TableError(.fileUnwritable, path: path, detail: String(cString: strerror(failure)))
        }
        byteCount += total
        buffer.removeAll(keepingCapacity: true)
    }

    /// Gives the new file the mode of the regular file it will replace (a 0600 file of
    /// features stays 0600, as a shell redirection into it would leave it), and when running as
    /// root, its owner and group too. A file that is not there yet keeps 0644 (less the umask).
    private static func keepPermissions(of target: String, on descriptor: Int32) {
        var existing = stat()
        guard stat(target, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG else { return }
        _ = fchmod(descriptor, existing.st_mode & 0o7777)
        if geteuid() == 0 { _ = fchown(descriptor, existing.st_uid, existing.st_gid) }
    }

    /// Writes what is left, closes the file and (when atomic) renames it over ``path``.
    ///
    /// - Throws: ``TableError`` (``TableError/Code/fileUnwritable``); the partial file is then removed.
    public func finish() throws(TableError) {
        guard !finished else { return }
        try flush()
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            throw TableError(.fileUnwritable, path: path, detail: "closing it failed: \(String(cString: strerror(errno)))")
        }
        if let renameTarget {
            guard rename(writingPath, renameTarget) == 0 else {
                throw TableError(.fileUnwritable, path: path, detail: "the finished file could not be moved into place: \(String(cString: strerror(errno)))")
            }
        }
        finished = true
    }
}
