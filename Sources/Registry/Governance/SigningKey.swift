public import Foundation
internal import Crypto

/// An Ed25519 private key that signs approvals (swift-crypto's `Curve25519.Signing`).
///
/// A key file holds one line, `mlops-ed25519-private-key <base64 of the 32-byte seed>`, so
/// `mlops keys generate` and a Swift program read and write the same files.
public struct SigningKey: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init() {
        key = Curve25519.Signing.PrivateKey()
    }

    /// The key with this 32-byte seed.
    ///
    /// - Throws: ``RegistryError/Code/invalidArgument`` when the bytes are not a key.
    public init(rawRepresentation: Data) throws(RegistryError) {
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
        } catch {
            throw RegistryError(.invalidArgument, "\(rawRepresentation.count) bytes are not an Ed25519 private key (32 bytes expected)")
        }
    }

    /// The 32-byte seed (keep it secret).
    public var rawRepresentation: Data { key.rawRepresentation }

    /// The public key (32 bytes), to register with the principal.
    public var publicKey: Data { key.publicKey.rawRepresentation }

    static let fileHeader = "mlops-ed25519-private-key"

    /// The key file's text.
    public var fileText: String { "\(Self.fileHeader) \(rawRepresentation.base64EncodedString())\n" }

    /// Reads a key file's text.
    ///
    /// - Throws: ``RegistryError/Code/invalidArgument`` saying what is wrong with it.
    public init(fileText: String) throws(RegistryError) {
        let parts = fileText.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, parts[0] == Self.fileHeader, let seed = Data(base64Encoded: String(parts[1])) else {
            throw RegistryError(
                .invalidArgument, "The text is not an mlops Ed25519 key file ('\(Self.fileHeader) <base64>')",
                fix: "use a file written by `mlops keys generate`.")
        }
        try self.init(rawRepresentation: seed)
    }

    /// The signature of `bytes`.
    public func signature(for bytes: [UInt8]) throws -> Data {
        try key.signature(for: bytes)
    }

    /// Whether `signature` signs `bytes` under `publicKey` (32 raw bytes); false for a malformed key.
    public static func verify(signature: Data, of bytes: [UInt8], publicKey: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: bytes)
    }

    /// Whether `data` is a usable Ed25519 public key: 32 bytes that are not a point of small
    /// order (all zeros, the identity, and the rest of the curve's 8-torsion), against which
    /// lenient verifiers accept forged signatures.
    public static func isPublicKey(_ data: Data) -> Bool {
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: data)) != nil else { return false }
        return !hasSmallOrder(data)
    }

    /// The y-coordinates (little-endian hex, sign bit clear) of the small-order points, canonical
    /// or not, as libsodium's `has_small_order` lists them; the sign bit selects x, so it is
    /// cleared before comparing. (Checked against a point-order computation in Python.)
    static let smallOrderY: Set<String> = [
        String(repeating: "00", count: 32),  // y = 0 (order 4)
        "01" + String(repeating: "00", count: 31),  // y = 1, the identity
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
        "ec" + String(repeating: "ff", count: 30) + "7f",  // y = p - 1 (order 2)
        "ed" + String(repeating: "ff", count: 30) + "7f",  // y = p, not canonical (0)
        "ee" + String(repeating: "ff", count: 30) + "7f",  // y = p + 1, not canonical (1)
    ]

    /// Whether the 32-byte encoding `key` is a point of small order.
    static func hasSmallOrder(_ key: Data) -> Bool {
        guard key.count == 32 else { return false }
        var y = [UInt8](key)
        y[31] &= 0x7F
        return smallOrderY.contains(y.map { String(format: "%02x", $0) }.joined())
    }
}
