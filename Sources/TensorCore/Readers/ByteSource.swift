#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read in blocks through POSIX `read` into one buffer that slides forward: parsers
/// consume bytes in `buffer[start ..< end]`, and ``refill()`` moves the unconsumed tail to the
/// front and reads the next block after it. Only the buffer is ever in memory, so files larger
/// than memory can be read.
///
/// The hot fields are stored in this struct (not in the class) so that parsers read them
/// without dynamic exclusivity checks. A source must have a single owner: a copy would share
/// the buffer that ``refill()`` may reallocate.
struct ByteSource {
    /// Owns an open file descriptor and the read buffer, and releases both when the last copy of
    /// the source that uses them goes away.
    final class Storage {
        /// The open file.
        let fd: Int32
        /// The buffer currently allocated (kept here only to free it).
        var buffer: UnsafeMutablePointer<UInt8>

        init(fd: Int32, buffer: UnsafeMutablePointer<UInt8>) {
            self.fd = fd
            self.buffer = buffer
        }

        deinit {
            close(fd)
            buffer.deallocate()
        }
    }

    /// The file's path, for error messages.
    let path: String
    /// The owner of the descriptor and buffer.
    private let storage: Storage
    /// The buffer.
    private(set) var buffer: UnsafeMutablePointer<UInt8>
    /// The buffer's size in bytes.
    private(set) var capacity: Int
    /// The first byte not yet consumed.
    var start = 0
    /// One past the last byte read.
    private(set) var end = 0
    /// Whether `read` has reported the end of the file.
    private(set) var eof = false
    /// The number of bytes dropped from the front of the buffer by compaction so far, so that
    /// `consumedBefore + start` is the file offset of `buffer[start]`.
    private(set) var consumedBefore = 0
    /// The file's size when it was opened (0 when unknown, for example a pipe).
    let fileSize: Int

    /// Opens a file for reading.
    ///
    /// - Throws: ``TableError/Code/fileUnreadable`` with the system's reason.
    init(path: String, blockSize: Int) throws(TableError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TableError(.fileUnreadable, path: path, detail: Self.systemReason(errno))
        }
        var info = stat()
        var size = 0
        if fstat(fd, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw TableError(.fileUnreadable, path: path, detail: "it is a directory")
            }
            if (info.st_mode & S_IFMT) == S_IFREG { size = Int(info.st_size) }
        }
        self.fileSize = size
        let capacity = max(blockSize, 64)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        self.path = path
        self.storage = Storage(fd: fd, buffer: buffer)
        self.buffer = buffer
        self.capacity = capacity
    }

    /// The file offset of the next unconsumed byte.
    var position: Int { consumedBefore + start }

    /// The text of an `errno` value.
    static func systemReason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// Whether unconsumed bytes remain or more can be read.
    var hasMore: Bool { start < end || !eof }

    /// Skips a UTF-8 byte-order mark at ``start``, reading the file's first bytes as needed.
    ///
    /// - Throws: ``TableError/Code/fileUnreadable`` when `read` fails.
    mutating func skipByteOrderMark() throws(TableError) {
        while end - start < 3 && !eof { try refill() }
        if end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
            start += 3
        }
    }

    /// Moves the unconsumed bytes to the front of the buffer (growing it when they fill it)
    /// and reads more after them.
    ///
    /// - Returns: The number of bytes read; 0 means the end of the file (``eof`` is then set).
    /// - Throws: ``TableError/Code/fileUnreadable`` when `read` fails.
    @discardableResult
    mutating func refill() throws(TableError) -> Int {
        if eof { return 0 }
        if start > 0 {
            let remaining = end - start
            if remaining > 0 { memmove(buffer, buffer + start, remaining) }
            consumedBefore += start
            start = 0
            end = remaining
        }
        if end == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            storage.buffer = bigger
            capacity *= 2
        }
        while true {
            let n = read(storage.fd, buffer + end, capacity - end)
            if n > 0 {
                end += n
                return n
            }
            if n == 0 {
                eof = true
                return 0
            }
            if errno == EINTR { continue }
            throw TableError(.fileUnreadable, path: path, detail: Self.systemReason(errno))
        }
    }
}
