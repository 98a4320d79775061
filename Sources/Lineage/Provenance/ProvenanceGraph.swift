public import MLOpsStorage

/// The part of the provenance graph reachable from one artifact, upward (ancestors) or downward
/// (descendants): runs, artifacts and the read/write edges between them.
public struct ProvenanceGraph: Sendable, Hashable, Codable {
    /// A run in the graph.
    public struct RunNode: Sendable, Hashable, Codable {
        /// The run's identifier.
        public var id: RunID
        /// Its name.
        public var name: String
        /// Its experiment.
        public var experiment: String
        /// Its status.
        public var status: RunStatus
    }

    /// The artifact the walk started from.
    public var root: Digest
    /// The runs reached.
    public var runs: [RunNode]
    /// The artifacts reached: the root (when any run recorded it) and, upward, every input of a
    /// run reached (what the root came from), or downward, every output (what came from it). A
    /// run's other outputs upward (a sibling of what the walk came through) and its other inputs
    /// downward are not part of the answer.
    public var artifacts: [LineageArtifact]
    /// The edges the walk went through: upward, each run's reads and its writes of reached
    /// artifacts; downward, each run's writes and its reads of reached artifacts.
    public var edges: [ArtifactEdge]

    /// Creates a graph.
    public init(root: Digest, runs: [RunNode], artifacts: [LineageArtifact], edges: [ArtifactEdge]) {
        self.root = root
        self.runs = runs.sorted { $0.id < $1.id }
        self.artifacts = artifacts.sorted { $0.digest < $1.digest }
        self.edges = edges.sorted { ($0.runID, $0.digest.hex, $0.direction.rawValue) < ($1.runID, $1.digest.hex, $1.direction.rawValue) }
    }

    /// The artifacts of one kind, e.g. every dataset an artifact came from.
    public func artifacts(of kind: ArtifactKind) -> [LineageArtifact] {
        artifacts.filter { $0.kind == kind }
    }

    /// Walks `edges` from `root`: up means "which run wrote this, and what did it read", down
    /// means "which run read this, and what did it write". Shared by every store implementation
    /// that holds edges in memory.
    static func walk(from root: Digest, upward: Bool, edges: [ArtifactEdge]) -> (runs: Set<RunID>, digests: Set<Digest>, edges: [ArtifactEdge]) {
        var byDigest: [Digest: [ArtifactEdge]] = [:]
        var byRun: [RunID: [ArtifactEdge]] = [:]
        for edge in edges {
            byDigest[edge.digest, default: []].append(edge)
            byRun[edge.runID, default: []].append(edge)
        }
        var digests: Set<Digest> = [root]
        var runs: Set<RunID> = []
        var frontier = [root]
        let arriving: ArtifactDirection = upward ? .output : .input
        let leaving: ArtifactDirection = upward ? .input : .output
        while let digest = frontier.popLast() {
            for edge in byDigest[digest] ?? [] where edge.direction == arriving && runs.insert(edge.runID).inserted {
                for next in byRun[edge.runID] ?? [] where next.direction == leaving && digests.insert(next.digest).inserted {
                    frontier.append(next.digest)
                }
            }
        }
        let reached = runs.flatMap { byRun[$0] ?? [] }
        return (runs, digests, keptEdges(reached, reached: digests, upward: upward))
    }

    /// Of the reached runs' edges, those the walk goes through: every edge leaving a run (its
    /// reads upward, its writes downward), and an arriving edge only when its artifact was
    /// reached. Shared by every store so each answers alike.
    static func keptEdges(_ edges: [ArtifactEdge], reached digests: Set<Digest>, upward: Bool) -> [ArtifactEdge] {
        let leaving: ArtifactDirection = upward ? .input : .output
        return edges.filter { $0.direction == leaving || digests.contains($0.digest) }
    }
}
