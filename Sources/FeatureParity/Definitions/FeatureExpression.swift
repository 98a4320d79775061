import Foundation
public import TensorCore

/// A feature's transformation, written once: the same expression is evaluated over a whole
/// table, column at a time (offline, for training), and over one entity's values (online, per
/// request), and the two give bit-identical results because they run the same arithmetic in the
/// same order on the same doubles.
///
/// An expression is data, so it has a stable text form (``canonicalText``) that goes into the
/// feature's content hash: changing the transformation changes the hash.
///
/// ```swift
/// let ratio: FeatureExpression = .divide(.column("spend_7d"), .maximum(.column("txn_count_7d"), .constant(1)))
/// ```
public indirect enum FeatureExpression: Sendable, Hashable, Codable {
    /// A numeric source column.
    case column(String)
    /// A constant.
    case constant(Double)
    case add(FeatureExpression, FeatureExpression)
    case subtract(FeatureExpression, FeatureExpression)
    case multiply(FeatureExpression, FeatureExpression)
    /// Division; a zero denominator gives a missing value (never infinity).
    case divide(FeatureExpression, FeatureExpression)
    case minimum(FeatureExpression, FeatureExpression)
    case maximum(FeatureExpression, FeatureExpression)
    /// ln(1 + x); missing for x ≤ −1.
    case log1p(FeatureExpression)
    /// The value clipped to [low, high].
    case clip(FeatureExpression, low: Double, high: Double)
    /// The value, or `fallback` where it is missing.
    case coalesce(FeatureExpression, fallback: Double)

    /// The source columns the expression reads, sorted.
    public var columns: [String] {
        var names = Set<String>()
        func walk(_ e: FeatureExpression) {
            switch e {
            case .column(let name): names.insert(name)
            case .constant: break
            case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b), .minimum(let a, let b), .maximum(let a, let b):
                walk(a)
                walk(b)
            case .log1p(let a), .clip(let a, _, _), .coalesce(let a, _): walk(a)
            }
        }
        walk(self)
        return names.sorted()
    }

    /// A stable text form, for hashing and display: `divide(column(spend_7d),maximum(column(txn_count_7d),constant(1.0)))`.
    public var canonicalText: String {
        switch self {
        case .column(let name): return "column(\(name.utf8.count):\(name))"
        case .constant(let value): return "constant(\(value))"
        case .add(let a, let b): return "add(\(a.canonicalText),\(b.canonicalText))"
        case .subtract(let a, let b): return "subtract(\(a.canonicalText),\(b.canonicalText))"
        case .multiply(let a, let b): return "multiply(\(a.canonicalText),\(b.canonicalText))"
        case .divide(let a, let b): return "divide(\(a.canonicalText),\(b.canonicalText))"
        case .minimum(let a, let b): return "minimum(\(a.canonicalText),\(b.canonicalText))"
        case .maximum(let a, let b): return "maximum(\(a.canonicalText),\(b.canonicalText))"
        case .log1p(let a): return "log1p(\(a.canonicalText))"
        case .clip(let a, let low, let high): return "clip(\(a.canonicalText),\(low),\(high))"
        case .coalesce(let a, let fallback): return "coalesce(\(a.canonicalText),\(fallback))"
        }
    }

    /// The value for one entity (online): `values` holds the source columns; a missing source is nil.
    public func evaluate(_ values: [String: Double]) -> Double? {
        switch self {
        case .column(let name):
            guard let v = values[name], !v.isNaN else { return nil }
            return v
        case .constant(let v): return v
        case .add(let a, let b): return Self.binary(a.evaluate(values), b.evaluate(values), +)
        case .subtract(let a, let b): return Self.binary(a.evaluate(values), b.evaluate(values), -)
        case .multiply(let a, let b): return Self.binary(a.evaluate(values), b.evaluate(values), *)
        case .divide(let a, let b): return Self.divide(a.evaluate(values), b.evaluate(values))
        case .minimum(let a, let b): return Self.binary(a.evaluate(values), b.evaluate(values), Swift.min)
        case .maximum(let a, let b): return Self.binary(a.evaluate(values), b.evaluate(values), Swift.max)
        case .log1p(let a): return a.evaluate(values).flatMap(Self.logOnePlus)
        case .clip(let a, let low, let high): return a.evaluate(values).map { Swift.min(Swift.max($0, low), high) }
        case .coalesce(let a, let fallback): return a.evaluate(values) ?? fallback
        }
    }

    /// The values for every row of `table` (offline), a column at a time.
    ///
    /// - Throws: ``FeatureParityError/Code/missingColumn`` when a source column is missing or not numeric.
    public func evaluate(_ table: FeatureTable) throws(FeatureParityError) -> [Double?] {
        switch self {
        case .column(let name):
            guard case .double(let c)? = table.column(named: name) else {
                throw FeatureParityError(
                    .missingColumn, "The feature's source column '\(name)' is missing or not numeric", location: name,
                    fix: "give the table a numeric column of that name.")
            }
            return (0..<c.count).map { c.validity[$0] && !c.values[$0].isNaN ? c.values[$0] : nil }
        case .constant(let v): return [Double?](repeating: v, count: table.rowCount)
        case .add(let a, let b): return zip(try a.evaluate(table), try b.evaluate(table)).map { Self.binary($0, $1, +) }
        case .subtract(let a, let b): return zip(try a.evaluate(table), try b.evaluate(table)).map { Self.binary($0, $1, -) }
        case .multiply(let a, let b): return zip(try a.evaluate(table), try b.evaluate(table)).map { Self.binary($0, $1, *) }
        case .divide(let a, let b): return zip(try a.evaluate(table), try b.evaluate(table)).map { Self.divide($0, $1) }
        case .minimum(let a, let b): return zip(try a.evaluate(table), try b.evaluate(table)).map { Self.binary($0, $1, Swift.min) }
        case .maximum(let a, let b): return zip(try a.evaluate(table), try b.evaluate(table)).map { Self.binary($0, $1, Swift.max) }
        case .log1p(let a): return try a.evaluate(table).map { $0.flatMap(Self.logOnePlus) }
        case .clip(let a, let low, let high): return try a.evaluate(table).map { $0.map { Swift.min(Swift.max($0, low), high) } }
        case .coalesce(let a, let fallback): return try a.evaluate(table).map { $0 ?? fallback }
        }
    }

    static func binary(_ a: Double?, _ b: Double?, _ op: (Double, Double) -> Double) -> Double? {
        guard let a, let b else { return nil }
        let v = op(a, b)
        return v.isNaN ? nil : v
    }

    static func divide(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b, b != 0 else { return nil }
        let v = a / b
        return v.isFinite ? v : nil
    }

    static func logOnePlus(_ x: Double) -> Double? { x > -1 ? Foundation.log1p(x) : nil }
}
