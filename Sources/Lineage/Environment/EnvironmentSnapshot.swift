/// What a run ran on and with: code version, toolchain, machine, seeds and chosen environment
/// variables. Enough to rebuild the run, and nothing secret.
public struct EnvironmentSnapshot: Sendable, Hashable, Codable {
    /// The git commit of the working tree, when it is a git checkout.
    public var gitCommit: String?
    /// Whether the working tree had uncommitted changes (then the commit alone does not rebuild the code).
    public var gitDirty: Bool?
    /// The Swift language version the program was built with, e.g. `6.3`.
    public var swiftVersion: String?
    /// The operating system, e.g. `Linux 6.1.0 (Debian GNU/Linux 12)`.
    public var operatingSystem: String?
    /// The CPU model and core count.
    public var cpu: String?
    /// The GPUs, when any were found.
    public var gpus: [String]
    /// Resolved package versions (`Package.resolved`), name → version or revision.
    public var packages: [String: String]
    /// The random seeds the run used, by purpose (`data-split`, `init`...).
    public var seeds: [String: UInt64]
    /// Environment variables chosen for recording (never secrets; see ``EnvironmentCapture``).
    public var variables: [String: String]

    /// Creates a snapshot.
    public init(
        gitCommit: String? = nil, gitDirty: Bool? = nil, swiftVersion: String? = nil, operatingSystem: String? = nil,
        cpu: String? = nil, gpus: [String] = [], packages: [String: String] = [:], seeds: [String: UInt64] = [:],
        variables: [String: String] = [:]
    ) {
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.swiftVersion = swiftVersion
        self.operatingSystem = operatingSystem
        self.cpu = cpu
        self.gpus = gpus
        self.packages = packages
        self.seeds = seeds
        self.variables = variables
    }
}
