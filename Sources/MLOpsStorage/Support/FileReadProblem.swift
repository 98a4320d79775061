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

    /// The reason a read of `path` failed with `error`: the file's own problem when it has one,
    /// else the error's description.
    public static func describe(_ path: String, _ error: any Error) -> String {
        at(path) ?? "\(path) cannot be read (\(ErrorReason.text(error)))"
    }
}
