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

    /// Whether `data` is a usable Ed25519 public key.
    public static func isPublicKey(_ data: Data) -> Bool {
        (try? Curve25519.Signing.PublicKey(rawRepresentation: data)) != nil
    }
}
