import Foundation

/// The identifier of a run: a lowercase UUID, validated when made.
public struct RunID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The lowercase UUID text.
    public let value: String

    /// A new random identifier.
    public init() { value = UUID().uuidString.lowercased() }

    /// Parses an identifier.
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) when the text is not a UUID.
    public init(_ text: String) throws(LineageError) {
        guard let uuid = UUID(uuidString: text) else {
            throw LineageError(.invalidArgument, "'\(text.prefix(60))' is not a run id (a UUID such as 3f2b8c1e-…)", fix: "copy the id from `mlops runs list`.")
        }
        value = uuid.uuidString.lowercased()
    }

    init(unchecked value: String) { self.value = value }

    /// The identifier text.
    public var description: String { value }

    /// Orders identifiers by their text.
    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.value < rhs.value }

    /// Encodes as the UUID text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// Decodes and validates the UUID text.
    public init(from decoder: any Decoder) throws {
        self = try RunID(try decoder.singleValueContainer().decode(String.self))
    }
}
