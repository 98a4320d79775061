import Foundation

/// The identifier of a run: a lowercase UUID, validated when made.
public struct RunID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The lowercase UUID text.
    public let value: String

    /// A new random identifier.
    public init() { value = UUID().uuidString.lowercased() }

    /// Parses an identifier: a UUID with dashes, or the same 32 hexadecimal digits without them
    /// (MLflow's form: a run imported from MLflow is found by the id MLflow gave it).
    ///
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) when the text is not a UUID.
    public init(_ text: String) throws(LineageError) {
        guard let uuid = UUID(uuidString: Self.dashed(text)) else {
            throw LineageError(.invalidArgument, "'\(text.prefix(60))' is not a run id (a UUID such as 3f2b8c1e-…, or MLflow's 32 hexadecimal digits)", fix: "copy the id from `mlops runs list`.")
        }
        value = uuid.uuidString.lowercased()
    }

    init(unchecked value: String) { self.value = value }

    /// The identifier as MLflow writes it: the 32 hexadecimal digits without dashes.
    public var mlflowID: String { value.replacingOccurrences(of: "-", with: "") }

    /// `text` with the dashes of a UUID put in when it is 32 hexadecimal digits without them.
    static func dashed(_ text: String) -> String {
        let utf8 = Array(text.utf8)
        guard utf8.count == 32, utf8.allSatisfy({ (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) }) else { return text }
        var result = ""
        for (index, byte) in utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { result.append("-") }
            result.append(Character(Unicode.Scalar(byte)))
        }
        return result
    }

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
