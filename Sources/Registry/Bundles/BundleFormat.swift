internal import Crypto
import Foundation
import MLOpsStorage

/// The bytes of a model bundle.
///
/// A bundle file is one zlib stream (RFC 1950, so damage anywhere also fails zlib's own
/// checksum) whose decompressed payload is:
///
/// ```text
/// "MLOPS-MODEL-BUNDLE 1\n"                      the magic line
/// u64 big-endian length, then that many bytes  the manifest: canonical JSON
/// repeated: u32 big-endian n ≥ 1, n bytes      the artifact, in chunks
/// u32 0                                        end of the artifact
/// u64 big-endian                               the artifact's size in bytes
/// 32 bytes                                     the seal: SHA-256 of every byte above
/// ```
///
/// After the zlib stream come 32 more bytes: the SHA-256 of the compressed bytes before them.
/// zlib alone does not catch every change (some header and padding bits are never read back),
/// the payload seal does not cover the compression; this covers every byte of the file.
///
/// The artifact is chunked so a bundle streams from the artifact store without knowing its size
/// first, and is read back without holding it in memory. Hand-written (not tar or zip): the
/// format needs no more than this, the seal covers the whole payload, and the reader refuses
/// anything but exactly one manifest and one artifact.
enum BundleFormat {
    static let magic = Array("MLOPS-MODEL-BUNDLE 1\n".utf8)
    /// A manifest larger than this is refused before it is read (a card is a few kilobytes).
    static let maximumManifestSize = 64 << 20
    /// The compression level: zlib's default balance of speed and size.
    static let compressionLevel = 6

    static func damaged(_ detail: String) -> RegistryError {
        RegistryError(
            .invalidBundle, "The bundle is damaged or was changed after export: \(detail)",
            fix: "export it again from the source registry, or copy it again intact.")
    }
}

/// Writes a bundle's payload through zlib, sealing it at the end; each call hands the
/// compressed bytes it produced to `output`.
final class BundleWriter {
    typealias Output = (UnsafeRawBufferPointer) throws -> Void

    private let deflater: ZlibDeflater
    private var hasher = SHA256()
    private var fileHasher = SHA256()
    private var artifactSize: UInt64 = 0

    init() throws {
        deflater = try ZlibDeflater(level: BundleFormat.compressionLevel)
    }

    private func emit(_ bytes: UnsafeRawBufferPointer, to output: Output) throws {
        hasher.update(bufferPointer: bytes)
        try compress(bytes, finish: false, to: output)
    }

    private func compress(_ bytes: UnsafeRawBufferPointer, finish: Bool, to output: Output) throws {
        try deflater.compress(bytes, finish: finish) { compressed in
            fileHasher.update(bufferPointer: compressed)
            try output(compressed)
        }
    }

    private func emit(_ bytes: [UInt8], to output: Output) throws {
        try bytes.withUnsafeBytes { try emit($0, to: output) }
    }

    func writeHeader(manifest: [UInt8], to output: Output) throws {
        try emit(BundleFormat.magic, to: output)
        try emit(UInt64(manifest.count).bigEndianBytes, to: output)
        try emit(manifest, to: output)
    }

    func writeArtifactChunk(_ chunk: UnsafeRawBufferPointer, to output: Output) throws {
        var start = 0
        while start < chunk.count {
            let end = min(chunk.count, start + Int(UInt32.max))
            try emit(UInt32(end - start).bigEndianBytes, to: output)
            try emit(UnsafeRawBufferPointer(rebasing: chunk[start..<end]), to: output)
            artifactSize += UInt64(end - start)
            start = end
        }
    }

    func finish(to output: Output) throws {
        try emit(UInt32(0).bigEndianBytes, to: output)
        try emit(artifactSize.bigEndianBytes, to: output)
        let seal = Array(hasher.finalize())
        try seal.withUnsafeBytes { try compress($0, finish: true, to: output) }
        let fileSeal = Array(fileHasher.finalize())
        try fileSeal.withUnsafeBytes { try output($0) }
    }
}

/// Reads a bundle's payload as it is decompressed, handing the artifact's bytes on and checking
/// every frame, the artifact's digest and the seal.
final class BundleReader {
    private enum Stage { case magic, manifestLength, manifest, chunkLength, chunk(Int), artifactSize, seal, done }

    private let inflater: ZlibInflater
    private var stage = Stage.magic
    private var pending: [UInt8] = []
    private var hasher = SHA256()
    private var artifactHasher = SHA256()
    private var artifactSize: UInt64 = 0
    private var compressedOffset = 0
    private var manifestLength = 0
    private(set) var manifestBytes: [UInt8] = []
    private(set) var seal: [UInt8] = []

    /// How many of the file's bytes are the zlib stream (the rest is the file seal).
    private let compressedLength: Int64
    private var fileHasher = SHA256()
    private var fileSeal: [UInt8] = []

    /// Prepares to read a bundle file of `fileSize` bytes.
    init(fileSize: Int64) throws {
        guard fileSize > 32 else {
            throw RegistryError(.invalidBundle, "This is not a model bundle: it has \(fileSize) bytes, too few for one", fix: "give a file written by `mlops models export`.")
        }
        compressedLength = fileSize - 32
        inflater = try ZlibInflater()
    }

