import Foundation

/// The JSON text SQL stores keep feature values in: one object by feature name, numbers as JSON
/// numbers, text as strings, missing (and non-finite numbers, which JSON cannot hold) as null.
/// Rows written when every value was a number read back unchanged.
enum FeatureValuesJSON {
    static func encode(_ values: [String: FeatureValue?]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let storable = values.mapValues { value -> FeatureValue? in
            if case .number(let x)? = value, !x.isFinite { return nil }
            return value
        }
        return String(decoding: try encoder.encode(storable), as: UTF8.self)
    }

    /// The values `text` holds.
    ///
    /// Reading one entity's row is the online serving path, where `JSONDecoder` (a decoder, a
    /// parsed tree and a container per value) took longer than the SQL look-up. What
    /// ``encode(_:)`` writes, a flat object of numbers, plain strings and nulls, is read here
    /// directly; anything else (an escape sequence, nesting, a malformed text) goes to
    /// `JSONDecoder`, which reads it or says what is wrong. The two give the same values (tested
    /// on random rows, bit for bit).
    static func decode(_ text: String) throws -> [String: FeatureValue?] {
        var text = text
        if let values = text.withUTF8({ flatObject($0) }) { return values }
        return try JSONDecoder().decode([String: FeatureValue?].self, from: Data(text.utf8))
    }

    /// A flat object of numbers, escape-free strings and nulls, or nil for anything else.
    static func flatObject(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: FeatureValue?]? {
        var index = 0
        let count = bytes.count
        func skipSpace() {
            while index < count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }
        /// A string without escapes, after its opening quote; nil at a backslash, a control
        /// character or the end.
        func plainString() -> String? {
            let start = index
            while index < count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    defer { index += 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }
        /// A JSON number (its grammar checked), read with `Double(_:)`; nil when it is not one or
        /// is out of range.
        func number() -> Double? {
            let start = index
            if index < count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            while index < count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            let integerDigits = index - integerStart
            guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return nil }
            if index < count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                guard index > fractionStart else { return nil }
            }
            let mantissaEnd = index
            if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                let exponentStart = index
                while index < count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                guard index > exponentStart else { return nil }
            }
            guard let value = Double(Substring(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)), value.isFinite else {
                return nil
            }
            // A nonzero number too small for a Double (1e-400) reads as 0 here; JSONDecoder
            // refuses it, so it goes there.
            if value == 0, bytes[integerStart..<mantissaEnd].contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) {
                return nil
            }
            return value
        }

        skipSpace()
        guard index < count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var values: [String: FeatureValue?] = [:]
        skipSpace()
        if index < count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            skipSpace()
            return index == count ? values : nil
        }
        while true {
            skipSpace()
            guard index < count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            // A key seen before (or a canonically equivalent spelling of one): JSONDecoder keeps
            // the first value, so such a text goes there.
            guard let key = plainString(), values.index(forKey: key) == nil else { return nil }
            skipSpace()
            guard index < count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace()
            guard index < count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = plainString() else { return nil }
                values[key] = .some(.text(text))
            case UInt8(ascii: "n"):
                guard index + 4 <= count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
                      bytes[index + 3] == UInt8(ascii: "l") else { return nil }
                index += 4
                values[key] = .some(nil)
            default:
                guard let value = number() else { return nil }
                values[key] = .some(.number(value))
            }
            skipSpace()
            guard index < count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            skipSpace()
            return index == count ? values : nil
        }
    }
}
