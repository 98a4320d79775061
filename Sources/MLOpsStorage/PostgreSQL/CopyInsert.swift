#if PostgreSQL
import Foundation
internal import NIOCore

/// Recognises `INSERT INTO table (a, b, …) VALUES (?, ?, …) [ON CONFLICT [(…)] DO NOTHING]` and
/// runs it for many rows through `COPY … FROM STDIN` instead of multi-row inserts: PostgreSQL
/// parses COPY's text rows without planning a statement per thousand rows (1M metric rows:
/// about 25 s as 1,000-row inserts here, about 2 s through COPY).
///
/// A plain insert copies into the table. One with `ON CONFLICT … DO NOTHING` (which COPY has no
/// form of) is first copied straight into the table behind a savepoint; when that meets a
/// conflict it is rolled back and the rows go into a session-local temporary table shaped like
/// the target, then over with `INSERT … SELECT … ON CONFLICT … DO NOTHING`, inside the caller's
/// transaction, so the statement means what it meant row by row. Anything else (an upsert,
/// RETURNING, identifiers that would need quoting) is left to the multi-row path.
struct CopyInsert {
    let table: String
    let columns: [String]
    /// `ON CONFLICT … DO NOTHING`, or empty.
    let conflictClause: String

    init?(_ sql: String) {
        let text = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        var scanner = Substring(text)
        func skipSpaces() { scanner = scanner.drop { $0.isWhitespace } }
        func keyword(_ word: String) -> Bool {
            skipSpaces()
            guard scanner.prefix(word.count).uppercased() == word else { return false }
            let rest = scanner.dropFirst(word.count)
            guard rest.first.map({ !$0.isLetter && !$0.isNumber && $0 != "_" }) ?? true else { return false }
            scanner = rest
            return true
        }
        func identifier() -> String? {
            skipSpaces()
            let name = scanner.prefix { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
            guard let first = name.first, first.isLetter || first == "_" else { return nil }
            scanner = scanner.dropFirst(name.count)
            return String(name)
        }
        func symbol(_ character: Character) -> Bool {
            skipSpaces()
            guard scanner.first == character else { return false }
            scanner = scanner.dropFirst()
            return true
        }
        guard keyword("INSERT"), keyword("INTO"), let table = identifier(), symbol("(") else { return nil }
        var columns: [String] = []
        repeat {
            guard let column = identifier() else { return nil }
            columns.append(column)
        } while symbol(",")
        guard symbol(")"), keyword("VALUES"), symbol("(") else { return nil }
        var placeholders = 0
        repeat {
            guard symbol("?") else { return nil }
            placeholders += 1
        } while symbol(",")
        guard symbol(")"), placeholders == columns.count else { return nil }
        skipSpaces()
        let rest = scanner.trimmingCharacters(in: CharacterSet(charactersIn: "; \n\t"))
        if !rest.isEmpty {
            // Only ON CONFLICT [(plain columns)] DO NOTHING.
            let upper = rest.uppercased()
            guard upper.hasPrefix("ON CONFLICT"), upper.hasSuffix("DO NOTHING"),
                  !upper.contains("DO UPDATE"), !upper.contains("RETURNING"), !upper.contains("WHERE"),
                  rest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || " _(),\n\t".contains($0)) }) else { return nil }
        }
        self.table = table
        self.columns = columns
        conflictClause = rest
    }

    /// The temporary table a conflict-skipping copy goes through: one per table, column list
    /// and session (a hash of the columns tells lists apart).
    var stagingTable: String {
        // The hash covers the whole table name too: two long names sharing their first 40
        // characters get two tables.
        var hash: UInt32 = 2_166_136_261
        for byte in (table + ":" + columns.joined(separator: ",")).utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return "mlops_copy_\(table.prefix(40))_\(String(hash, radix: 16))"
    }

    /// Creates the staging table if this session has none: the columns' types only, no
    /// constraints or defaults (a column filled by a default is not in the list, so it is not there).
    var createStaging: String {
        "CREATE TEMP TABLE IF NOT EXISTS \(stagingTable) AS SELECT \(columns.joined(separator: ", ")) FROM \(table) WITH NO DATA"
    }

    /// Appends `rows` in COPY's text format: tab-separated fields, `\N` for NULL, backslash
    /// escapes in text, bytea as `\\x` hex, floats as PostgreSQL reads them back exactly.
    static func append(_ rows: ArraySlice<[SQLValue]>, to buffer: inout ByteBuffer) {
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                switch value {
                case .null:
                    buffer.writeStaticString("\\N")
                case .integer(let number):
                    buffer.writeString(String(number))
                case .real(let number):
                    if number.isNaN {
                        buffer.writeStaticString("NaN")
                    } else if number.isInfinite {
                        buffer.writeStaticString(number > 0 ? "Infinity" : "-Infinity")
                    } else {
                        // Swift's shortest form reads back to the same double (1e-05, 0.1, 1e+16).
                        buffer.writeString(number.description)
                    }
                case .text(let text):
                    appendEscaped(text, to: &buffer)
                case .blob(let bytes):
                    buffer.writeStaticString("\\\\x")
                    let digits: StaticString = "0123456789abcdef"
                    digits.withUTF8Buffer { hex in
                        for byte in bytes {
                            buffer.writeInteger(hex[Int(byte >> 4)])
                            buffer.writeInteger(hex[Int(byte & 0x0F)])
                        }
                    }
                }
            }
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
    }

    /// The COPY text of `rows`, as bytes (for tests).
    static func text(of rows: [[SQLValue]]) -> [UInt8] {
        var buffer = ByteBuffer()
        append(rows[...], to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Text with COPY's escapes: backslash, tab, line feed and carriage return.
    static func appendEscaped(_ text: String, to buffer: inout ByteBuffer) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}
#endif
