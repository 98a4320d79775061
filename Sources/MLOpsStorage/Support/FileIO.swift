#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFileOps
package import Foundation
import Synchronization

/// The few POSIX file operations the artifact store needs, with errors that name the path.
///
/// Hand-written over the C calls because the store needs `O_EXCL` creation, `fsync` of files and
/// folders, and `rename` as the commit point, which Foundation's file APIs do not expose together.
package enum FileIO {
    /// When set (by tests), records the durability steps taken in the current task: folders
    /// created and folders `fsync`ed, in order. A task-local, so tests running in parallel do not
    /// see each other's steps, and production code pays one lookup per `fsync`.
    @TaskLocal static var trace: FileIOTrace?

    /// When set (by tests), ``publish(_:at:folder:)`` acts as on a file system without hard
    /// links, so the rename that never replaces is what publishes.
    @TaskLocal static var hardLinksUnavailable = false

    static func errorText() -> String { String(cString: strerror(errno)) }

    static func failure(_ what: String, _ path: String, fix: String? = nil) -> StorageError {
        StorageError(.fileSystem, "Cannot \(what) \(path): \(errorText())", location: path, fix: fix)
    }

    static func openForReading(_ path: String) throws(StorageError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("read", path, fix: "check that the file exists and is readable.") }
        return fd
    }

    /// Creates a new file, failing if anything exists at `path` (never truncates another file).
    static func createNew(_ path: String, mode: mode_t = 0o644) throws(StorageError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw failure("create", path, fix: errno == EEXIST ? "something exists at that path already; choose another." : "check that the folder exists and is writable.")
        }
        return fd
    }

    /// Writes `bytes` to a file that must not exist yet, with exactly `mode` (whatever the umask),
    /// and makes it durable: a secret (a private key) is never written over another file, and a
    /// failed or killed write leaves no file at `path` (the bytes go to a hidden file beside it,
    /// linked to `path` only once complete and flushed, as ``writeNewFile(_:mode:_:)`` does).
    package static func writeNewFile(_ path: String, _ bytes: [UInt8], mode: Int) throws(StorageError) {
        let (folder, temporary) = try newFileSlot(path)
        let fd = try createNew(temporary, mode: mode_t(mode))
        var isOpen = true
        do throws(StorageError) {
            // Errors name `path`, the file the caller asked for, not the hidden one beside it.
            guard fchmod(fd, mode_t(mode)) == 0 else { throw failure("set the mode of", path) }
            try writeAll(fd, bytes, path: path)
            try sync(fd, path: path)
            close(fd)
            isOpen = false
            try publish(temporary, at: path, folder: folder)
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// Checks that nothing is at `path` and its folder exists, and names the hidden file beside
    /// it that a new file is written to first.
    static func newFileSlot(_ path: String) throws(StorageError) -> (folder: String, temporary: String) {
        // lstat: a link to a missing file is something there too (link() would refuse it later).
        var info = stat()
        guard lstat(path, &info) != 0 else {
            let what = info.st_mode & S_IFMT == S_IFLNK && !exists(path) ? "A link to a missing file" : "Something"
            throw StorageError(.fileSystem, "\(what) exists at \(path) already", location: path, fix: "choose another path, or remove it first.")
        }
        let folder = parent(of: path)
        guard isDirectory(folder) else {
            throw StorageError(.fileSystem, "There is no folder \(folder) to write \(path) in", location: path, fix: "create the folder first, or choose another path.")
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return (folder, (folder == "." && !path.hasPrefix("./") ? "" : folder + "/") + ".\(name).\(UUID().uuidString.lowercased()).partial")
    }

    /// Gives the complete, flushed file at `temporary` the name `path`, never over another file,
    /// and makes the name durable. link() is the no-overwrite commit; on a file system without
    /// hard links a rename that refuses to replace (`renameat2(RENAME_NOREPLACE)`) takes its
    /// place, and only where the file system cannot do that either does a plain rename() follow a
    /// last check that nothing appeared (a race no call can close there).
    static func publish(_ temporary: String, at path: String, folder: String) throws(StorageError) {
        func appeared() -> StorageError {
            StorageError(
                .fileSystem, "\(path) appeared while it was being written; it was not overwritten", location: path,
                fix: "remove it first or choose another path.")
        }
        if !hardLinksUnavailable {
            if link(temporary, path) == 0 {
                unlink(temporary)
                return try syncFolder(folder)
            }
            let code = errno  // read before anything else can change it
            if code == EEXIST || exists(path) { throw appeared() }
        }
        if mlops_rename_noreplace(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { throw appeared() }
            guard code == EINVAL || code == ENOSYS || code == ENOTSUP || code == EOPNOTSUPP else {
                errno = code
                throw failure("publish the file as", path, fix: "check that the folder is writable.")
            }
            guard !exists(path) else { throw appeared() }
            try rename(temporary, to: path)
        }
        try syncFolder(folder)
    }

    /// The whole of the file at `path`, read with `read(2)` to its end, so a pipe (a FIFO, a
    /// shell's `<(…)`) reads like a file, as it does for `cat`; Foundation's `Data(contentsOf:)`
    /// refuses a FIFO with a permission error. A device is refused (see ``readChunks(of:chunkSize:_:)``).
    ///
    /// - Parameter limit: The most bytes accepted (nil: no limit); a longer input is refused
    ///   once it passes the limit, instead of being read until memory runs out.
    /// - Throws: ``StorageError`` (``StorageError/Code/fileSystem``) naming the path.
    package static func readAll(_ path: String, limit: Int? = nil) throws(StorageError) -> Data {
        var data = Data()
        do {
            try readChunks(of: path, chunkSize: 1 << 16) { chunk in
                data.append(contentsOf: chunk)
                if let limit, data.count > limit {
                    throw StorageError(
                        .fileSystem, "\(path) is longer than \(limit) bytes, more than such a file ever needs", location: path,
                        fix: "name the file itself, not a larger stream.")
                }
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.fileSystem, "Cannot read \(path): \(error)", location: path)
        }
        return data
    }

    /// The whole of the file at `path` as UTF-8 text (see ``readAll(_:limit:)``).
    ///
    /// - Throws: ``StorageError`` naming the path, also when the bytes are not UTF-8.
    package static func readText(_ path: String, limit: Int? = nil) throws(StorageError) -> String {
        let data = try readAll(path, limit: limit)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw StorageError(.fileSystem, "\(path) is not UTF-8 text", location: path, fix: "save it as UTF-8.")
        }
        return text
    }

    /// The most a configuration file (a policy, a cluster, a model card, a key) may hold: far
    /// beyond any real one, short of what an endless stream would fill memory with.
    package static let configurationFileLimit = 64 << 20

    /// Streams the file at `path` to `body` in chunks of up to `chunkSize` bytes, in order.
    /// A device (`/dev/zero`, a terminal) is refused: it would be read without end.
    package static func readChunks(
        of path: String, chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let fd = try openForReading(path)
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, isDevice(info.st_mode) {
            throw StorageError(.fileSystem, "\(path) is a device, not a file", location: path, fix: "name a file (or a pipe) to read.")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, chunkSize), alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try read(fd, into: buffer, path: path)
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Writes a new file at `path` from what `body` hands to its writer, durably, and never over
    /// another file: the bytes go to a hidden file beside it that is linked to `path` only once
    /// complete and flushed. When `body` throws, or something exists at `path` by then, no file
    /// is left behind.
    package static func writeNewFile(
        _ path: String, mode: Int = 0o644, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) async throws -> Void
    ) async throws {
        let (folder, temporary) = try newFileSlot(path)
        let fd = try createNew(temporary, mode: mode_t(mode))
        var isOpen = true
        do {
            try await body { bytes in try writeAll(fd, bytes, path: path) }
            try sync(fd, path: path)
            close(fd)
            isOpen = false
            try publish(temporary, at: path, folder: folder)
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(StorageError) -> Int {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw failure("read", path) }
        }
    }

    /// Fills `buffer` unless the file ends first; returns the bytes read.
    static func readFull(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(StorageError) -> Int {
        var total = 0
        while total < buffer.count {
            let count = try read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]), path: path)
            if count == 0 { break }
            total += count
        }
        return total
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StorageError) {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("write", path, fix: "check free disk space and permissions.")
            }
            offset += count
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StorageError) {
        let failed = bytes.withUnsafeBytes { buffer -> StorageError? in
            do throws(StorageError) {
                try writeAll(fd, buffer, path: path)
                return nil
            } catch {
                return error
            }
        }
        if let failed { throw failed }
    }

    static func sync(_ fd: Int32, path: String) throws(StorageError) {
        guard fsync(fd) == 0 else { throw failure("flush", path) }
    }

    /// Creates the file at `path` (which must not exist), writes `bytes` and `fsync`s it; on a
    /// failure the file is removed. For a file that is renamed into place next.
    static func writeSyncedNewFile(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        let fd = try createNew(path)
        do throws(StorageError) {
            try writeAll(fd, bytes, path: path)
            try sync(fd, path: path)
            close(fd)
        } catch {
            close(fd)
            remove(path)
            throw error
        }
    }

    /// Makes a rename or a new file in `folder` durable.
    static func syncFolder(_ folder: String) throws(StorageError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open folder", folder) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("flush folder", folder) }
        trace?.record(.syncedFolder(folder))
    }

    /// The folder that holds `path` (`.` for a bare name).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates the folder `path` and any missing parents, each made durable in its parent
    /// (`fsync` of the parent after `mkdir`). A folder that exists already, or that another
    /// process creates at the same moment, is fine.
    ///
    /// - Returns: Whether this call created `path`.
    @discardableResult
    static func makeFolderDurably(_ path: String) throws(StorageError) -> Bool {
        if isDirectory(path) { return false }
        let parentPath = parent(of: path)
        if parentPath != path && !isDirectory(parentPath) { try makeFolderDurably(parentPath) }
        if mkdir(path, 0o755) == 0 {
            trace?.record(.createdFolder(path))
            try syncFolder(parentPath)
            return true
        }
        let code = errno
        if code == EEXIST && isDirectory(path) { return false }
        throw StorageError(
            .fileSystem,
            "Cannot create the folder \(path): \(code == EEXIST ? "a file of that name exists" : String(cString: strerror(code)))",
            location: path, fix: "check that the parent folder exists, is a folder, and is writable.")
    }

    /// The time of the last change to the file's contents, or `nil` when it cannot be read.
    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The names in a folder, or `nil` when it cannot be listed (a missing folder).
    static func contents(of folder: String) -> [String]? {
        try? FileManager.default.contentsOfDirectory(atPath: folder)
    }

    /// Takes an exclusive `flock` on the file at `path` (created when missing) and returns its
    /// descriptor; closing the descriptor releases the lock.
    ///
    /// `flock` locks belong to the open file, so two stores in one process exclude each other
    /// like two processes do. The wait never blocks a thread: a held lock is tried again after
    /// a short sleep, which also makes the wait cancellable.
    static func lockExclusively(_ path: String) async throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("open the lock file", path, fix: "check that the store folder is writable.") }
        var delay = Duration.microseconds(200)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else {
                close(fd)
                throw failure("lock", path)
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                close(fd)
                throw error
            }
            delay = min(delay * 2, .milliseconds(20))
        }
        return fd
    }

    static func rename(_ from: String, to destination: String) throws(StorageError) {
        guard Glibc.rename(from, destination) == 0 else { throw failure("move a file to", destination) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether a `st_mode` is a character or block device (`/dev/zero`, a terminal), which a
    /// whole-file read would never finish.
    package static func isDevice(_ mode: mode_t) -> Bool {
        mode & S_IFMT == S_IFCHR || mode & S_IFMT == S_IFBLK
    }

    /// The file type bits of what `path` names (links followed), or nil when nothing is there.
    package static func fileType(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    package static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    static func remove(_ path: String) {
        unlink(path)
    }
}

/// The durability steps a task took, recorded while ``FileIO/trace`` is set (tests read it).
final class FileIOTrace: Sendable {
    enum Event: Sendable, Hashable {
        case createdFolder(String)
        case syncedFolder(String)
    }

    private let recorded = Mutex<[Event]>([])

    func record(_ event: Event) { recorded.withLock { $0.append(event) } }

    var events: [Event] { recorded.withLock { $0 } }
}
