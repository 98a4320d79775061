public import Foundation

/// What ``FileSystemArtifactStore/inspect(staleAfter:)`` found in a store's folder, beyond the
/// artifacts themselves: leftovers of interrupted work and files that do not belong.
///
/// `mlops store check` prints it; ``problems`` says each finding as a sentence with its fix.
public struct ArtifactStoreInspection: Sendable, Hashable, Codable {
    /// A file in the store's `tmp/` folder (or a marker being written): a put, purge or store
    /// creation in progress, or the remains of one that was killed.
    public struct TemporaryFile: Sendable, Hashable, Codable {
        /// The file's path.
        public let path: String
        /// Its size in bytes.
        public let size: Int64
        /// When it was last written.
        public let modifiedAt: Date
        /// Whether it is older than the grace period: left by a process that died (`kill -9`,
        /// a crash, a power loss), since a put in progress writes to its file all the time.
        public let isStale: Bool
    }

    /// The store's folder.
    public let root: String
    /// How many artifacts are stored.
    public let storedCount: Int
    /// Temporary files, stale or in progress, oldest first.
    public let temporaryFiles: [TemporaryFile]
    /// Artifacts whose bytes and tombstone are both present: a purge that was interrupted after
    /// its tombstone was written. Purge them again to finish, or put them again to keep them.
    public let interruptedPurges: [Digest]
    /// Files under `objects/` that are not named by a digest, or sit in the wrong folder.
    public let unexpectedFiles: [String]
    /// The grace period after which a temporary file counts as stale.
    public let gracePeriod: Duration

    /// The stale temporary files.
    public var staleTemporaryFiles: [TemporaryFile] { temporaryFiles.filter(\.isStale) }

    /// Each finding that needs attention as a sentence with its fix; empty when the folder is tidy.
    /// Temporary files younger than the grace period are work in progress, not problems.
    public var problems: [String] {
        var problems: [String] = []
        let stale = staleTemporaryFiles
        if !stale.isEmpty {
            var bytes: Int64 = 0
            for file in stale { bytes += file.size }
            let files = stale.count == 1 ? "1 stale temporary file" : "\(stale.count) stale temporary files"
            problems.append(
                "\(files) (\(bytes) bytes) in \(root), left by interrupted puts or purges; they are removed the next time the store is opened for writing, or by removeStaleTemporaryFiles()")
        }
        for digest in interruptedPurges {
            problems.append("artifact \(digest) has both its bytes and a tombstone (an interrupted purge); purge it again to finish, or put it again to keep it")
        }
        for path in unexpectedFiles {
            problems.append("\(path) is not an artifact of this store; move it out of \(root)")
        }
        return problems
    }

    /// Creates an inspection (stores make these; tests and other implementations may too).
    ///
    /// - Parameters:
    ///   - root: The store's folder.
    ///   - storedCount: How many artifacts are stored.
    ///   - temporaryFiles: Temporary files, oldest first.
    ///   - interruptedPurges: Artifacts with both bytes and a tombstone.
    ///   - unexpectedFiles: Files that do not belong under `objects/`.
    ///   - gracePeriod: The age after which a temporary file counts as stale.
    public init(
        root: String, storedCount: Int, temporaryFiles: [TemporaryFile], interruptedPurges: [Digest],
        unexpectedFiles: [String], gracePeriod: Duration
    ) {
        self.root = root
        self.storedCount = storedCount
        self.temporaryFiles = temporaryFiles
        self.interruptedPurges = interruptedPurges
        self.unexpectedFiles = unexpectedFiles
        self.gracePeriod = gracePeriod
    }
}
