/// A registered model's name: a namespace and a name, written `team/model`.
///
/// The form is checked when a name is parsed; whether a name is *allowed* (its namespace, its
/// length) is the ``NamingPolicy``'s call, made by the store when a model is registered.
public struct ModelName: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// `team/model`.
    public let value: String

    /// The part before the `/`: the team or project that owns the model.
    public var namespace: String { String(value.prefix { $0 != "/" }) }
    /// The part after the `/`.
    public var name: String { String(value.drop { $0 != "/" }.dropFirst()) }

    /// Parses `team/model`: two segments of lowercase letters, digits, `.`, `_` and `-`, each
    /// starting with a letter or digit.
    ///
    /// - Throws: ``RegistryError/Code/invalidName`` saying what is wrong with the text.
    public init(_ text: String) throws(RegistryError) {
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 2 else {
            throw RegistryError(
                .invalidName, "Model name '\(text)' is not of the form team/model",
                fix: "name models with a namespace and a name, for example fraud/scorer.")
        }
        for (index, segment) in segments.enumerated() {
            let part = index == 0 ? "namespace" : "name"
            let fix = "use lowercase letters, digits, '.', '_' and '-', starting each part with a letter or digit, for example fraud/scorer."
            guard let first = segment.unicodeScalars.first else {
                throw RegistryError(.invalidName, "Model name '\(text)' has an empty \(part) (nothing \(index == 0 ? "before" : "after") the '/')", fix: fix)
            }
            if let bad = segment.unicodeScalars.first(where: { !(Self.isLowerAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-") }) {
                let what = ("A"..."Z").contains(bad) ? "an uppercase letter '\(bad)'"
                    : bad.properties.isWhitespace ? "white space" : "the character '\(bad.escaped(asASCII: bad.value < 0x20 || bad.value == 0x7F))'"
                throw RegistryError(
                    .invalidName, "Model name '\(text)' has \(what) in its \(part) '\(segment)'; only a-z, 0-9, '.', '_' and '-' are allowed", fix: fix)
            }
            guard Self.isLowerAlphanumeric(first) else {
                throw RegistryError(
                    .invalidName, "Model name '\(text)' has a \(part) '\(segment)' that starts with '\(first)'; each part starts with a letter or digit", fix: fix)
            }
        }
        value = text
    }

    private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    public var description: String { value }

    public static func < (lhs: ModelName, rhs: ModelName) -> Bool { lhs.value < rhs.value }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }
}

/// Which model names a registry accepts, beyond the `team/model` form.
public struct NamingPolicy: Sendable, Hashable, Codable {
    /// The namespaces models may be registered in; nil allows any.
    public var allowedNamespaces: Set<String>?
    /// The longest name accepted, in characters (128).
    public var maximumLength: Int

    /// A policy; by default any namespace and names up to 128 characters.
    public init(allowedNamespaces: Set<String>? = nil, maximumLength: Int = 128) {
        self.allowedNamespaces = allowedNamespaces
        self.maximumLength = maximumLength
    }

    /// Throws when `name` breaks the policy.
    ///
    /// - Throws: ``RegistryError/Code/invalidName`` naming the rule.
    public func check(_ name: ModelName) throws(RegistryError) {
        if name.value.count > maximumLength {
            throw RegistryError(
                .invalidName, "Model name '\(name)' is \(name.value.count) characters long; the naming policy allows \(maximumLength)",
                fix: "choose a shorter name.")
        }
        if let allowedNamespaces, !allowedNamespaces.contains(name.namespace) {
            throw RegistryError(
                .invalidName, "Namespace '\(name.namespace)' of model '\(name)' is not one the naming policy allows (\(allowedNamespaces.sorted().joined(separator: ", ")))",
                fix: "register the model under one of the allowed namespaces.")
        }
    }
}
