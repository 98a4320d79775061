import Foundation
import TensorCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the tool writes: results to standard output, messages and progress to standard error.
///
/// Inside ``MLOps/run(arguments:)`` both streams go to a ``Terminal/Capture`` instead (a task
/// local, so concurrent in-process runs do not mix their output).
enum Terminal {
    /// Whether standard error is a terminal, so progress lines are worth showing.
    static let showsProgress = isatty(STDERR_FILENO) == 1

    /// Collects what one in-process command writes.
    final class Capture: Sendable {
        private let streams = Mutex((output: Data(), error: Data()))

        func write(_ data: Data, toError: Bool) {
            streams.withLock { if toError { $0.error.append(data) } else { $0.output.append(data) } }
        }

        var output: String { streams.withLock { String(decoding: $0.output, as: UTF8.self) } }
        var error: String { streams.withLock { String(decoding: $0.error, as: UTF8.self) } }
    }

    /// The capture of the command running in this task, if it runs in process.
    @TaskLocal static var capture: Capture?

    /// A write to standard output or standard error that failed: the descriptor and `errno`.
    struct WriteFailure: Sendable, Equatable {
        let descriptor: Int32
        let code: Int32

        /// The stream's name and the system's reason, as a sentence.
        var description: String {
            let stream = descriptor == STDOUT_FILENO ? "standard output" : "standard error"
            return "could not write to \(stream): \(String(cString: strerror(code)))"
        }
    }

    /// The first failed write of this process (in-process runs write to their capture instead).
    private static let writeFailure = Mutex<WriteFailure?>(nil)

    /// Writes all of `data` to `descriptor` with `write(2)`, again after a signal interrupts it.
    /// A stream that failed once (a full disk, `/dev/full`, a closed descriptor) is not written
    /// to again, and the first failure is kept for ``takeWriteFailure()``. (`FileHandle.write`
    /// would trap on such a failure.)
    static func emit(_ data: Data, to descriptor: Int32) {
        if writeFailure.withLock({ $0?.descriptor == descriptor }) { return }
        let failed: Int32? = data.withUnsafeBytes { raw -> Int32? in
            guard var next = raw.baseAddress else { return nil }
            var left = raw.count
            while left > 0 {
                let written = Foundation.write(descriptor, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                next += written
                left -= written
            }
            return nil
        }
        if let failed {
            writeFailure.withLock { if $0 == nil { $0 = WriteFailure(descriptor: descriptor, code: failed) } }
        }
    }

    /// The first failed write to standard output or standard error, if any, forgetting it.
    static func takeWriteFailure() -> WriteFailure? {
        writeFailure.withLock { failure in
            defer { failure = nil }
            return failure
        }
    }

    /// Writes raw bytes to standard output (or the capture).
    static func write(_ data: Data) {
        if let capture { capture.write(data, toError: false) } else { emit(data, to: STDOUT_FILENO) }
    }

    /// A line of the command's result on standard output, its control characters shown as
    /// `\u{1B}` (see ``visible(_:alsoDELAndC1:)``).
    static func output(_ line: String) {
        write(Data((visible(line) + "\n").utf8))
    }

    /// `text` with every C0 control character except line feed and tab written as `\u{…}`: a
    /// description, owner, tag or name stored by one principal must not move another's cursor,
    /// clear the screen or retitle the terminal (ESC, BEL, OSC sequences) when it is listed.
    /// Messages on standard error are escaped the same way. JSON is left as it is: its encoder writes
    /// every C0 character as an escape already, and DEL and the C1 range, which JSON may hold
    /// raw, are not touched (escaping them here made the JSON invalid).
    static func visible(_ text: String, alsoDELAndC1: Bool = false) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (alsoDELAndC1 && (0x7F...0x9F).contains(scalar.value))
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                shown.append(scalar)
            }
        }
        return String(shown)
    }

    /// A message on standard error, its control characters shown as `\u{1B}` (see
    /// ``visible(_:alsoDELAndC1:)``), DEL and the C1 range (U+009B is a one-character CSI) too: a
    /// message may quote a file's header or values, which must not drive the terminal.
    static func error(_ message: String) {
        let data = Data((visible(message, alsoDELAndC1: true) + "\n").utf8)
        if let capture { capture.write(data, toError: true) } else { emit(data, to: STDERR_FILENO) }
    }

    /// A progress line, shown only on a terminal (CI logs and in-process runs stay clean).
    static func progress(_ message: String) {
        guard showsProgress, capture == nil else { return }
        emit(Data("  … \(message)\n".utf8), to: STDERR_FILENO)
    }

    /// The encoder every JSON result uses: stable, sorted, pretty.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // NaN and infinities are values here (a diverged loss); JSON has no literal for them.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        // Times (a run's start, a metric's timestamp) as ISO 8601 in UTC, to the millisecond.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.iso8601Milliseconds)
        }
        return encoder
    }

    /// Prints a value as stable, sorted, pretty JSON.
    static func printJSON(_ value: some Encodable) throws {
        output(String(decoding: try jsonEncoder().encode(value), as: UTF8.self))
    }
}
