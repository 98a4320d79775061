/// The error DriftStats throws: what was wrong with the samples or the settings, and how to fix it.
public struct DriftError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A sample has no usable (non-NaN) value.
        case emptySample
        /// A setting is outside its range.
        case invalidArgument
        /// Stored profile bytes are not a profile this build can read.
        case invalidProfile
        /// A baseline store could not read or write.
        case storage
        /// No baseline is stored under a name.
        case baselineNotFound
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
