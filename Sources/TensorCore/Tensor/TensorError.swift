/// The error tensor operations and kernels throw: what was wrong with the input and how to fix it.
public struct TensorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// Two shapes do not fit (element count, broadcasting, matrix product).
        case shapeMismatch
        /// The operation needs at least one value (or one non-NaN value).
        case empty
        /// An argument is outside its allowed range (a quantile outside [0, 1], unsorted edges...).
        case invalidArgument
        /// An index is outside the tensor.
        case indexOutOfRange
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
