import Foundation

/// A `DecodingError` in words a person reading a command's error can act on: which key is
/// missing or has the wrong type, and where (a JSON path such as `evaluation_slices[2].name`),
/// instead of Swift's debug description of coding keys.
enum DecodingErrorText {
    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else {
            // Foundation's read errors carry the path and the reason in their description.
            return (error as NSError).localizedDescription
        }
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text.isEmpty ? "the top level" : "'\(text)'"
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "the key '\(key.stringValue)' is missing\(parent)"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(Self.kind(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null where \(Self.kind(type)) is needed"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "it is not valid JSON" }
            return "\(path(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Bool.Type: "true or false"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "an object (\(type))"
        }
    }
}
