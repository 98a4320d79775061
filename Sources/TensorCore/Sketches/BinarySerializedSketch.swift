import Foundation

/// A sketch with a compact binary form, which is also its `Codable` form: one string holding
/// the base64 encoding of ``serialized()``.
///
/// ``KLLSketch``, ``HyperLogLog`` and ``MomentSketch`` conform; the binary form is the one the
/// stores keep, and JSON carries the same bytes, so a sketch read from either is the same.
public protocol BinarySerializedSketch: Codable {
    /// The sketch's binary form.
    func serialized() -> [UInt8]

    /// Reads a sketch back from its binary form, validating every field.
    init(serialized bytes: some Collection<UInt8>) throws(SketchError)
}

extension BinarySerializedSketch {
    /// Decodes a sketch from a single string: the base64 encoding of ``serialized()``.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError.dataCorrupted` (with the ``SketchError`` message) when the
    ///   string is not base64 or the bytes are invalid.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "A \(Self.self) must be encoded as the base64 string of its serialized() bytes.")
        }
        do throws(SketchError) {
            self = try Self(serialized: data)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the sketch as a single string: the base64 encoding of ``serialized()``.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Errors from the encoder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(serialized()).base64EncodedString())
    }
}
