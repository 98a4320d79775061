import Foundation

/// Recognises `INSERT INTO t (…) VALUES (?, ?, …) [ON CONFLICT …]` and writes it for many rows.
///
/// Only statements whose VALUES group holds nothing but `?` placeholders qualify, so the rewrite
/// never changes what a statement means; everything else runs row by row.
struct MultiRowInsert {
    let prefix: String
    let suffix: String
    let width: Int

    init?(_ sql: String) {
        guard sql.trimmingCharacters(in: .whitespacesAndNewlines).uppercased().hasPrefix("INSERT"),
              let values = sql.range(of: "VALUES", options: .caseInsensitive) else { return nil }
        let afterValues = sql[values.upperBound...]
        guard let open = afterValues.firstIndex(where: { !$0.isWhitespace }), afterValues[open] == "(",
              let close = afterValues[open...].firstIndex(of: ")") else { return nil }
        let group = afterValues[afterValues.index(after: open)..<close]
        let parts = group.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 == "?" }) else { return nil }
        // ON CONFLICT … DO UPDATE may not touch one row twice in a statement; such upserts keep
        // running row by row (last one wins, as on SQLite).
        guard afterValues.range(of: "DO UPDATE", options: .caseInsensitive) == nil else { return nil }
        prefix = String(sql[..<values.upperBound])
        suffix = String(afterValues[afterValues.index(after: close)...])
        width = parts.count
    }

    /// The statement for `rows` rows of placeholders.
    func statement(rows: Int) -> String {
        let group = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        return prefix + " " + Array(repeating: group, count: rows).joined(separator: ", ") + suffix
    }
}
