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
        if let problem = FileWriteProblem.at(path) {
            throw CommandFailure.usage("error: cannot write: \(problem).")
        }
        do throws(TableError) {
            let writer = try BufferedFileWriter(path: path)
            try writer.append(text.utf8)
            try writer.finish()
        } catch {
            throw CommandFailure.usage("error: cannot write: \(path) cannot be written (\(error.detail ?? error.description)).")
        }
    }
}
