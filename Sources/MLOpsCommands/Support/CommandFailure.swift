/// Ends a command with a message on standard error and an exit code.
///
/// 1 when a check found a problem; 2 for bad usage or unreadable input.
struct CommandFailure: Error {
    let exitCode: Int32
    let message: String

    /// A check found a problem (exit 1).
    static func problem(_ message: String) -> CommandFailure { CommandFailure(exitCode: 1, message: message) }
    /// Bad usage or unreadable input (exit 2).
    static func usage(_ message: String) -> CommandFailure { CommandFailure(exitCode: 2, message: message) }
}
