import Foundation
import MLOpsCommands

/// Runs `mlops` in this process through the MLOpsCommands library: parse, run, exit code and
/// the output it wrote, without spawning the executable.
func mlops(_ arguments: String...) async -> MLOps.RunResult {
    await MLOps.run(arguments: arguments)
}

/// Runs `mlops` in process with an argument array.
func mlops(_ arguments: [String]) async -> MLOps.RunResult {
    await MLOps.run(arguments: arguments)
}

extension MLOps.RunResult {
    /// Standard output parsed as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
    }

    /// Everything written, for failure messages.
    var transcript: String { "exit \(exitCode)\n--- stdout\n\(output)\n--- stderr\n\(error)" }
}

/// Writes `text` to `path`.
func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// The bytes of the file at `path` (empty when there is none).
func contents(_ path: String) -> Data {
    (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
}
