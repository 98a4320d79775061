/// How much harm a model can do, which decides how much its promotions need: the model card's
/// required fields and the promotion policy that applies.
///
/// A struct with static members rather than an enum, so an organisation can use its own classes
/// (`RiskClass(rawValue: "regulated")`). An alias with policies governs such a class too: a
/// model of a class other than the ``builtIn`` ones, with no policy of its own at the alias and
/// no policy there for every class, is refused promotion there (rule `risk_class_policy`), so a
/// typo (`hgih`) never makes a model free of the rules its real class has.
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
