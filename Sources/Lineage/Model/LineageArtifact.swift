public import MLOpsStorage

/// An artifact as Lineage knows it: content digest, what it is, and a name for people.
///
/// The bytes live in an `ArtifactStore` under the same digest; Lineage records which runs read
/// and wrote them.
public struct LineageArtifact: Sendable, Hashable, Codable {
    /// The SHA-256 of the bytes.
    public var digest: Digest
    /// What the artifact is.
    public var kind: ArtifactKind
    /// A name for people, e.g. `transactions-2026-11.csv`.
    public var name: String
    /// The length of the bytes, when known (JSON `null` when not: the shape never depends on it).
    @ExplicitNull public var size: Int64?
    /// Where the bytes can be found outside the artifact store, when they live elsewhere (JSON
    /// `null` when not).
    @ExplicitNull public var uri: String?

    /// Creates an artifact record.
    public init(digest: Digest, kind: ArtifactKind, name: String, size: Int64? = nil, uri: String? = nil) {
        self.digest = digest
        self.kind = kind
        self.name = name
        self.size = size
        self.uri = uri
    }
}

/// Whether a run read or wrote an artifact.
public enum ArtifactDirection: String, Sendable, Hashable, Codable, CaseIterable {
    /// The run read it (an MLMD input event).
    case input
    /// The run produced it (an MLMD output event).
    case output
}

/// One edge of the provenance graph: a run read or wrote an artifact, in a named role.
public struct ArtifactEdge: Sendable, Hashable, Codable {
    /// The run.
    public var runID: RunID
    /// The artifact's digest.
    public var digest: Digest
    /// Read or written.
    public var direction: ArtifactDirection
    /// The role, e.g. `training-data`, `validation-data`, `model`.
    public var role: String
    /// What the artifact is.
    public var kind: ArtifactKind

    /// Creates an edge.
    public init(runID: RunID, digest: Digest, direction: ArtifactDirection, role: String, kind: ArtifactKind) {
        self.runID = runID
        self.digest = digest
        self.direction = direction
        self.role = role
        self.kind = kind
    }
}
