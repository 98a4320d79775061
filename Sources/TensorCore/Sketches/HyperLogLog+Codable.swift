import Foundation

// MARK: - Binary form

extension HyperLogLog {
    /// Magic tag "HLL" that starts the binary form.
    static let magic: [UInt8] = Array("HLL".utf8)
    /// The binary format version written by ``serialized()``.
    public static let serialVersion: UInt8 = 1

    /// Returns the compact binary form of the sketch.
    ///
    /// Layout: `"HLL"`, version `1` (UInt8), precision `p` (UInt8), then the `2^p`
    /// registers, one byte each (register `i` is the one selected by hash prefix `i`).
    /// Size: `5 + 2^p` bytes (16389 bytes at p = 14).
    ///
    /// - Returns: The bytes, readable by ``init(serialized:)`` on any platform.
    /// - Complexity: O(m).
    public func serialized() -> [UInt8] {
        var w = SketchByteWriter(magic: HyperLogLog.magic, version: HyperLogLog.serialVersion, reserving: 1 + registerCount)
        w.write(UInt8(precision))
        w.write(contentsOf: registers)
        return w.bytes
    }

    /// Reads a sketch from its binary form (see ``serialized()``), validating every field.
    ///
    /// - Parameter bytes: The output of ``serialized()``.
    /// - Throws: ``SketchError`` with code ``SketchError/Code/truncated``,
    ///   ``SketchError/Code/badMagic``, ``SketchError/Code/unsupportedVersion`` or
    ///   ``SketchError/Code/corrupted`` for malformed bytes; never traps.
    /// - Complexity: O(bytes.count).
    public init(serialized bytes: some Collection<UInt8>) throws(SketchError) {
        var r = try SketchByteReader(
            bytes, magic: HyperLogLog.magic, supportedVersion: HyperLogLog.serialVersion, typeName: "HyperLogLog")
        let p = Int(try r.readUInt8("precision"))
        guard p >= HyperLogLog.minPrecision && p <= HyperLogLog.maxPrecision else {
            throw r.corrupted("the precision is \(p), outside \(HyperLogLog.minPrecision)...\(HyperLogLog.maxPrecision)")
        }
        let regs = try r.readBytes(1 << p, field: "the \(1 << p) registers")
        try r.finish()
        let limit = 64 - p + 1
        if let bad = regs.firstIndex(where: { Int($0) > limit }) {
            throw r.corrupted("register \(bad - regs.startIndex) holds \(regs[bad]), above the maximum \(limit) for precision \(p)")
        }
        self.init(validPrecision: p)
        registers = Array(regs)
    }
}

// MARK: - Codable

/// Encoded as one string, the base64 form of ``serialized()`` (see ``BinarySerializedSketch``).
extension HyperLogLog: BinarySerializedSketch {}
