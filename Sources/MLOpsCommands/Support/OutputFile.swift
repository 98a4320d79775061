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
        // What is in the way is named before anything is written: a folder (or a link to one,
        // which the rename would otherwise replace), a missing or unwritable folder.
        try check(path, option: nil)
        do throws(TableError) {
            let writer = try BufferedFileWriter(path: path)
            try writer.append(text.utf8)
            try writer.finish()
        } catch {
            throw CommandFailure.usage("error: cannot write: \(path) cannot be written (\(error.detail ?? error.description)). Fix: check free space and the folder's permissions.")
        }
    }

    /// Refuses an output path that cannot be written (a folder, or a missing or unwritable
    /// folder), so that a command checks every output before its work and writes none of them
    /// when one of them would fail.
    ///
    /// - Parameter option: The flag that named the path (`--plot`), for the message.
    /// - Throws: ``CommandFailure`` (exit 2) saying what is in the way and how to fix it.
    static func check(_ path: String, option: String?) throws {
        if let problem = FileWriteProblem.at(path) {
            throw CommandFailure.usage("error: cannot write\(option.map { " \($0)" } ?? ""): \(problem). Fix: choose a file in an existing, writable folder.")
        }
    }
}
