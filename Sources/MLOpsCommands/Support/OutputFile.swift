import Foundation
import MLOpsStorage
import TensorCore

/// Writes a command's output file (`--output`, `--schedule-out`, `--plot`): a regular file is
/// replaced atomically (never left half-written), and a device, FIFO or link to one
/// (`/dev/stdout`) is written into as a shell redirection would, never replaced
/// (``BufferedFileWriter`` decides).
enum OutputFile {
    /// Writes `text` to `path`.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) saying what is in the way: a folder, a missing or
    ///   unwritable folder, or the system's reason.
    static func write(_ text: String, to path: String) throws {
        // A link to a folder would otherwise be replaced by the file (a folder itself is refused
        // by the rename).
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw CommandFailure.usage("error: cannot write: \(path) is a folder, not a file.")
        }
        do throws(TableError) {
            let writer = try BufferedFileWriter(path: path)
            try writer.append(text.utf8)
            try writer.finish()
        } catch {
            let system = "\(path) cannot be written (\(error.detail ?? error.description))"
            // What is in the way of replacing a file; a device or FIFO has its own reason.
            let reason: String
            switch OutputDestination(path) {
            case .replace: reason = FileWriteProblem.at(path) ?? system
            case .writeThrough, .append: reason = system
            }
            throw CommandFailure.usage("error: cannot write: \(reason).")
        }
    }
}
