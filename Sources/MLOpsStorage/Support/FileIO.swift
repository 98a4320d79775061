#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The few POSIX file operations the artifact store needs, with errors that name the path.
///
/// Hand-written over the C calls because the store needs `O_EXCL` creation, `fsync` of files and
/// folders, and `rename` as the commit point, which Foundation's file APIs do not expose together.
enum FileIO {
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
    static func createNew(_ path: String) throws(StorageError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("create", path, fix: "check that the folder exists and is writable.") }
        return fd
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

    /// Makes a rename or a new file in `folder` durable.
    static func syncFolder(_ folder: String) throws(StorageError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open folder", folder) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("flush folder", folder) }
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

    static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    static func makeFolder(_ path: String) throws(StorageError) {
        if isDirectory(path) { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StorageError(
                .fileSystem, "Cannot create the folder \(path): \(error.localizedDescription)", location: path,
                fix: "check that the parent folder exists, is a folder, and is writable.")
        }
    }

    static func remove(_ path: String) {
        unlink(path)
    }
}
