import Foundation
public import TensorCore

/// A categorical feature's transformation, written once, like ``FeatureExpression`` for
/// numbers: evaluated over a whole table (offline) and for one entity (online) by the same
/// rules, so both give the same category for the same inputs.
///
/// ```swift
/// // Amounts bucketed into bands, and countries outside a vocabulary folded into "other".
/// let band: CategoryExpression = .bucketize(.column("amount"), edges: [10, 100], labels: ["small", "medium", "large"])
/// let country: CategoryExpression = .vocabulary(.lowercased(.column("country")), ["de", "fr", "us"], other: "other")
/// ```
///
/// A missing source gives a missing category (the feature's missing policy then applies), except
/// under ``coalesce(_:fallback:)``.
public indirect enum CategoryExpression: Sendable, Hashable, Codable {
    /// A source column's value as a category: text as is, a number as its text (integers
    /// without a decimal point; see ``FeatureValue/text(ofNumber:)``).
    case column(String)
    /// A number put into bands: `labels[i]` for `edges[i - 1] ≤ x < edges[i]` (`labels[0]`
    /// below the first edge, the last label from the last edge up). `edges` are increasing and
    /// there is one more label than edges.
    case bucketize(FeatureExpression, edges: [Double], labels: [String])
    /// Categories renamed by `mapping`; one not in it becomes `other`, or stays as it is when
    /// `other` is nil.
    case map(CategoryExpression, mapping: [String: String], other: String?)
    /// Categories in `vocabulary` kept, every other one replaced by `other` (bounded cardinality).
    case vocabulary(CategoryExpression, [String], other: String)
    /// The category in lower case (Unicode, locale-independent).
    case lowercased(CategoryExpression)
    /// The category, or `fallback` where it is missing.
    case coalesce(CategoryExpression, fallback: String)

    /// The source columns it reads, sorted.
    public var columns: [String] {
        switch self {
        case .column(let name): return [name]
        case .bucketize(let number, _, _): return number.columns
        case .map(let inner, _, _), .vocabulary(let inner, _, _), .lowercased(let inner), .coalesce(let inner, _): return inner.columns
        }
    }

    /// Every category it can give, when that set is closed (bands, a vocabulary, a mapping with
    /// `other`); nil when any text can come through. A payload contract allows these.
    public var categories: [String]? {
        switch self {
        case .column: return nil
        case .bucketize(_, _, let labels): return Self.unique(labels)
        case .map(let inner, let mapping, let other):
            guard let other else {
                return inner.categories.map { known in Self.unique(known.map { mapping[$0] ?? $0 }) }
            }
            return Self.unique(mapping.keys.sorted().compactMap { mapping[$0] } + [other])
        case .vocabulary(_, let vocabulary, let other): return Self.unique(vocabulary + [other])
        case .lowercased(let inner): return inner.categories.map { Self.unique($0.map { $0.lowercased() }) }
        case .coalesce(let inner, let fallback): return inner.categories.map { Self.unique($0 + [fallback]) }
        }
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Checks the parameters (called by ``FeatureDefinition``).
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` for edges that are not finite and
    ///   increasing, or a label count that is not one more than the edges.
    public func validate() throws(FeatureParityError) {
        switch self {
        case .column: return
        case .bucketize(_, let edges, let labels):
            guard labels.count == edges.count + 1 else {
                throw FeatureParityError(.invalidArgument, "\(edges.count) edges need \(edges.count + 1) labels, not \(labels.count)", location: "bucketize", fix: "give one label per band.")
            }
            guard edges.allSatisfy(\.isFinite), zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw FeatureParityError(.invalidArgument, "The edges \(edges) are not finite and increasing", location: "bucketize", fix: "sort the edges and drop repeats.")
            }
        case .map(let inner, _, _), .vocabulary(let inner, _, _), .lowercased(let inner), .coalesce(let inner, _):
            try inner.validate()
        }
    }

    /// A stable text form, for hashing: names and labels carry their byte length, mappings are
    /// sorted by key.
    public var canonicalText: String {
        func text(_ s: String) -> String { "\(s.utf8.count):\(s)" }
        switch self {
        case .column(let name): return "column(\(text(name)))"
        case .bucketize(let number, let edges, let labels):
            return "bucketize(\(number.canonicalText),[\(edges.map { "\($0)" }.joined(separator: ","))],[\(labels.map(text).joined(separator: ","))])"
        case .map(let inner, let mapping, let other):
            let pairs = mapping.keys.sorted().map { "\(text($0))=\(text(mapping[$0] ?? ""))" }.joined(separator: ",")
            return "map(\(inner.canonicalText),[\(pairs)],\(other.map(text) ?? "keep"))"
        case .vocabulary(let inner, let vocabulary, let other):
            return "vocabulary(\(inner.canonicalText),[\(vocabulary.map(text).joined(separator: ","))],\(text(other)))"
        case .lowercased(let inner): return "lowercased(\(inner.canonicalText))"
        case .coalesce(let inner, let fallback): return "coalesce(\(inner.canonicalText),\(text(fallback)))"
        }
    }

    /// The category for one entity (online): `values` holds the source values; a missing source is absent.
    public func evaluate(_ values: [String: FeatureValue]) -> String? {
        switch self {
        case .column(let name):
            guard let value = values[name] else { return nil }
            if case .number(let x) = value, x.isNaN { return nil }
            return value.category
        case .bucketize(let number, let edges, let labels):
            let numbers = values.compactMapValues(\.number)
            return number.evaluate(numbers).flatMap { Self.band($0, edges: edges, labels: labels) }
        default:
            return transform { $0.evaluate(values) }
        }
    }

    /// The categories for every row of `table` (offline), a column at a time.
    ///
    /// - Throws: ``FeatureParityError/Code/missingColumn`` when a source column is missing (or,
    ///   under ``bucketize(_:edges:labels:)``, not numeric).
    public func evaluate(_ table: FeatureTable) throws(FeatureParityError) -> [String?] {
        switch self {
        case .column(let name):
            switch table.column(named: name) {
            case .categorical(let c)?:
                let dictionary = c.dictionary
                return c.codes.map { $0 >= 0 ? dictionary[Int($0)] : nil }
            case .double(let c)?:
                return (0..<c.count).map { c.validity[$0] && !c.values[$0].isNaN ? FeatureValue.text(ofNumber: c.values[$0]) : nil }
            case .timestamp?, nil:
                throw FeatureParityError(
                    .missingColumn, "The feature's source column '\(name)' is missing or holds times", location: name,
                    fix: "give the table a text or numeric column of that name.")
            }
        case .bucketize(let number, let edges, let labels):
            return try number.evaluate(table).map { $0.flatMap { Self.band($0, edges: edges, labels: labels) } }
        case .map(let inner, _, _), .vocabulary(let inner, _, _), .lowercased(let inner), .coalesce(let inner, _):
            return try inner.evaluate(table).map { category in transform { _ in category } }
        }
    }

    /// Applies this node (not a column or bucketize) to its inner category, which `inner` gives.
    private func transform(_ inner: (CategoryExpression) -> String?) -> String? {
        switch self {
        case .map(let e, let mapping, let other):
            guard let category = inner(e) else { return nil }
            return mapping[category] ?? other ?? category
        case .vocabulary(let e, let vocabulary, let other):
            guard let category = inner(e) else { return nil }
            return vocabulary.contains(category) ? category : other
        case .lowercased(let e):
            return (inner(e)).map { $0.lowercased() }
        case .coalesce(let e, let fallback):
            return inner(e) ?? fallback
        case .column, .bucketize:
            return nil
        }
    }

    /// The band of `x`: the number of edges at or below it picks the label (nil when the labels
    /// do not cover the bands; ``validate()`` refuses such an expression).
    static func band(_ x: Double, edges: [Double], labels: [String]) -> String? {
        let lo = edges.partitioningIndex { !($0 <= x) }
        return lo < labels.count ? labels[lo] : nil
    }
}
