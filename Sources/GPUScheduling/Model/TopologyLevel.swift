/// A level of the cluster's topology, from one node to the whole cluster.
///
/// Placement keeps a job's workers inside the smallest level that can hold them (a node, then an
/// NVLink island, a rack, a zone); a job may also *require* a level (``JobSpec/colocation``).
public enum TopologyLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// One machine.
    case node
    /// A fast-interconnect group (NVLink/NVSwitch domain).
    case island
    /// A rack.
    case rack
    /// A zone (a data-centre hall or availability zone).
    case zone
    /// Anywhere in the cluster.
    case cluster

    var depth: Int {
        switch self {
        case .node: 0
        case .island: 1
        case .rack: 2
        case .zone: 3
        case .cluster: 4
        }
    }

    /// Narrower levels compare less.
    public static func < (lhs: TopologyLevel, rhs: TopologyLevel) -> Bool { lhs.depth < rhs.depth }
}
