internal import Crypto

/// The SHA-256 digest that names an artifact: 64 lowercase hexadecimal characters.
///
/// A digest is validated when it is made, so it is always safe to turn into a file name:
/// no path can escape the store's folder through one.
public struct Digest: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 64 lowercase hexadecimal characters.
    public let hex: String

    /// Parses `sha256:<64 hex>` or a bare 64-character hex string (upper case is accepted and lowered).
    ///
    /// - Throws: ``StorageError`` (``StorageError/Code/invalidDigest``) saying what is wrong with the text.
    public init(parsing text: String) throws(StorageError) {
        let body = text.hasPrefix("sha256:") ? text.dropFirst("sha256:".count) : Substring(text)
        guard body.utf8.count == 64, body.utf8.allSatisfy({ Self.isHexDigit($0) }) else {
            throw StorageError(
                .invalidDigest,
                "'\(text.prefix(80))' is not a SHA-256 digest: it needs 64 hexadecimal characters, optionally after 'sha256:'",
                fix: "copy the digest exactly as a put returned it.")
        }
        hex = body.lowercased()
    }

    /// The digest of `bytes`.
    public init(of bytes: some Sequence<UInt8>) {
        var hasher = SHA256()
        let array = Array(bytes)
        array.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        self.init(finalized: hasher)
    }

    init(finalized hasher: SHA256) {
        self.init(sha256Bytes: hasher.finalize())
    }

    /// The digest whose 32 bytes a SHA-256 computed elsewhere produced.
    package init(sha256Bytes digest: some Sequence<UInt8>) {
        // Written as UTF-8 bytes into the string's own storage (appending 64 `Character`s went
        // through grapheme handling for each: a tenth of a registry mutation's hashing).
        hex = String(unsafeUninitializedCapacity: 64) { text in
            var count = 0
            for byte in digest where count + 2 <= text.count {
                text[count] = Self.hexDigit(byte >> 4)
                text[count + 1] = Self.hexDigit(byte & 0x0f)
                count += 2
            }
            return count
        }
    }

    /// The lowercase hexadecimal digit (ASCII) of a nibble, 0–15.
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// `sha256:` followed by the hex digits.
    public var description: String { "sha256:\(hex)" }

    /// Orders digests by their hex text.
    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }

    /// Encodes as the `sha256:<hex>` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes from `sha256:<hex>` or bare hex, validating it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try Digest(parsing: try container.decode(String.self))
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
    }
}
