import Foundation

/// Random identifiers in their usual text form.
enum UUIDText {
    static func random() -> String { UUID().uuidString.lowercased() }
}
