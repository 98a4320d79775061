import Foundation

/// Appends little-endian fixed-width fields to a byte array; used by the sketches'
/// `serialized()` methods.
struct SketchByteWriter {
    private(set) var bytes: [UInt8]

    init(magic: [UInt8], version: UInt8, reserving capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity + magic.count + 1)
        bytes.append(contentsOf: magic)
        bytes.append(version)
    }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) { writeLittleEndian(UInt64(value), byteCount: 2) }

    mutating func write(_ value: UInt32) { writeLittleEndian(UInt64(value), byteCount: 4) }

    mutating func write(_ value: UInt64) { writeLittleEndian(value, byteCount: 8) }

    mutating func write(_ value: Double) { writeLittleEndian(value.bitPattern, byteCount: 8) }

    mutating func write(contentsOf raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    private mutating func writeLittleEndian(_ value: UInt64, byteCount: Int) {
        var v = value
        for _ in 0..<byteCount {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }
}
