/// A rule that sends requests with a given attribute (a header, a country, an app version) to
/// one variant, ahead of the weighted split: "internal users see the candidate", "never route
/// EU traffic to the challenger".
///
/// Rules are checked in order; the first that matches decides. A request no rule matches is
/// split by weight.
public struct TargetingRule: Sendable, Hashable, Codable {
    /// How an attribute's value is compared.
    public enum Match: Sendable, Hashable, Codable {
        /// The value is one of these.
        case oneOf([String])
        /// The value starts with this prefix.
        case prefix(String)
        /// The attribute is present, whatever its value.
        case present
    }

    /// The attribute (or header) the rule reads, such as `x-canary` or `country`.
    public let attribute: String
    /// How its value is compared.
    public let match: Match
    /// The variant a matching request goes to.
    public let variant: String

    /// A rule sending requests whose `attribute` matches to `variant`.
    ///
    /// - Throws: ``RolloutError/Code/invalidPlan`` for an empty attribute name or an empty set
    ///   of values.
    public init(attribute: String, match: Match, variant: String) throws(RolloutError) {
        guard !attribute.isEmpty else {
            throw RolloutError(.invalidPlan, "A targeting rule has no attribute name", location: variant, fix: "name the header or attribute it reads.")
        }
        if case .oneOf(let values) = match, values.isEmpty {
            throw RolloutError(.invalidPlan, "The targeting rule on '\(attribute)' matches no value", location: attribute, fix: "give at least one value.")
        }
        self.attribute = attribute
        self.match = match
        self.variant = variant
    }

    /// Whether `attributes` match this rule.
    @inlinable
    public func matches(_ attributes: [String: String]) -> Bool {
        guard let value = attributes[attribute] else { return false }
        switch match {
        case .oneOf(let values): return values.contains(value)
        case .prefix(let prefix): return value.hasPrefix(prefix)
        case .present: return true
        }
    }
}
