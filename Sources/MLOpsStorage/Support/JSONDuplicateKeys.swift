package import Foundation

/// Finds a key written twice in one JSON object of a file a user hands the suite (a rollout
/// policy, a cluster description, a model card).
///
/// JSON leaves duplicate keys undefined, and readers disagree: Foundation's decoder keeps the
/// first value, Python's `json` the last. A policy with `"alpha"` twice would mean one thing to
/// `mlops` and another to the script that wrote it, so such files are refused instead.
///
/// Hand-written because neither Foundation's decoder nor `JSONSerialization` reports duplicates.
/// It only scans: text that is not well-formed JSON is left to the decoder, which says what is
/// wrong with it.
package enum JSONDuplicateKeys {
    /// The deepest values looked into; deeper ones (no real configuration file) are skipped
    /// over, bracket by bracket, so the scan never recurses further.
    static let depthLimit = 256

    /// The first key that appears twice in one object, as a path such as `guardrails[1].metric`,
    /// or `nil` when there is none (or the text is not well-formed JSON).
    package static func first(in data: Data) -> String? {
        data.withUnsafeBytes { raw in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            // A UTF-8 byte order mark, which Foundation's decoder skips too.
            if scanner.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.i = 3 }
            return (try? scanner.value(path: [], depth: 0)) ?? nil
        }
    }

    private struct Malformed: Error {}

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Malformed) {
            skipSpace()
            guard i < bytes.count, bytes[i] == byte else { throw Malformed() }
            i += 1
        }

        /// Scans one value; returns the path of the first duplicate key inside it.
        mutating func value(path: [String], depth: Int) throws(Malformed) -> String? {
            skipSpace()
            guard i < bytes.count else { throw Malformed() }
            switch bytes[i] {
            case UInt8(ascii: "{") where depth >= JSONDuplicateKeys.depthLimit, UInt8(ascii: "[") where depth >= JSONDuplicateKeys.depthLimit:
                try skipNested()
                return nil
            case UInt8(ascii: "{"):
                i += 1
                var seen = Set<String>()
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return nil
                }
                var found: String?
                while true {
                    skipSpace()
                    let key = try string()
                    let keyPath = path + [key]
                    if !seen.insert(key).inserted, found == nil { found = Self.render(keyPath) }
                    try expect(UInt8(ascii: ":"))
                    if let inner = try value(path: keyPath, depth: depth + 1), found == nil { found = inner }
                    skipSpace()
                    guard i < bytes.count else { throw Malformed() }
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    guard bytes[i] == UInt8(ascii: "}") else { throw Malformed() }
                    i += 1
                    return found
                }
            case UInt8(ascii: "["):
                i += 1
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return nil
                }
                var found: String?
                var index = 0
                while true {
                    var elementPath = path
                    elementPath.append("[\(index)]")
                    if let inner = try value(path: elementPath, depth: depth + 1), found == nil { found = inner }
                    index += 1
                    skipSpace()
                    guard i < bytes.count else { throw Malformed() }
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    guard bytes[i] == UInt8(ascii: "]") else { throw Malformed() }
                    i += 1
                    return found
                }
            case UInt8(ascii: "\""):
                _ = try string()
                return nil
            default:
                // A number or a literal: its characters up to the next delimiter.
                let start = i
                while i < bytes.count, !Self.endsScalar(bytes[i]) { i += 1 }
                guard i > start else { throw Malformed() }
                return nil
            }
        }

        /// Skips the object or list that starts at `i`, counting brackets outside strings.
        mutating func skipNested() throws(Malformed) {
            var open = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    _ = try string()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    open += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    open -= 1
                    if open == 0 {
                        i += 1
                        return
                    }
                default:
                    break
                }
                i += 1
            }
            throw Malformed()
        }

        /// A string token, its escapes decoded (so `"a"` and `"\u0061"` are one key).
        mutating func string() throws(Malformed) -> String {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Malformed() }
            let start = i
            i += 1
            var escaped = false
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") {
                    escaped = true
                    i += 1
                }
                i += 1
            }
            guard i < bytes.count else { throw Malformed() }
            i += 1
            let token = UnsafeBufferPointer(rebasing: bytes[start..<i])
            if !escaped { return String(decoding: token.dropFirst().dropLast(), as: UTF8.self) }
            guard let decoded = try? JSONDecoder().decode(String.self, from: Data(token)) else { throw Malformed() }
            return decoded
        }

        static func endsScalar(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: true
            default: false
            }
        }

        /// `["guardrails", "[1]", "metric"]` → `guardrails[1].metric`.
        static func render(_ path: [String]) -> String {
            var text = ""
            for part in path {
                if part.hasPrefix("[") || text.isEmpty { text += part } else { text += "." + part }
            }
            return text
        }
    }
}
