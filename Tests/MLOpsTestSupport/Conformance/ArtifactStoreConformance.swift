import Foundation
public import MLOpsStorage
import Testing

/// The behaviour every ``ArtifactStore`` must show, run by each implementation's tests.
public enum ArtifactStoreConformance {
    /// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
    public static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var output = [UInt8]()
        output.reserveCapacity(count)
        while output.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z.littleEndian) { output.append(contentsOf: $0.prefix(count - output.count)) }
        }
        return output
    }

    /// Bytes come back as they went in, under the SHA-256 of their contents.
    public static func putAndReadRoundTrip(_ store: any ArtifactStore) async throws {
        for count in [0, 1, 4095, 1 << 20, (1 << 20) + 17, 3 << 20] {
            let original = bytes(count: count, seed: UInt64(count))
            let receipt = try await store.put(original)
            #expect(receipt.digest == Digest(of: original))
            #expect(receipt.size == Int64(count))
            #expect(try await store.read(receipt.digest) == original)
        }
        // The digest of the empty input is the well-known SHA-256 of nothing.
        let empty = try await store.put([])
        #expect(empty.digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// The same bytes twice are stored once.
    public static func identicalBytesAreDeduplicated(_ store: any ArtifactStore) async throws {
        let payload = bytes(count: 10_000, seed: 7)
        let first = try await store.put(payload)
        let second = try await store.put(payload)
        #expect(first.digest == second.digest)
        #expect(second.deduplicated)
        #expect(try await store.allDigests().filter { $0 == first.digest }.count == 1)
    }

    /// A streaming put that fails leaves nothing stored.
    public static func failedStreamingPutStoresNothing(_ store: any ArtifactStore) async throws {
        struct Interrupted: Error {}
        let before = try await store.allDigests()
        let partial = bytes(count: 5000, seed: 99)
        await #expect(throws: Interrupted.self) {
            _ = try await store.put { writer in
                try writer.write(partial)
                throw Interrupted()
            }
        }
        #expect(try await store.allDigests() == before)
        #expect(try await store.contains(Digest(of: partial)) == false)
    }

    /// Unknown and purged digests get distinct typed errors; purging keeps a tombstone.
    public static func missingAndPurgedArtifactsAreTyped(_ store: any ArtifactStore) async throws {
        let unknown = Digest(of: bytes(count: 3, seed: 12345))
        do {
            _ = try await store.read(unknown)
            Issue.record("reading an unknown digest succeeded")
        } catch let error as StorageError {
            #expect(error.code == .artifactNotFound)
        }
        let payload = bytes(count: 2048, seed: 3)
        let receipt = try await store.put(payload)
        try await store.purge(receipt.digest, reason: "GDPR erasure request 42")
        do {
            _ = try await store.read(receipt.digest)
            Issue.record("reading a purged artifact succeeded")
        } catch let error as StorageError {
            #expect(error.code == .artifactPurged)
            #expect(error.description.contains("GDPR erasure request 42"))
        }
        let info = try await store.info(receipt.digest)
        if case .purged(let reason, _) = info?.state {
            #expect(reason == "GDPR erasure request 42")
        } else {
            Issue.record("the purged artifact has no tombstone: \(String(describing: info))")
        }
        // Putting the bytes again restores them.
        _ = try await store.put(payload)
        #expect(try await store.read(receipt.digest) == payload)
    }

    /// Every check, each a test case of its own: pass them to a parameterized test.
    public static let checks: [ConformanceCheck<any ArtifactStore>] = [
        ConformanceCheck("put and read round-trip", putAndReadRoundTrip),
        ConformanceCheck("identical bytes are stored once", identicalBytesAreDeduplicated),
        ConformanceCheck("a failed streaming put stores nothing", failedStreamingPutStoresNothing),
        ConformanceCheck("missing and purged artifacts are typed errors", missingAndPurgedArtifactsAreTyped),
    ]
}
