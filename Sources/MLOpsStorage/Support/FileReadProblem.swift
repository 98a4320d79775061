#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Why a file cannot be read, in words a person can act on: Foundation's read errors for a
/// folder or a missing file come out as "The file couldn't be opened" or a bare error code.
public enum FileReadProblem {
    /// What is wrong with reading `path` as a file, or nil when it is a readable file (or
    /// something else that can be read, such as a pipe); a device (`/dev/zero`) is refused.
    public static func at(_ path: String) -> String? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "there is no file at \(path)" }
        if isFolder.boolValue { return "\(path) is a folder, not a file" }
        if let type = FileIO.fileType(path), FileIO.isDevice(type) {
            // /dev/zero would be read without end; a FIFO (a shell's <(…)) is fine.
            return "\(path) is a device, not a file"
        }
        if !FileManager.default.isReadableFile(atPath: path) { return "\(path) cannot be read (permission denied)" }
        return nil
    }

    /// What is wrong with reading the regular file at `path` as text (CSV or JSON Lines), or
    /// nil: a NUL byte in its first 8 KiB marks a binary file (a database, an archive, UTF-16
    /// text), which a reader would take for a header of garbage. Pipes and devices are not peeked
    /// at, since that would consume them.
    public static func binaryContent(at path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8_192)) ?? Data()
        return head.contains(0) ? "\(path) is not text (it holds NUL bytes): it looks like a binary file, not CSV or JSON Lines" : nil
    }

    /// The reason a read of `path` failed with `error`: the file's own problem when it has one,
    /// else the error's description.
    public static func describe(_ path: String, _ error: any Error) -> String {
        at(path) ?? "\(path) cannot be read (\(ErrorReason.text(error)))"
    }
}
