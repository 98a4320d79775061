import Foundation

/// A `DecodingError` in words a person reading an error can act on: which key is missing or has
/// the wrong type, and where (a JSON path such as `evaluation_slices[2].name`), in JSON's terms
/// (an object, a list, text, a number), instead of Swift's debug description of coding keys and
/// type names such as `Dictionary<String, Any>`.
///
/// The one describer for every JSON file a user hands the suite: model cards and signatures,
/// rollout policies, cluster descriptions.
package enum DecodingErrorText {
    /// The error described; an error that is not a `DecodingError` (a read that failed) by
    /// ``ErrorReason/text(_:)``.
    package static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return ErrorReason.text(error) }
        switch decoding {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "the key '\(key.stringValue)' is missing\(parent)"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(kind(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null where \(kind(type)) is needed"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "it is not JSON, or not well-formed JSON" }
            return "\(path(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// Where the error is, as a key path such as `guardrails[1].metric`; nil at the top level.
    package static func location(_ error: DecodingError) -> String? {
        let keys: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): keys = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): keys = context.codingPath
        @unknown default: keys = []
        }
        return keys.isEmpty ? nil : keyPath(keys)
    }

    /// `'evaluation_slices[2].name'`, or "the top level".
    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : "'\(keyPath(keys))'"
    }

    /// `evaluation_slices[2].name`.
    static func keyPath(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text
    }

    /// What JSON calls a value of `type`.
    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt64.Type: "a whole number"
        case is Bool.Type: "true or false"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
