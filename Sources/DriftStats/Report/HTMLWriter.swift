import Foundation

/// Just enough HTML and SVG for the drift report's self-contained page: escaping, elements with
/// escaped attributes, and the number formats the page uses.
///
/// Text and attribute values always go through ``escape(_:)``; only the markup this module writes
/// itself goes in through ``raw(_:)``. Element and attribute names are literals of the caller.
struct HTMLWriter {
    /// The markup written so far.
    private(set) var output: String

    /// Creates an empty writer, reserving `capacity` UTF-8 bytes.
    init(capacity: Int = 0) {
        output = ""
        output.reserveCapacity(capacity)
    }

    // MARK: Escaping

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, safe both as
    /// element content and as a quoted attribute value.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { Self.needsEscaping($0) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        default: false
        }
    }

    /// `text` cut to at most `limit` characters by an ellipsis in the middle, keeping its start
    /// and its end ("category…er 12"), so that labels that differ only at the end stay apart.
    static func truncate(_ text: String, to limit: Int) -> String {
        guard limit > 2, text.count > limit else { return text }
        let tail = (limit - 1) * 2 / 5
        let head = text.prefix(limit - 1 - tail).trimmingCharacters(in: .whitespaces)
        let end = text.suffix(tail).trimmingCharacters(in: .whitespaces)
        return head + "…" + end
    }

    // MARK: Writing

    /// The longest piece of report text (a name, a category, a message) written whole; longer
    /// ones are cut in the middle, so a free-text column cannot blow up the page.
    static let longestText = 600

    /// Appends escaped text (cut to ``longestText``).
    mutating func text(_ text: String) {
        output += Self.escape(Self.truncate(text, to: Self.longestText))
    }

    /// Appends markup as it is; only for markup this module writes, never for report text.
    mutating func raw(_ markup: String) {
        output += markup
    }

    /// Appends `<name a="v">`, with the values escaped.
    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        output += "<" + name
        appendAttributes(attributes)
        output += ">"
    }

    /// Appends `</name>`.
    mutating func close(_ name: String) {
        output += "</" + name + ">"
    }

    /// Appends an element whose content is escaped text.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text: String) {
        open(name, attributes)
        self.text(text)
        close(name)
    }

    /// Appends an element whose content `body` writes.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], body: (inout HTMLWriter) -> Void) {
        open(name, attributes)
        body(&self)
        close(name)
    }

    /// Appends an element without content: `<name a="v"/>` (SVG shapes) or `<name a="v">`
    /// (HTML void elements such as `meta`).
    mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], selfClosing: Bool = true) {
        output += "<" + name
        appendAttributes(attributes)
        output += selfClosing ? "/>" : ">"
    }

    private mutating func appendAttributes(_ attributes: KeyValuePairs<String, String>) {
        for (key, value) in attributes {
            output += " " + key + "=\"" + Self.escape(value) + "\""
        }
    }
}

// MARK: - Numbers

extension HTMLWriter {
    /// The text for a missing or non-finite number.
    static let none = "—"

    /// Four significant digits, "—" for nil or a non-finite value: "0.1235", "12.35",
    /// "1,235,000" from 10⁴ to 10¹², "1.235e+15" and "1.235e-05" beyond.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return none }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e4 && magnitude < 1e12 {
            let scale = pow(10, (log10(magnitude)).rounded(.down) - 3)
            return count(Int((value / scale).rounded() * scale))
        }
        return String(format: "%.4g", value)
    }

    /// A p-value: four significant digits, scientific below 0.001 ("3.162e-05"), "—" for nil.
    static func pValue(_ value: Double?) -> String {
        guard let value, value.isFinite else { return none }
        if value > 0 && value < 1e-3 { return String(format: "%.3e", value) }
        return number(value)
    }

    /// An integer with thousands separators ("12,345").
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// A share as a percentage with `decimals` decimals ("12.5%"), "—" when not finite.
    static func percent(_ share: Double, decimals: Int = 1) -> String {
        guard share.isFinite else { return none }
        return String(format: "%.\(max(0, min(decimals, 6)))f%%", share * 100)
    }

    /// An SVG coordinate or length: one decimal, clamped to ±10⁶, 0 for a non-finite value, so
    /// that no "nan" or "inf" ever reaches an attribute.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (min(max(value, -1e6), 1e6) * 10).rounded()
        let whole = Int(tenths) / 10, fraction = abs(Int(tenths) % 10)
        if fraction == 0 { return String(whole) }
        return (tenths < 0 && whole == 0 ? "-0" : String(whole)) + "." + String(fraction)
    }
}
