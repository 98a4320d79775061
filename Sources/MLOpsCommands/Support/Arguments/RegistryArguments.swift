import Foundation
public import ArgumentParser
public import Registry

/// A model name argument (`team/model`), checked by the argument parser.
extension ModelName: ExpressibleByArgument {
    /// Parses `team/model`; `nil` when the text is not of that form.
    public init?(argument: String) {
        guard let name = try? ModelName(argument) else { return nil }
        self = name
    }

    /// Parses `team/model` for an argument declared with this transform, so that a refused name
    /// says which rule it breaks (the parser shows the error's description after the value).
    static func parsingArgument(_ text: String) throws -> ModelName {
        try ModelName(text)
    }
}

/// A role argument (`register`, `approve`, `promote`, `admin`).
extension Role: ExpressibleByArgument {
    /// The role named `argument`; `nil` for a name this release does not define.
    public init?(argument: String) {
        guard Role.allCases.map(\.rawValue).contains(argument) else { return nil }
        self.init(rawValue: argument)
    }

    public static var allValueStrings: [String] { Role.allCases.map(\.rawValue) }
}

/// A risk class argument (`low`, `medium`, `high`, or an organisation's own class).
extension RiskClass: ExpressibleByArgument {
    /// The class named `argument` (lowercase letters, digits, `-` and `_`; at most 64 of them).
    public init?(argument: String) {
        guard !argument.isEmpty, argument.utf8.count <= 64, argument.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            return nil
        }
        self.init(rawValue: argument)
    }
}

/// `key=value` pairs given as repeated options (`--tag team=fraud`, `--metric f1=0.82`).
enum KeyValueArguments {
    /// The pairs as a dictionary.
    ///
    /// - Throws: `ValidationError` naming the option and the pair that has no `=`, an empty key,
    ///   or a key given twice.
    static func pairs(_ values: [String], option: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for value in values {
            guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                throw ValidationError("--\(option) '\(value)' is not KEY=VALUE: give a key, '=', then the value.")
            }
            let key = String(value[..<equals])
            guard !key.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--\(option) '\(value)' has a blank key: give a name before '='.")
            }
            guard result[key] == nil else { throw ValidationError("--\(option) gives '\(key)' twice.") }
            result[key] = String(value[value.index(after: equals)...])
        }
        return result
    }

    /// The pairs with finite numeric values, written as decimals (`0.82`, `-1e-3`): Swift's
    /// `Double` also reads hexadecimal (`0x10` is 16), which no one means in a metric.
    ///
    /// - Throws: `ValidationError` naming the pair whose value is not a finite decimal number.
    static func numbers(_ values: [String], option: String) throws -> [String: Double] {
        try pairs(values, option: option).mapValues { text in
            guard text.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }), let number = Double(text), number.isFinite else {
                throw ValidationError("--\(option) value '\(text)' is not a finite decimal number (such as 0.82 or 1e-3).")
            }
            return number
        }
    }
}