    /// Feeds the file's bytes, in order; `artifact` receives the artifact's bytes in order.
    func consume(file bytes: UnsafeRawBufferPointer, artifact: (UnsafeRawBufferPointer) throws -> Void) throws {
        let compressedPart = Int(max(0, min(Int64(bytes.count), compressedLength - Int64(compressedOffset))))
        fileSeal.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[compressedPart...]))
        guard fileSeal.count <= 32 else { throw BundleFormat.damaged("the file is longer than it was when it was opened") }
        let compressed = UnsafeRawBufferPointer(rebasing: bytes[..<compressedPart])
        fileHasher.update(bufferPointer: compressed)
        let offset = compressedOffset
        compressedOffset += compressed.count
        var failure: (any Error)?
        let problem = try inflater.decompress(compressed) { payload in
            guard failure == nil else { return }
            do { try self.consume(payload: payload, artifact: artifact) } catch { failure = error }
        }
        if let failure { throw failure }
        if let problem { throw BundleFormat.damaged("\(problem), in the compressed bytes after offset \(offset)") }
    }

    /// Checks that the payload ended where it should and returns the artifact's digest and size.
    func finish() throws -> (digest: MLOpsStorage.Digest, size: UInt64) {
        guard fileSeal.count == 32, fileSeal == Array(fileHasher.finalize()) else {
            throw BundleFormat.damaged("the file's last 32 bytes are not the SHA-256 of the bytes before them")
        }
        guard inflater.finished else { throw BundleFormat.damaged("the compressed stream ends early (the file is truncated)") }
        guard case .done = stage else { throw BundleFormat.damaged("the payload ends early (\(stageName))") }
        return (MLOpsStorage.Digest(sha256Bytes: artifactHasher.finalize()), artifactSize)
    }

    private var stageName: String {
        switch stage {
        case .magic: "in the magic line"
        case .manifestLength, .manifest: "in the manifest"
        case .chunkLength, .chunk: "in the artifact"
        case .artifactSize, .seal: "in the seal"
        case .done: "after the seal"
        }
    }

    /// Takes bytes from `payload` into `pending` until it holds `count`; true when it does.
    private func fill(_ count: Int, from payload: UnsafeRawBufferPointer, at index: inout Int) -> Bool {
        let take = min(count - pending.count, payload.count - index)
        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[index..<(index + take)]))
        index += take
        return pending.count == count
    }

    private func takePending(hashed: Bool = true) -> [UInt8] {
        defer { pending.removeAll(keepingCapacity: true) }
        if hashed { hasher.update(data: pending) }
        return pending
    }

    private func consume(payload: UnsafeRawBufferPointer, artifact: (UnsafeRawBufferPointer) throws -> Void) throws {
        var index = 0
        while index < payload.count {
            switch stage {
            case .magic:
                guard fill(BundleFormat.magic.count, from: payload, at: &index) else { return }
                guard takePending() == BundleFormat.magic else {
                    throw RegistryError(.invalidBundle, "This is not a model bundle (its payload does not start with the bundle's magic line)",
                                        fix: "give a file written by `mlops models export`.")
                }
                stage = .manifestLength
            case .manifestLength:
                guard fill(8, from: payload, at: &index) else { return }
                let length = UInt64(bigEndianBytes: takePending())
                guard length <= UInt64(BundleFormat.maximumManifestSize) else {
                    throw BundleFormat.damaged("the manifest claims \(length) bytes (at most \(BundleFormat.maximumManifestSize))")
                }
                guard length > 0 else { throw BundleFormat.damaged("the manifest is empty") }
                manifestLength = Int(length)
                stage = .manifest
            case .manifest:
                guard fill(manifestLength, from: payload, at: &index) else { return }
                manifestBytes = takePending()
                stage = .chunkLength
            case .chunkLength:
                guard fill(4, from: payload, at: &index) else { return }
                let length = UInt32(bigEndianBytes: takePending())
                stage = length == 0 ? .artifactSize : .chunk(Int(length))
            case .chunk(let remaining):
                let take = min(remaining, payload.count - index)
                let bytes = UnsafeRawBufferPointer(rebasing: payload[index..<(index + take)])
                hasher.update(bufferPointer: bytes)
                artifactHasher.update(bufferPointer: bytes)
                artifactSize += UInt64(take)
                try artifact(bytes)
                index += take
                stage = remaining == take ? .chunkLength : .chunk(remaining - take)
            case .artifactSize:
                guard fill(8, from: payload, at: &index) else { return }
                let declared = UInt64(bigEndianBytes: takePending())
                guard declared == artifactSize else {
                    throw BundleFormat.damaged("the artifact has \(artifactSize) bytes but the bundle says \(declared)")
                }
                stage = .seal
            case .seal:
                guard fill(32, from: payload, at: &index) else { return }
                seal = takePending(hashed: false)
                let expected = Array(hasher.finalize())
                guard seal == expected else { throw BundleFormat.damaged("the seal (SHA-256 of the payload) does not match its contents") }
                stage = .done
            case .done:
                throw BundleFormat.damaged("there are bytes after the seal")
            }
        }
    }
}

extension FixedWidthInteger {
    /// The integer's bytes, most significant first.
    var bigEndianBytes: [UInt8] {
        withUnsafeBytes(of: bigEndian) { Array($0) }
    }

    /// Reads an integer from its bytes, most significant first (`bytes.count` must be its size).
    init(bigEndianBytes bytes: [UInt8]) {
        var value = Self.zero
        for byte in bytes { value = value << 8 | Self(byte) }
        self = value
    }
}
