import Foundation
import MLOpsStorage

/// A configuration file a flag names (a rollout policy, a model card or signature, a key file),
/// read whole: a pipe like a file, a device refused, at most `FileIO.configurationFileLimit`.
enum ConfigurationFile {
    /// The bytes of the file at `path`.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) naming `flag` and the file, with `fix`.
    static func read(_ path: String, flag: String, fix: String) throws -> Data {
        do {
            return try FileIO.readAll(path, limit: FileIO.configurationFileLimit)
        } catch {
            // The storage error's message alone: its own fix would make a second "Fix:".
            throw CommandFailure.usage("error: cannot read \(flag): \(FileReadProblem.at(path) ?? "\(path) cannot be read (\(error.message))"). Fix: \(fix)")
        }
    }
}
