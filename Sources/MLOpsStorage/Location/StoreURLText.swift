import Foundation

/// Reading store URLs as text: finding the credentials, hiding the password, percent-coding.
///
/// A password may hold characters that URLs reserve (`@`, `/`, `?`, `#`, `:`) without
/// percent-encoding them, because people paste passwords as they are. The credentials end at the
/// last `@` that is followed by a plausible `host[:port]/`; when no `@` is, the text cannot be
/// read safely, and everything after the user name is hidden wherever the text is shown.
enum StoreURLText {
    /// The parts of the text after `scheme://`.
    struct Parts {
        /// The text before the `@` that ends the credentials, or `nil` when there is no `@`.
        var userInfo: Substring?
        /// The text after that `@` (or all of it when there is none): host, port, database, options.
        var hostAndRest: Substring
        /// Whether the split is certain: an `@` followed by a plausible `host[:port]/`, or no `@`
        /// and no `:` at all. When it is not, a display hides everything after the user name.
        var isCertain: Bool
    }

    /// Splits the text that follows `scheme://`.
    static func split(_ rest: Substring) -> Parts {
        let ats = rest.indices.filter { rest[$0] == "@" }
        guard !ats.isEmpty else {
            return Parts(userInfo: nil, hostAndRest: rest, isCertain: !rest.contains(":") || plausibleAuthority(rest))
        }
        for at in ats.reversed() {
            let tail = rest[rest.index(after: at)...]
            guard let end = tail.firstIndex(where: delimiters.contains), tail[end] == "/" else { continue }
            if isPlausibleHostPort(tail[..<end]) {
                return Parts(userInfo: rest[..<at], hostAndRest: tail, isCertain: true)
            }
        }
        let last = ats[ats.count - 1]
        return Parts(userInfo: rest[..<last], hostAndRest: rest[rest.index(after: last)...], isCertain: false)
    }

    /// Whether an authority without `@` reads as `host[:port]` followed by `/`, `?`, `#` or the end.
    private static func plausibleAuthority(_ text: Substring) -> Bool {
        let end = text.firstIndex(where: delimiters.contains) ?? text.endIndex
        return isPlausibleHostPort(text[..<end])
    }

    /// `name[:digits]` or `[v6][:digits]`, with host names of letters, digits, `.`, `-` and `_`.
    static func isPlausibleHostPort(_ text: Substring) -> Bool {
        var host = text
        var port: Substring = ""
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return false }
                port = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy(isIPv6Character) else { return false }
        } else {
            if let colon = text.lastIndex(of: ":") {
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
            guard !host.isEmpty, host.allSatisfy(isHostNameCharacter) else { return false }
        }
        return port.allSatisfy(isDigit)
    }

    private static func isDigit(_ character: Character) -> Bool {
        character.isASCII && character.isNumber
    }

    private static func isHostNameCharacter(_ character: Character) -> Bool {
        if character.isASCII && (character.isLetter || character.isNumber) { return true }
        return hostNamePunctuation.contains(character)
    }

    private static func isIPv6Character(_ character: Character) -> Bool {
        character.isHexDigit || ipv6Punctuation.contains(character)
    }

    private static let hostNamePunctuation: Set<Character> = [".", "-", "_"]
    private static let ipv6Punctuation: Set<Character> = [":", ".", "%"]
    private static let delimiters: Set<Character> = ["/", "?", "#"]
    private static let userEnd: Set<Character> = [":", "@", "/", "?", "#"]
    private static let unreserved: Set<UInt8> = Set(Array("-._~".utf8))

    /// The text with any password replaced by `***`, safe for messages and logs.
    ///
    /// Text without `://` is returned as it is (SQLite paths hold no credentials). When the
    /// credentials cannot be told apart from the rest, everything after the user name is hidden.
    /// Values of query options whose name mentions a password are hidden too.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let scheme = text[..<schemeEnd.upperBound]
        let rest = text[schemeEnd.upperBound...]
        let parts = split(rest)
        guard parts.isCertain else {
            // Keep the user name when it reads as one; hide all that follows.
            let end = rest.firstIndex(where: userEnd.contains) ?? rest.endIndex
            var shown = String(scheme) + String(rest[..<end])
            if end != rest.endIndex {
                shown.append(rest[end])
                shown += "***"
            }
            return shown
        }
        var shown = String(scheme)
        if let userInfo = parts.userInfo {
            if let colon = userInfo.firstIndex(of: ":") {
                shown += String(userInfo[..<colon]) + ":***@"
            } else {
                shown += String(userInfo) + "@"
            }
        }
        return shown + redactedQuery(parts.hostAndRest)
    }

    /// The host and the rest, with the values of password-like query options hidden.
    private static func redactedQuery(_ text: Substring) -> String {
        guard let mark = text.firstIndex(of: "?") else { return String(text) }
        let pairs = text[text.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].lowercased()
            let secret = ["pass", "secret", "token"].contains { key.contains($0) }
            guard parts.count == 2, secret else { return String(pair) }
            return String(parts[0]) + "=***"
        }
        return String(text[...mark]) + pairs.joined(separator: "&")
    }

    /// Decodes `%XX` sequences; a `%` not followed by two hex digits stays as it is.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Encodes every byte outside the unreserved set (letters, digits, `-._~`) as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            let isLetter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            let isDigit = (0x30...0x39).contains(byte)
            if isLetter || isDigit || unreserved.contains(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                output += byte < 16 ? "%0" + hex : "%" + hex
            }
        }
        return output
    }
}
