internal import CZlib

/// Streaming zlib compression over the system's libz (zlib1g), fed in chunks so memory stays flat.
package final class ZlibDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer

    package init(level: Int, outputCapacity: Int = 1 << 18) throws(StorageError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: outputCapacity, alignment: 16)
        let code = deflateInit_(stream, Int32(max(0, min(9, level))), zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            // deinit frees the buffers (deflateEnd is a no-op on a stream that never started).
            throw StorageError(.fileSystem, "zlib could not start compressing (code \(code))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// zlib counts input in 32-bit units: larger buffers are fed in slices of this size.
    static let sliceLimit = 1 << 30

    /// Compresses `input`, handing each filled output block to `emit`; `finish` ends the stream.
    package func compress(
        _ input: UnsafeRawBufferPointer, finish: Bool, emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        if input.count > Self.sliceLimit {
            var start = 0
            while start < input.count {
                let end = Swift.min(start + Self.sliceLimit, input.count)
                try compress(UnsafeRawBufferPointer(rebasing: input[start..<end]), finish: finish && end == input.count, emit: emit)
                start = end
            }
            return
        }
        let flush = finish ? Z_FINISH : Z_NO_FLUSH
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let code = deflate(stream, flush)
            guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                throw StorageError(.fileSystem, "zlib failed while compressing (code \(code))")
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            if finish {
                if code == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                return
            }
        }
    }
}

/// Streaming zlib decompression; reports truncated or damaged input as corruption.
package final class ZlibInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    /// Whether the end of the compressed stream was reached.
    package private(set) var finished = false

    package init(outputCapacity: Int = 1 << 20) throws(StorageError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: outputCapacity, alignment: 16)
        let code = inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            // deinit frees the buffers (inflateEnd is a no-op on a stream that never started).
            throw StorageError(.fileSystem, "zlib could not start decompressing (code \(code))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Decompresses `input`, handing each output block to `emit`. Returns a description of the
    /// problem when the data is damaged (the caller names the artifact), or `nil`.
    package func decompress(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> String? {
        guard !input.isEmpty else { return nil }
        if input.count > ZlibDeflater.sliceLimit {
            var start = 0
            while start < input.count {
                let end = Swift.min(start + ZlibDeflater.sliceLimit, input.count)
                if let problem = try decompress(UnsafeRawBufferPointer(rebasing: input[start..<end]), emit: emit) { return problem }
                start = end
            }
            return nil
        }
        if finished { return "there are bytes after the end of the compressed stream" }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let code = inflate(stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            switch code {
            case Z_STREAM_END:
                finished = true
                return stream.pointee.avail_in == 0 ? nil : "there are bytes after the end of the compressed stream"
            case Z_OK, Z_BUF_ERROR:
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return nil }
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "code \(code)"
                return "the compressed data is damaged (\(message))"
            }
        }
    }
}
