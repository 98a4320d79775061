/// Rewrites `?` placeholders to PostgreSQL's numbered `$1`, `$2`... form.
///
/// A `?` inside a string literal ('...'), a quoted identifier ("..."), or a comment (`--`, `/* */`)
/// is left alone, so statements stay portable between the two drivers.
enum PlaceholderRewriter {
    static func numbered(_ sql: String) -> String {
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
        return output
    }
}
