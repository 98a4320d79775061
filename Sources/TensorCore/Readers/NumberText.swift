/// Text read as a number by the rules the CSV and JSON Lines readers use, for code that meets the
/// same text later (a value of a text column that a check wants to call a number or not).
///
/// The rules are ``CSVReader``'s: decimal integers, decimals and exponent forms with an optional
/// sign, spaces and tabs allowed around them, and `inf`, `infinity` and `nan` in any case; no
/// hexadecimal. Values are bit-identical to `Double(String)` where both accept the text.
/// (`Double(String)` itself refuses surrounding blanks and accepts hexadecimal.)
public enum NumberText {
    /// The number `text` holds, or nil when it is not one.
    public static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes in bytes.baseAddress.flatMap { DecimalParser.parse($0, bytes.count) } }
    }

    /// Whether `text` is a number.
    public static func isNumber(_ text: String) -> Bool { parse(text) != nil }
}
