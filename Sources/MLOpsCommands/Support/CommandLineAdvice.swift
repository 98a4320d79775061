import Foundation

/// Turns the fixes that library errors give in API terms into what a command-line user can do.
///
/// ``TensorCore`` errors speak to Swift callers (`pass badRowPolicy: .skip`, `set hasHeaderRow:
/// false`); the commands have no such options, so the advice is rewritten, once, where every
/// command's error is printed (``MLOps/main(arguments:)``).
enum CommandLineAdvice {
    /// API advice and what replaces it on the command line, longest first.
    static let rewrites: [(String, String)] = [
        (" Declare the column's kind with schema: [name: .categorical] (or raise inferenceRowCount), or pass badRowPolicy: .skip to drop such rows.",
         " Make every value of the column the same kind (its kind is inferred from the first rows), or remove the row."),
        (" Raise inferenceRowCount or name the key in schema, or pass badRowPolicy: .skip to drop such rows.",
         " Give the key a value in one of the first rows too, or remove it from this row."),
        (" Add a header line, or set hasHeaderRow: false and pass columnNames.", " Add a header line that names the columns."),
        (", or pass badRowPolicy: .skip to drop such rows.", ", or remove the row."),
        (", or pass badRowPolicy: .skip to drop it.", ", or remove it."),
        ("the schema option declares the column", "the column's kind is"),
        ("the schema option declares the key", "the key's kind is"),
        (", or open the store with migration on.", " if it is a swift-mlops store, or point --store at the store you meant."),
    ]

    /// `message` with each API phrase replaced.
    static func rewrite(_ message: String) -> String {
        var text = message
        for (api, commandLine) in rewrites { text = text.replacingOccurrences(of: api, with: commandLine) }
        return text
    }
}
