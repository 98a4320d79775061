import Foundation

/// Why a file cannot be written at a path, in words a person can act on (Foundation's write
/// errors for a folder in the way or a missing parent come out as a bare error code).
public enum FileWriteProblem {
    /// What is in the way of writing a file at `path`, or nil when nothing visible is.
    public static func at(_ path: String) -> String? {
        var info = stat()
        let ownDescriptor = path == "/dev/stdout" || path == "/dev/stderr" || path.hasPrefix("/dev/fd/") || path.hasPrefix("/proc/self/fd/")
        if stat(path, &info) == 0, ownDescriptor || (info.st_mode & S_IFMT != S_IFREG && info.st_mode & S_IFMT != S_IFDIR) {
            // A device, FIFO or socket (or a link to one), or the process's own stdout, is written
            // into, not replaced: its folder does not matter.
            return access(path, W_OK) == 0 ? nil : "\(path) cannot be written (permission denied)"
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            return "\(path) is a folder, not a file"
        }
        let folder = PathText.folder(of: path)
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else { return "the folder \(folder) does not exist" }
        if !isFolder.boolValue { return "\(folder) is a file, not a folder" }
        if !FileManager.default.isWritableFile(atPath: folder) { return "the folder \(folder) cannot be written (permission denied)" }
        return nil
    }

    /// The reason a write of `path` failed with `error`: what is in the way when something is,
    /// else the error's description.
    public static func describe(_ path: String, _ error: any Error) -> String {
        at(path) ?? "\(path) cannot be written (\(ErrorReason.text(error)))"
    }
}
