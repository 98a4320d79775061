/// The order every registry store lists records in, whatever its database's collation:
/// Swift's `<` on the names (PostgreSQL's `ORDER BY` follows the database's collation, and ICU
/// `en-US` sets `fraud/a_b` before `fraud/a-b`, where SQLite's binary order and Swift agree).
extension Sequence where Element == ModelVersion {
    /// By model, then version.
    func inListOrder() -> [ModelVersion] { sorted { ($0.model, $0.version) < ($1.model, $1.version) } }
}

extension Sequence where Element == PromotionPolicy {
    /// By alias, then risk class (an alias's catch-all first).
    func inListOrder() -> [PromotionPolicy] { sorted { ($0.alias, $0.riskClass?.rawValue ?? "") < ($1.alias, $1.riskClass?.rawValue ?? "") } }
}
