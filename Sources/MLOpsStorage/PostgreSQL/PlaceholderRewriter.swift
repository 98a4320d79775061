import Foundation

/// Rewrites `?` placeholders to PostgreSQL's numbered `$1`, `$2`... form, and splits scripts into
/// statements.
///
/// A `?` or `;` inside a string literal ('...'), a quoted identifier ("..."), or a comment (`--`,
/// `/* */`) is left alone, so statements stay portable between the two drivers.
enum PlaceholderRewriter {
    static func numbered(_ sql: String) -> String {
        scan(sql).numbered
    }

    /// The statements of a script, split at top-level semicolons, empty ones dropped.
    static func statements(_ script: String) -> [String] {
        scan(script).statements
    }

    private static func scan(_ sql: String) -> (numbered: String, statements: [String]) {
        var statements: [String] = []
        var statement = ""
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var iterator = sql.unicodeScalars.makeIterator()
        var quote: Unicode.Scalar? = nil
        var lineComment = false
        var blockComment = false
        var previous: Unicode.Scalar? = nil
        while let scalar = iterator.next() {
            defer { previous = scalar }
            if !lineComment && !blockComment && quote == nil && scalar == ";" {
                statements.append(statement)
                statement = ""
                output.unicodeScalars.append(scalar)
                continue
            }
            statement.unicodeScalars.append(scalar)
            if lineComment {
                output.unicodeScalars.append(scalar)
                if scalar == "\n" { lineComment = false }
                continue
            }
            if blockComment {
                output.unicodeScalars.append(scalar)
                if scalar == "/" && previous == "*" { blockComment = false }
                continue
            }
            if let open = quote {
                output.unicodeScalars.append(scalar)
                if scalar == open { quote = nil }
                continue
            }
            switch scalar {
            case "'", "\"":
                quote = scalar
                output.unicodeScalars.append(scalar)
            case "-" where previous == "-":
                lineComment = true
                output.unicodeScalars.append(scalar)
            case "*" where previous == "/":
                blockComment = true
                output.unicodeScalars.append(scalar)
            case "?":
                number += 1
                output += "$\(number)"
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        statements.append(statement)
        let trimmed = statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return (output, trimmed)
    }
}
