import Foundation
import Synchronization
@testable import MLOpsStorage
import MLOpsTestSupport
import Testing

@Suite("File-system artifact store")
struct FileSystemArtifactStoreTests {
    @Test(
        "passes the artifact conformance suite",
        arguments: [ArtifactCompression.none, .zlib(level: 1), .zlib(level: 9)], ArtifactStoreConformance.checks)
    func conformance(compression: ArtifactCompression, check: ConformanceCheck<any ArtifactStore>) async throws {
        try await withTemporaryFolder { folder in
            let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: compression, chunkSize: 1 << 16)
            await check.run(on: store)
        }
    }

    @Test("compressible data takes less room with zlib, and reads back unchanged")
    func compressesAtRest() async throws {
        try await withTemporaryFolder { folder in
            let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: .fast)
            let text = Array(String(repeating: "timestamp,user,amount\n2026-11-25,alice,12.50\n", count: 20_000).utf8)
            let receipt = try await store.put(text)
            #expect(receipt.storedSize * 10 < receipt.size)
            #expect(try await store.info(receipt.digest)?.compressed == true)
            #expect(try await store.read(receipt.digest) == text)
        }
    }

    @Test("a changed byte is reported as corruption naming the artifact", arguments: [ArtifactCompression.none, .fast])
    func detectsCorruption(compression: ArtifactCompression) async throws {
        try await withTemporaryFolder { folder in
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
    }

    @Test("a truncated compressed artifact is corruption, not a short read")
    func detectsTruncation() async throws {
        try await withTemporaryFolder { folder in
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
    }

    @Test("export writes a verified copy and never overwrites an existing file")
    func exportIsSafe() async throws {
        try await withTemporaryFolder { folder in
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
    }

    @Test("a file put streams its contents under their digest")
    func putFile() async throws {
        try await withTemporaryFolder { folder in
            let store = try FileSystemArtifactStore(root: folder.file("artifacts"), compression: .fast, chunkSize: 4096)
            let payload = ArtifactStoreConformance.bytes(count: 1_000_003, seed: 11)
            let source = folder.file("data.bin")
            try Data(payload).write(to: URL(fileURLWithPath: source))
            let receipt = try await store.put(contentsOf: source)
            #expect(receipt.digest == Digest(of: payload))
            #expect(try await store.read(receipt.digest) == payload)
            await #expect(throws: StorageError.self) { _ = try await store.put(contentsOf: folder.file("missing.bin")) }
        }
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
        try withTemporaryFolder { folder in
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
        try await withTemporaryFolder { folder in
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

    // MARK: Several stores on one folder

    @Test("a put and a purge of one digest, racing from two tasks and two stores, leave it stored or purged, never lost")
    func putAndPurgeRace() async throws {
        try await withTemporaryFolder { folder in
            let root = folder.file("artifacts")
            let first = try FileSystemArtifactStore(root: root)
            let second = try FileSystemArtifactStore(root: root)
            let payload = ArtifactStoreConformance.bytes(count: 4096, seed: 77)
            let digest = Digest(of: payload)
            for round in 0..<200 {
                // Start from a purged artifact half the time and a stored one otherwise.
                _ = try await first.put(payload)
                if round % 2 == 0 { try await second.purge(digest, reason: "round \(round)") }
                let (putter, purger) = round % 3 == 0 ? (first, first) : (first, second)
                // Before puts and purges took the digest's lock, this lost the artifact within a few
                // rounds (a purge then threw artifactNotFound: neither bytes nor tombstone were left).
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<3 {
                        group.addTask { _ = try await putter.put(payload) }
                        group.addTask { try await purger.purge(digest, reason: "racing \(round)") }
                    }
                    try await group.waitForAll()
                }
                let object = first.storedObject(digest) != nil
                let tombstone = FileManager.default.fileExists(atPath: first.tombstonePath(digest))
                #expect(object != tombstone, "round \(round): bytes \(object), tombstone \(tombstone)")
                switch try await first.info(digest)?.state {
                case .stored?:
                    #expect(try await second.read(digest) == payload)
                case .purged?:
                    await #expect(throws: StorageError.self) { _ = try await second.read(digest) }
                case nil:
                    Issue.record("round \(round): the artifact is neither stored nor purged")
                }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/tmp").isEmpty)
        }
    }

    @Test("a purge waits while a put of the same digest holds its lock")
    func purgeWaitsForPut() async throws {
        try await withTemporaryFolder { folder in
            let store = try FileSystemArtifactStore(root: folder.file("artifacts"))
            let payload = ArtifactStoreConformance.bytes(count: 100, seed: 5)
            let digest = try await store.put(payload).digest
            let other = try FileSystemArtifactStore(root: folder.file("artifacts"))
            let fd = try await FileIO.lockExclusively("\(store.root)/locks/\(digest.hex.prefix(2))")
            let purge = Task { try await other.purge(digest, reason: "waits") }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await store.contains(digest), "the purge ran while the lock was held")
            close(fd)
            try await purge.value
            #expect(try await store.contains(digest) == false)
        }
    }

    @Test("a put of purged bytes whose new user is refused leaves them purged, unless a user exists after all; an accepted one brings them back")
    func refusedUserLeavesPurgedBytesPurged() async throws {
        struct Refused: Error {}
        try await withTemporaryFolder { folder in
            let store = try FileSystemArtifactStore(root: folder.file("artifacts"))
            let payload = ArtifactStoreConformance.bytes(count: 5_000, seed: 9)
            let digest = try await store.put(payload).digest
            try await store.purge(digest, reason: "quarantined, then purged")
            func purgedReason() async throws -> String? {
                if case .purged(let why, _)? = try await store.info(digest)?.state { return why }
                return nil
            }
            // The caller refused the user (a model version of quarantined bytes) and nothing uses
            // the bytes: they go again and their tombstone comes back.
            var asked: [Digest] = []
            await #expect(throws: Refused.self) {
                try await store.put(
                    streaming: { try $0.write(payload) }, thenHolding: { (_: ArtifactReceipt) in throw Refused() },
                    ifStoredThrows: { asked.append($0); return false })
            }
            #expect(asked == [digest])
            #expect(try await purgedReason() == "quarantined, then purged")
            #expect(try await store.contains(digest) == false)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(store.root)/tmp").isEmpty)
            // Without the question (the two-argument put), or when a user exists after all (a
            // commit whose reply was lost), the bytes stay and the tombstone goes.
            await #expect(throws: Refused.self) {
                try await store.put(
                    streaming: { try $0.write(payload) }, thenHolding: { (_: ArtifactReceipt) in throw Refused() }, ifStoredThrows: { _ in true })
            }
            #expect(try await store.read(digest) == payload)
            #expect(!FileManager.default.fileExists(atPath: store.tombstonePath(digest)))
            // Bytes beside their tombstone (an interrupted purge), then a refused, unused put:
            // both stay as they were.
            try await store.purge(digest, reason: "purged again")
            let tombstone = try Data(contentsOf: URL(fileURLWithPath: store.tombstonePath(digest)))
            _ = try await store.put(payload)
            try tombstone.write(to: URL(fileURLWithPath: store.tombstonePath(digest)))
            await #expect(throws: Refused.self) {
                try await store.put(
                    streaming: { try $0.write(payload) }, thenHolding: { (_: ArtifactReceipt) in throw Refused() }, ifStoredThrows: { _ in false })
            }
            #expect(try await store.read(digest) == payload)
            #expect(try Data(contentsOf: URL(fileURLWithPath: store.tombstonePath(digest))) == tombstone)
            // An accepted user: bytes stored, tombstone gone, the question never asked.
            try await store.purge(digest, reason: "and again")
            let receipt = try await store.put(
                streaming: { try $0.write(payload) }, thenHolding: { $0 }, ifStoredThrows: { _ in Issue.record("asked"); return false })
            #expect(!receipt.deduplicated)
            #expect(try await store.read(digest) == payload)
            #expect(!FileManager.default.fileExists(atPath: store.tombstonePath(digest)))
        }
    }

    @Test("a purge that asks whether the bytes are used waits for a put still recording their user, then keeps them")
    func purgeAsksAfterThePutsUserIsRecorded() async throws {
        try await withTemporaryFolder { folder in
            let store = try FileSystemArtifactStore(root: folder.file("artifacts"))
            let other = try FileSystemArtifactStore(root: folder.file("artifacts"))
            let payload = ArtifactStoreConformance.bytes(count: 100, seed: 6)
            let digest = try await store.put(payload).digest
            // A second put of the same bytes records their new user while holding them: a purge
            // started meanwhile (decided from records read before that user existed) waits, then
            // sees the user and keeps the bytes.
            let recorded = RecordedFlag()
            let purge = try await store.put(streaming: { try $0.write(payload) }, thenHolding: { receipt in
                #expect(receipt.digest == digest && receipt.deduplicated)
                let purge = Task { [other] in try await other.purge(digest, reason: "unused, it seemed") { recorded.isSet } }
                try await Task.sleep(for: .milliseconds(200))
                recorded.set()
                return purge
            })
            #expect(try await purge.value == false, "the purge removed bytes a put was recording a user of")
            #expect(try await store.read(digest) == payload)
            // Unused: removed, with a tombstone; not stored: nothing to do.
            #expect(try await other.purge(digest, reason: "unused") { false })
            let state = try await store.info(digest)?.state
            if case .purged(let why, _) = state { #expect(why == "unused") } else { Issue.record("not purged: \(String(describing: state))") }
            #expect(try await other.purge(digest, reason: "again") { false } == false)
            // Holding bytes that are gone throws what reading them does; a put brings them back.
            await #expect(throws: StorageError.self) { try await store.holding(digest) {} }
            let held = try await store.put(streaming: { try $0.write(payload) }, thenHolding: { receipt in
                try await store.info(receipt.digest)?.state
            })
            #expect(held == .stored)
            #expect(try await store.holding(digest) { 42 } == 42)
        }
    }

    @Test("8 stores opening one new folder at the same moment all succeed, every time")
    func concurrentCreation() throws {
        try withTemporaryFolder { folder in
            for round in 0..<40 {
                let root = folder.file("new-\(round)/artifacts")
                let failures = Mutex<[String]>([])
                DispatchQueue.concurrentPerform(iterations: 8) { _ in
                    do {
                        _ = try FileSystemArtifactStore(root: root)
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
                #expect(failures.withLock { $0 }.isEmpty, "round \(round): \(failures.withLock { $0 })")
                let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
                #expect(names == [".mlops-artifact-store", "locks", "objects", "tmp", "tombstones"], "round \(round)")
                #expect(try String(contentsOfFile: "\(root)/.mlops-artifact-store", encoding: .utf8) == FileSystemArtifactStore.markerContents)
            }
        }
    }

    // MARK: Durability

    @Test("a new objects/xx folder is fsynced into objects/ before the artifact goes in")
    func newPrefixFolderIsDurable() async throws {
        try await withTemporaryFolder { folder in
            let store = try FileSystemArtifactStore(root: folder.file("artifacts"))
            let payload = ArtifactStoreConformance.bytes(count: 1000, seed: 31)
            let prefix = "\(store.root)/objects/\(Digest(of: payload).hex.prefix(2))"
            let trace = FileIOTrace()
            _ = try await FileIO.$trace.withValue(trace) { try await store.put(payload) }
            let events = trace.events
            let created = try #require(events.firstIndex(of: .createdFolder(prefix)))
            let parentSynced = try #require(events.lastIndex(of: .syncedFolder("\(store.root)/objects")))
            let prefixSynced = try #require(events.lastIndex(of: .syncedFolder(prefix)))
            #expect(created < parentSynced && parentSynced < prefixSynced)

            // The same prefix again: nothing to create.
            let again = FileIOTrace()
            var other = payload
            while Digest(of: other).hex.prefix(2) != Digest(of: payload).hex.prefix(2) || other == payload {
                other = ArtifactStoreConformance.bytes(count: 1000, seed: UInt64.random(in: 0...UInt64.max))
            }
            _ = try await FileIO.$trace.withValue(again) { try await store.put(other) }
            #expect(!again.events.contains(.createdFolder(prefix)))
        }
    }

    @Test("creating a store makes its folders durable in their parents")
    func newStoreIsDurable() throws {
        try withTemporaryFolder { folder in
            let root = folder.file("deep/artifacts")
            let trace = FileIOTrace()
            _ = try FileIO.$trace.withValue(trace) { try FileSystemArtifactStore(root: root) }
            for (created, parent) in [(folder.file("deep"), folder.path), (root, folder.file("deep")), ("\(root)/objects", root)] {
                let made = try #require(trace.events.firstIndex(of: .createdFolder(created)), "\(created) not created")
                #expect(trace.events[made...].contains(.syncedFolder(parent)), "\(created) not synced into \(parent)")
            }
        }
    }

    // MARK: Temporary files

    /// Writes a file and sets its modification time `age` in the past.
    static func writeFile(_ path: String, age: TimeInterval, bytes: Int = 10) throws {
        try Data(repeating: 7, count: bytes).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: path)
    }

    @Test("temporary files left by a killed process are reported, then removed when the store opens; fresh ones stay")
    func staleTemporaryFiles() async throws {
        try await withTemporaryFolder { folder in
            let root = folder.file("artifacts")
            let store = try FileSystemArtifactStore(root: root)
            try Self.writeFile("\(root)/tmp/put-killed", age: 3 * 86_400, bytes: 5000)
            try Self.writeFile("\(root)/tmp/tombstone-killed", age: 2 * 86_400)
            try Self.writeFile("\(root)/\(FileSystemArtifactStore.markerTemporaryPrefix)killed", age: 2 * 86_400)
            try Self.writeFile("\(root)/tmp/put-in-progress", age: 5)

            let inspection = try await store.inspect()
            #expect(inspection.temporaryFiles.count == 4)
            #expect(inspection.staleTemporaryFiles.map { ($0.path as NSString).lastPathComponent }.sorted() ==
                [FileSystemArtifactStore.markerTemporaryPrefix + "killed", "put-killed", "tombstone-killed"])
            #expect(inspection.problems.count == 1)
            #expect(inspection.problems.first?.contains("3 stale temporary files") == true)

            // A reader never cleans up.
            let reader = try FileSystemArtifactStore(root: root, readOnly: true)
            #expect(reader.removeStaleTemporaryFiles(olderThan: .zero).isEmpty)
            #expect(try await reader.inspect().staleTemporaryFiles.count == 3)

            // Opening for writing removes the stale ones and keeps the one in progress.
            let reopened = try FileSystemArtifactStore(root: root)
            let after = try await reopened.inspect()
            #expect(after.temporaryFiles.map(\.path) == ["\(root)/tmp/put-in-progress"])
            #expect(after.problems.isEmpty)
            #expect(reopened.removeStaleTemporaryFiles(olderThan: .zero).count == 1)
            #expect(try await reopened.inspect().temporaryFiles.isEmpty)
        }
    }

    @Test("an interrupted purge and stray files are reported; putting the bytes again finishes the story")
    func inspectionFindings() async throws {
        try await withTemporaryFolder { folder in
            let store = try FileSystemArtifactStore(root: folder.file("artifacts"))
            let payload = ArtifactStoreConformance.bytes(count: 300, seed: 8)
            let digest = try await store.put(payload).digest
            try Data("{\"reason\":\"x\",\"purgedAt\":\"2026-01-01T00:00:00Z\"}".utf8).write(to: URL(fileURLWithPath: store.tombstonePath(digest)))
            try FileManager.default.createDirectory(atPath: "\(store.root)/objects/zz", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: "\(store.root)/objects/\(digest.hex.prefix(2))/notes.txt"))

            let inspection = try await store.inspect()
            #expect(inspection.storedCount == 1)
            #expect(inspection.interruptedPurges == [digest])
            #expect(inspection.unexpectedFiles.count == 2)
            #expect(inspection.problems.count == 3)

            let receipt = try await store.put(payload)
            #expect(receipt.deduplicated)
            #expect(try await store.inspect().interruptedPurges.isEmpty)
            #expect(try await store.info(digest)?.state == .stored)

            // Holding the bytes for a new user keeps them too.
            try Data("{\"reason\":\"x\",\"purgedAt\":\"2026-01-01T00:00:00Z\"}".utf8).write(to: URL(fileURLWithPath: store.tombstonePath(digest)))
            #expect(try await store.inspect().interruptedPurges == [digest])
            try await store.holding(digest) {}
            #expect(try await store.inspect().interruptedPurges.isEmpty)
        }
    }

    // MARK: Reading never writes

    @Test("opening read-only never creates a folder, and refuses what is not a store")
    func readOnlyCreatesNothing() throws {
        try withTemporaryFolder { folder in
            let missing = folder.file("none/artifacts")
            do {
                _ = try FileSystemArtifactStore(root: missing, readOnly: true)
                Issue.record("a missing store was opened")
            } catch let error as StorageError {
                #expect(error.code == .cannotOpen)
            }
            #expect(!FileManager.default.fileExists(atPath: folder.file("none")))

            let foreign = folder.file("foreign")
            try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: "\(foreign)/notes.txt", contents: Data("mine".utf8)))
            #expect(throws: StorageError.self) { try FileSystemArtifactStore(root: foreign, readOnly: true) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: foreign) == ["notes.txt"])
        }
    }

    @Test("a store whose creation was killed before its marker landed reads as an empty store, and the next writer finishes it")
    func unfinishedCreation() async throws {
        try await withTemporaryFolder { folder in
            // Killed right after the folder was made, and killed while the marker was being written.
            let empty = folder.file("empty")
            let halfMarked = folder.file("half-marked")
            for root in [empty, halfMarked] {
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            }
            let markerInProgress = "\(halfMarked)/\(FileSystemArtifactStore.markerTemporaryPrefix)1234"
            #expect(FileManager.default.createFile(atPath: markerInProgress, contents: Data("swift-ml".utf8)))

            for root in [empty, halfMarked] {
                let before = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
                let reader = try FileSystemArtifactStore(root: root, readOnly: true)
                #expect(try await reader.allDigests().isEmpty)
                #expect(try await reader.inspect().storedCount == 0)
                #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == before, "a reader wrote into \(root)")

                let writer = try FileSystemArtifactStore(root: root)
                let digest = try await writer.put([1, 2, 3]).digest
                #expect(try await FileSystemArtifactStore(root: root, readOnly: true).allDigests() == [digest])
            }
        }
    }

    @Test("a read-only store reads, exports and inspects, refuses puts and purges, and adds no folder")
    func readOnlyStore() async throws {
        try await withTemporaryFolder { folder in
            let root = folder.file("artifacts")
            let writer = try FileSystemArtifactStore(root: root, compression: .fast)
            let payload = ArtifactStoreConformance.bytes(count: 20_000, seed: 4)
            let digest = try await writer.put(payload).digest
            // A store made by an older build, or partly: no locks/ or tmp/.
            try FileManager.default.removeItem(atPath: "\(root)/locks")
            try FileManager.default.removeItem(atPath: "\(root)/tmp")
            let before = try FileManager.default.contentsOfDirectory(atPath: root).sorted()

            let reader = try FileSystemArtifactStore(root: root, readOnly: true)
            #expect(try await reader.read(digest) == payload)
            #expect(try await reader.allDigests() == [digest])
            #expect(try await reader.inspect().problems.isEmpty)
            try await reader.export(digest, to: folder.file("copy.bin"))
            for attempt in 0..<2 {
                do {
                    if attempt == 0 {
                        _ = try await reader.put([1, 2, 3])
                    } else {
                        try await reader.purge(digest, reason: "no")
                    }
                    Issue.record("a read-only store changed")
                } catch let error as StorageError {
                    #expect(error.code == .readOnly)
                }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == before)
            #expect(try await reader.contains(digest))
        }
    }
}

/// A flag one task sets and another reads.
private final class RecordedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
