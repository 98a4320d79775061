/// How much harm a model can do, which decides how much its promotions need: the model card's
/// required fields and the promotion policy that applies.
///
/// A struct with static members rather than an enum, so an organisation can use its own classes
/// (`RiskClass(rawValue: "regulated")`). A store registers a model only under one of the
/// ``builtIn`` classes or a class that a promotion policy names: define the policy of your own
/// class first, so that a typo (`hgih`) can never register a model that no policy governs.
public struct RiskClass: Sendable, Hashable, Comparable, RawRepresentable, Codable, CustomStringConvertible {
    /// The class's stable name.
    public let rawValue: String

    /// Creates a class from its name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Little harm if wrong.
    public static let low = RiskClass(rawValue: "low")
    /// Noticeable harm if wrong.
    public static let medium = RiskClass(rawValue: "medium")
    /// Serious harm if wrong (credit, health, safety).
    public static let high = RiskClass(rawValue: "high")

    /// `low`, `medium` and `high`, which every store accepts.
    public static let builtIn: [RiskClass] = [.low, .medium, .high]

    public var description: String { rawValue }

    public static func < (lhs: RiskClass, rhs: RiskClass) -> Bool { lhs.rawValue < rhs.rawValue }
}
