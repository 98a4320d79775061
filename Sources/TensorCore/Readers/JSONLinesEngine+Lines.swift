#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding JSON Lines records: the bounds of the next line in the buffer, without its line
/// break, reading more of the file until a line feed (or the end of the file) is found.
extension JSONLinesEngine {
    /// The next line's bounds (without its line break), reading more of the file as needed;
    /// `nil` at the end of the file.
    mutating func nextLine() throws(TableError) -> (start: Int, end: Int, next: Int)? {
        var searchFrom = source.start
        while true {
            let begin = source.start
            let end = source.end
            if searchFrom < end, let hit = memchr(source.buffer + searchFrom, 0x0A, end - searchFrom) {
                let lf = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - source.buffer
                var lineEnd = lf
                if lineEnd > begin && source.buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                return (begin, lineEnd, lf + 1)
            }
            if source.eof {
                if begin >= end { return nil }
                var lineEnd = end
                if source.buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                return (begin, lineEnd, end)
            }
            let scanned = end - begin
            try source.refill()
            searchFrom = source.start + scanned
        }
    }
}
