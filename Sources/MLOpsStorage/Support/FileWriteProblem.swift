import Foundation

/// Why a file cannot be written at a path, in words a person can act on (Foundation's write
/// errors for a folder in the way or a missing parent come out as a bare error code).
public enum FileWriteProblem {
    /// What is in the way of writing a file at `path`, or nil when nothing visible is.
    public static func at(_ path: String) -> String? {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            return "\(path) is a folder, not a file"
        }
        let parent = (path as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else { return "the folder \(folder) does not exist" }
        if !isFolder.boolValue { return "\(folder) is a file, not a folder" }
        if !FileManager.default.isWritableFile(atPath: folder) { return "the folder \(folder) cannot be written (permission denied)" }
        return nil
    }

    /// The reason a write of `path` failed with `error`: what is in the way when something is,
    /// else the error's description.
    public static func describe(_ path: String, _ error: any Error) -> String {
        at(path) ?? "\(path) cannot be written (\(error.localizedDescription))"
    }
}
