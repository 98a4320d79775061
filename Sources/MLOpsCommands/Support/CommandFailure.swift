/// Ends a command with a message on standard error and an exit code.
///
/// 1 when a check found a problem; 2 for bad usage or unreadable input.
struct CommandFailure: Error, CustomStringConvertible {
    let exitCode: Int32
    let message: String

    /// The message without its `error: ` lead, for ArgumentParser, which prints `Error: ` and
    /// the description when a failure comes out of a command's `validate()`.
    var description: String {
        message.hasPrefix("error: ") ? String(message.dropFirst("error: ".count)) : message
    }

    /// A check found a problem (exit 1).
    static func problem(_ message: String) -> CommandFailure { CommandFailure(exitCode: 1, message: message) }
    /// Bad usage or unreadable input (exit 2).
    static func usage(_ message: String) -> CommandFailure { CommandFailure(exitCode: 2, message: message) }
}
