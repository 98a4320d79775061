import Foundation

/// Where the tool writes: results to standard output, messages and progress to standard error.
enum Terminal {
    /// Whether standard error is a terminal, so progress lines are worth showing.
    static let showsProgress = isatty(STDERR_FILENO) == 1

    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// A progress line, shown only on a terminal (CI logs stay clean).
    static func progress(_ message: String) {
        guard showsProgress else { return }
        FileHandle.standardError.write(Data("  … \(message)\n".utf8))
    }

    /// Prints a value as stable, sorted, pretty JSON.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // NaN and infinities are values here (a diverged loss); JSON has no literal for them.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
