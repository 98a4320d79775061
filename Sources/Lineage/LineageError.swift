/// The error Lineage throws: what was wrong, about which run or key, and how to fix it.
public struct LineageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; stable, so callers can switch over it.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// No run, experiment or artifact with that identifier.
        case notFound
        /// The run has finished; nothing more can be logged to it.
        case runFinished
        /// A parameter was logged twice with different values.
        case conflictingParameter
        /// A name, key or identifier is not valid.
        case invalidArgument
        /// A search filter could not be parsed.
        case invalidFilter
        /// The stored data could not be read back.
        case corruptRecord
    }

    /// What kind of problem this is.
    public var code: Code
    /// What was wrong, as a sentence.
    public var message: String
    /// What the caller can do about it.
    public var fix: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, fix: String? = nil) {
        self.code = code
        self.message = message
        self.fix = fix
    }

    /// The message and the fix as one paragraph.
    public var description: String {
        var text = message
        if !text.hasSuffix(".") { text += "." }
        if let fix { text += " Fix: \(fix)" }
        return text
    }
}
