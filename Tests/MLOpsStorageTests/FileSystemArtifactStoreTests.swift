import Foundation
@testable import MLOpsStorage
import MLOpsStorageTestSupport
import Testing

@Suite("File-system artifact store")
struct FileSystemArtifactStoreTests {
    @Test("passes the artifact conformance suite", arguments: [ArtifactCompression.none, .zlib(level: 1), .zlib(level: 9)])
    func conformance(compression: ArtifactCompression) async throws {
        let folder = TemporaryFolder()
        let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: compression, chunkSize: 1 << 16)
        try await ArtifactStoreConformance.runAll(store)
    }

    @Test("compressible data takes less room with zlib, and reads back unchanged")
    func compressesAtRest() async throws {
        let folder = TemporaryFolder()
        let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: .fast)
        let text = Array(String(repeating: "timestamp,user,amount\n2026-11-25,alice,12.50\n", count: 20_000).utf8)
        let receipt = try await store.put(text)
        #expect(receipt.storedSize * 10 < receipt.size)
        #expect(try await store.info(receipt.digest)?.compressed == true)
        #expect(try await store.read(receipt.digest) == text)
    }

    @Test("a changed byte is reported as corruption naming the artifact", arguments: [ArtifactCompression.none, .fast])
    func detectsCorruption(compression: ArtifactCompression) async throws {
        let folder = TemporaryFolder()
        let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: compression)
        let payload = Array(String(repeating: "weights 0.125 0.5\n", count: 4000).utf8)
        let receipt = try await store.put(payload)
        let (path, _) = try #require(store.storedObject(receipt.digest))
        var stored = try Data(contentsOf: URL(fileURLWithPath: path))
        stored[stored.count / 2] ^= 0x40
        try stored.write(to: URL(fileURLWithPath: path))
        do {
            try await store.verify(receipt.digest)
            Issue.record("a damaged artifact verified")
        } catch let error as StorageError {
            #expect(error.code == .artifactCorrupt)
            #expect(error.description.contains(receipt.digest.hex))
        }
        // An export of a corrupt artifact leaves no file behind.
        let destination = folder.file("export.bin")
        await #expect(throws: StorageError.self) { try await store.export(receipt.digest, to: destination) }
        #expect(!FileManager.default.fileExists(atPath: destination))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("partial") }.isEmpty)
    }

    @Test("a truncated compressed artifact is corruption, not a short read")
    func detectsTruncation() async throws {
        let folder = TemporaryFolder()
        let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: .fast)
        let payload = ArtifactStoreConformance.bytes(count: 200_000, seed: 5)
        let receipt = try await store.put(payload)
        let (path, _) = try #require(store.storedObject(receipt.digest))
        let stored = try Data(contentsOf: URL(fileURLWithPath: path))
        try stored.prefix(stored.count - 100).write(to: URL(fileURLWithPath: path))
        do {
            _ = try await store.read(receipt.digest)
            Issue.record("a truncated artifact was read")
        } catch let error as StorageError {
            #expect(error.code == .artifactCorrupt)
        }
    }

    @Test("export writes a verified copy and never overwrites an existing file")
    func exportIsSafe() async throws {
        let folder = TemporaryFolder()
        let store = try FileSystemArtifactStore(root: folder.file("artifacts"))
        let payload = ArtifactStoreConformance.bytes(count: 70_000, seed: 9)
        let receipt = try await store.put(payload)
        let destination = folder.file("model.bin")
        try await store.export(receipt.digest, to: destination)
        #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == Data(payload))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: destination))
        await #expect(throws: StorageError.self) { try await store.export(receipt.digest, to: destination) }
        #expect(try String(contentsOfFile: destination, encoding: .utf8) == "mine")
    }

    @Test("a file put streams its contents under their digest")
    func putFile() async throws {
        let folder = TemporaryFolder()
        let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: .fast, chunkSize: 4096)
        let payload = ArtifactStoreConformance.bytes(count: 1_000_003, seed: 11)
        let source = folder.file("data.bin")
        try Data(payload).write(to: URL(fileURLWithPath: source))
        let receipt = try await store.put(contentsOf: source)
        #expect(receipt.digest == Digest(of: payload))
        #expect(try await store.read(receipt.digest) == payload)
        await #expect(throws: StorageError.self) { _ = try await store.put(contentsOf: folder.file("missing.bin")) }
    }

    @Test("digests that could escape the folder are refused", arguments: [
        "../../etc/passwd", "sha256:../../../../etc/shadow", "", "sha256:", String(repeating: "g", count: 64),
        String(repeating: "a", count: 63), String(repeating: "a", count: 65), "/" + String(repeating: "a", count: 63),
    ])
    func invalidDigests(text: String) {
        #expect(throws: StorageError.self) { try Digest(parsing: text) }
    }

    @Test("digests parse with or without the prefix, in either case")
    func digestForms() throws {
        let hex = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
        #expect(try Digest(parsing: hex) == Digest(of: []))
        #expect(try Digest(parsing: "sha256:" + hex.lowercased()).description == "sha256:" + hex.lowercased())
    }

    @Test("a folder with other files, or a file, is never used as a store")
    func refusesForeignFolders() throws {
        let folder = TemporaryFolder()
        let foreign = folder.file("photos")
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try Data("holiday".utf8).write(to: URL(fileURLWithPath: foreign + "/beach.jpg"))
        #expect(throws: StorageError.self) { try FileSystemArtifactStore(root: foreign) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: foreign) == ["beach.jpg"])
        let file = folder.file("plain.txt")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: StorageError.self) { try FileSystemArtifactStore(root: file) }
        // Reopening an existing store is fine.
        _ = try FileSystemArtifactStore(root: folder.file("store"))
        _ = try FileSystemArtifactStore(root: folder.file("store"))
    }

    @Test("a store that cannot be created is a fileSystem error naming the path")
    func unwritableRoot() {
        do {
            _ = try FileSystemArtifactStore(root: "/proc/mlops-artifacts")
            Issue.record("a store was created under /proc")
        } catch {
            #expect(error.code == .fileSystem)
            #expect(error.description.contains("/proc/mlops-artifacts"))
        }
    }

    @Test("concurrent puts of the same bytes store one object")
    func concurrentPuts() async throws {
        let folder = TemporaryFolder()
        let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: .fast)
        let payload = ArtifactStoreConformance.bytes(count: 300_000, seed: 21)
        let digests = try await withThrowingTaskGroup(of: Digest.self) { group in
            for _ in 0..<8 { group.addTask { try await store.put(payload).digest } }
            return try await group.reduce(into: Set<Digest>()) { $0.insert($1) }
        }
        #expect(digests.count == 1)
        #expect(try await store.allDigests().count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("artifacts/tmp")).isEmpty)
    }
}
