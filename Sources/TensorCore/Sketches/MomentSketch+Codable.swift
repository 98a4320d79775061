import Foundation

// MARK: - Binary form

extension MomentSketch {
    /// Magic tag "MOM" that starts the binary form.
    static let magic: [UInt8] = Array("MOM".utf8)
    /// The binary format version written by ``serialized()``.
    public static let serialVersion: UInt8 = 1

    /// Returns the compact binary form of the sketch.
    ///
    /// Layout (little-endian): `"MOM"`, version `1` (UInt8), finite count, NaN count,
    /// +infinity count, -infinity count (UInt64 each), then finite mean, M2, M3, M4, min,
    /// max (IEEE-754 bits, UInt64 each). Size: 84 bytes.
    ///
    /// - Returns: The bytes, readable by ``init(serialized:)`` on any platform.
    /// - Complexity: O(1).
    public func serialized() -> [UInt8] {
        var w = SketchByteWriter(magic: MomentSketch.magic, version: MomentSketch.serialVersion, reserving: 80)
        w.write(UInt64(finiteCount))
        w.write(UInt64(nanCount))
        w.write(UInt64(positiveInfinityCount))
        w.write(UInt64(negativeInfinityCount))
        w.write(finiteMean)
        w.write(m2)
        w.write(m3)
        w.write(m4)
        w.write(minValue)
        w.write(maxValue)
        return w.bytes
    }

    /// Reads a sketch from its binary form (see ``serialized()``), validating every field.
    ///
    /// - Parameter bytes: The output of ``serialized()``.
    /// - Throws: ``SketchError`` with code ``SketchError/Code/truncated``,
    ///   ``SketchError/Code/badMagic``, ``SketchError/Code/unsupportedVersion`` or
    ///   ``SketchError/Code/corrupted`` for malformed bytes; never traps.
    /// - Complexity: O(1).
    public init(serialized bytes: some Collection<UInt8>) throws(SketchError) {
        var r = try SketchByteReader(
            bytes, magic: MomentSketch.magic, supportedVersion: MomentSketch.serialVersion, typeName: "MomentSketch")
        let finite = try r.readCount("finite count")
        let nans = try r.readCount("NaN count")
        let pos = try r.readCount("+infinity count")
        let neg = try r.readCount("-infinity count")
        let mean = try r.readDouble("mean")
        let m2 = try r.readDouble("M2")
        let m3 = try r.readDouble("M3")
        let m4 = try r.readDouble("M4")
        let lo = try r.readDouble("min")
        let hi = try r.readDouble("max")
        try r.finish()
        let (t1, o1) = finite.addingReportingOverflow(pos)
        let (total, o2) = t1.addingReportingOverflow(neg)
        guard !o1 && !o2 else { throw r.corrupted("the counts add up to more than Int.max") }
        // The moment sums may have overflowed (values beyond about 1e77 make M4 infinite), which
        // the sketch itself produces and reports as infinite or NaN statistics: accept that state,
        // so a stored sketch can always be read back. The mean of finite values stays finite.
        guard mean.isFinite else { throw r.corrupted("the mean must be finite") }
        guard !(m2 < 0) && !(m4 < 0) else { throw r.corrupted("M2 (\(m2)) and M4 (\(m4)) must not be negative") }
        if finite == 0 {
            guard mean == 0 && m2 == 0 && m3 == 0 && m4 == 0 else {
                throw r.corrupted("a sketch without finite values must store zero moments")
            }
        }
        if total == 0 {
            guard lo == .infinity && hi == -.infinity else {
                throw r.corrupted("an empty sketch must store min = +inf and max = -inf")
            }
        } else {
            guard !lo.isNaN && !hi.isNaN && lo <= hi else {
                throw r.corrupted("min (\(lo)) and max (\(hi)) are not an ordered pair of numbers")
            }
            guard (pos > 0) == (hi == .infinity), (neg > 0) == (lo == -.infinity) else {
                throw r.corrupted("min and max disagree with the infinity counts")
            }
        }
        self.init()
        finiteCount = finite
        nanCount = nans
        positiveInfinityCount = pos
        negativeInfinityCount = neg
        finiteMean = mean
        self.m2 = m2
        self.m3 = m3
        self.m4 = m4
        minValue = lo
        maxValue = hi
    }
}

// MARK: - Codable

/// Encoded as one string, the base64 form of ``serialized()`` (see ``BinarySerializedSketch``).
extension MomentSketch: BinarySerializedSketch {}
