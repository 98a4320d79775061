import Foundation

/// Reads little-endian fixed-width fields from serialized sketch bytes, throwing a
/// ``SketchError`` that names the field when the bytes run out. Never traps on input.
struct SketchByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int = 0
    private let typeName: String
    /// The format version the bytes declare (one of the supported versions).
    let version: UInt8

    /// Validates the magic tag and version byte and positions the reader after them.
    init(
        _ input: some Collection<UInt8>, magic: [UInt8], supportedVersion: UInt8, typeName: String
    ) throws(SketchError) {
        try self.init(input, magic: magic, supportedVersions: supportedVersion...supportedVersion, typeName: typeName)
    }

    /// Validates the magic tag and a version byte among `supportedVersions` (older formats a
    /// type still reads) and positions the reader after them.
    init(
        _ input: some Collection<UInt8>, magic: [UInt8], supportedVersions: ClosedRange<UInt8>, typeName: String
    ) throws(SketchError) {
        bytes = Array(input)
        self.typeName = typeName
        guard bytes.count >= magic.count + 1 else {
            throw SketchError(
                .truncated,
                "The \(bytes.count) bytes given are too short to hold a \(typeName) header; pass the complete output of \(typeName).serialized().")
        }
        guard Array(bytes[0..<magic.count]) == magic else {
            throw SketchError(
                .badMagic,
                "The bytes do not start with the \(typeName) magic tag \"\(String(decoding: magic, as: UTF8.self))\"; pass bytes produced by \(typeName).serialized(), not another sketch type's.")
        }
        let version = bytes[magic.count]
        guard supportedVersions.contains(version) else {
            let readable = supportedVersions.count == 1
                ? "only version \(supportedVersions.lowerBound)" : "versions \(supportedVersions.lowerBound) to \(supportedVersions.upperBound)"
            throw SketchError(
                .unsupportedVersion,
                "The \(typeName) bytes have format version \(version) but this build reads \(readable); serialize with a matching version of the library.")
        }
        self.version = version
        offset = magic.count + 1
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, field: String) throws(SketchError) -> Int {
        guard count >= 0, remaining >= count else {
            throw SketchError(
                .truncated,
                "The \(typeName) bytes end at offset \(bytes.count) while reading \(field) (\(count) bytes needed at offset \(offset)); pass the complete serialized bytes.")
        }
        let start = offset
        offset += count
        return start
    }

    private mutating func readLittleEndian(_ byteCount: Int, field: String) throws(SketchError) -> UInt64 {
        let start = try take(byteCount, field: field)
        var value: UInt64 = 0
        for i in 0..<byteCount {
            value |= UInt64(bytes[start + i]) << (8 * UInt64(i))
        }
        return value
    }

    mutating func readUInt8(_ field: String) throws(SketchError) -> UInt8 {
        UInt8(truncatingIfNeeded: try readLittleEndian(1, field: field))
    }

    mutating func readUInt16(_ field: String) throws(SketchError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readLittleEndian(2, field: field))
    }

    mutating func readUInt32(_ field: String) throws(SketchError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readLittleEndian(4, field: field))
    }

    mutating func readUInt64(_ field: String) throws(SketchError) -> UInt64 {
        try readLittleEndian(8, field: field)
    }

    mutating func readDouble(_ field: String) throws(SketchError) -> Double {
        Double(bitPattern: try readLittleEndian(8, field: field))
    }

    /// The largest count a serialized sketch may hold (2^62): far beyond any real stream,
    /// and low enough that incrementing a decoded count can never overflow `Int`.
    static let maxCount: UInt64 = 1 << 62

    /// Reads a count stored as UInt64 that must be at most ``maxCount``.
    mutating func readCount(_ field: String) throws(SketchError) -> Int {
        let raw = try readUInt64(field)
        guard raw <= SketchByteReader.maxCount else {
            throw corrupted("\(field) is \(raw), larger than the supported maximum 2^62")
        }
        return Int(raw)
    }

    mutating func readBytes(_ count: Int, field: String) throws(SketchError) -> ArraySlice<UInt8> {
        let start = try take(count, field: field)
        return bytes[start..<(start + count)]
    }

    /// Throws unless every byte was consumed.
    func finish() throws(SketchError) {
        guard remaining == 0 else {
            throw corrupted("\(remaining) unexpected trailing bytes follow the last field at offset \(offset)")
        }
    }

    /// An error for bytes that parsed but describe an impossible sketch.
    func corrupted(_ what: String) -> SketchError {
        SketchError(
            .corrupted,
            "The \(typeName) bytes are corrupt: \(what); pass bytes produced unmodified by \(typeName).serialized().")
    }
}
