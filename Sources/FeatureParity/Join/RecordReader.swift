import Foundation
import TensorCore

/// Reads a file written by ``TableRowEncoder`` record by record, as bytes, without parsing it:
/// a record ends at a line break outside quotes (CSV quotes a field holding a line break; JSON
/// escapes it, so JSON Lines records are plain lines). For the merge of a partitioned join.
final class RecordReader {
    let path: String
    /// Whether `"` opens and closes quoted fields (CSV).
    let quoted: Bool
    private var descriptor: Int32
    private var block: [UInt8]
    private var start = 0
    private var end = 0

    init(path: String, quoted: Bool, blockSize: Int = 64 << 10) throws(FeatureParityError) {
        self.path = path
        self.quoted = quoted
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        block = [UInt8](repeating: 0, count: max(4096, blockSize))
        guard descriptor >= 0 else {
            throw FeatureParityError(.fileError, "Cannot open \(path): \(String(cString: strerror(errno)))", location: path)
        }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Reads more bytes after what is left; false at the end of the file.
    private func refill() throws(FeatureParityError) -> Bool {
        if start > 0 {
            block.withUnsafeMutableBufferPointer { b in
                guard let base = b.baseAddress else { return }
                memmove(base, base + start, end - start)
            }
            end -= start
            start = 0
        }
        if end == block.count { block.append(contentsOf: [UInt8](repeating: 0, count: block.count)) }
        while true {
            let count = block.withUnsafeMutableBytes { b -> Int in
                guard let base = b.baseAddress else { return 0 }
                return read(descriptor, base + end, b.count - end)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw FeatureParityError(.fileError, "Cannot read \(path): \(String(cString: strerror(errno)))", location: path)
            }
            end += count
            return count > 0
        }
    }

    /// Appends the next record, with its line break, to `output`; false when none is left.
    func copyRecord(into output: inout [UInt8]) throws(FeatureParityError) -> Bool {
        var inQuotes = false
        var scanned = start
        while true {
            if scanned == end {
                let offset = scanned - start
                if try !refill() {
                    // The last record may lack its line break.
                    guard end > start else { return false }
                    output.append(contentsOf: block[start..<end])
                    output.append(0x0A)
                    start = end
                    return true
                }
                // The record's bytes moved to the front; what was scanned stays scanned.
                scanned = start + offset
            }
            let found: Int? = block.withUnsafeBufferPointer { b in
                var i = scanned
                while i < end {
                    let byte = b[i]
                    if byte == 0x0A && !inQuotes { return i }
                    if quoted && byte == 0x22 { inQuotes.toggle() }
                    i += 1
                }
                return nil
            }
            if let found {
                output.append(contentsOf: block[start...found])
                start = found + 1
                return true
            }
            scanned = end
        }
    }

    /// Appends up to `count` raw bytes to `output`; false, appending nothing, at the end of the file.
    func readBytes(upTo count: Int, into output: inout [UInt8]) throws(FeatureParityError) -> Bool {
        if end == start, try !refill() { return false }
        let taken = min(count, end - start)
        output.append(contentsOf: block[start..<start + taken])
        start += taken
        return true
    }
}
