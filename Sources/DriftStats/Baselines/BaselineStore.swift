import Foundation

/// Where streaming-profile baselines live: saved under a name, each save a new version, read
/// back by name (the latest) or by name and version.
///
/// Implementations: ``InMemoryBaselineStore`` (tests, one process) and ``SQLBaselineStore``
/// (SQLite or PostgreSQL through MLOpsStorage, shared by replicas). Seasonal baselines are
/// one name per season (``SeasonalBaseline/baselineName(_:period:season:)``).
public protocol BaselineStore: Sendable {
    /// Saves a profile as the next version of `name`.
    ///
    /// - Throws: ``DriftError`` for an empty name or a storage failure.
    func save(_ profile: DatasetProfile, as name: String, note: String?) async throws -> StoredBaseline

    /// The latest version of `name`.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/baselineNotFound``) when nothing is stored
    ///   under `name`.
    func latest(_ name: String) async throws -> StoredBaseline

    /// One version of `name`.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/baselineNotFound``) when that version does
    ///   not exist; ``DriftError/Code/invalidProfile`` when its stored bytes cannot be read.
    func baseline(_ name: String, version: Int) async throws -> StoredBaseline

    /// Every name with its latest version, by name.
    ///
    /// - Throws: A storage error when the store cannot be read.
    func list() async throws -> [BaselineSummary]
}

/// A stored baseline: a profile with its name, version and when it was saved.
public struct StoredBaseline: Sendable {
    /// The name it was saved under.
    public let name: String
    /// 1 for the first save under the name, then 2, 3, …
    public let version: Int
    /// When it was saved, in milliseconds since the Unix epoch.
    public let createdAt: Int64
    /// A free-text note ("training set of model 12").
    public let note: String?
    /// The profile.
    public let profile: DatasetProfile

    /// Creates a stored baseline.
    public init(name: String, version: Int, createdAt: Int64, note: String?, profile: DatasetProfile) {
        self.name = name
        self.version = version
        self.createdAt = createdAt
        self.note = note
        self.profile = profile
    }
}

/// One name in a ``BaselineStore``.
public struct BaselineSummary: Sendable, Hashable, Codable {
    /// The name.
    public let name: String
    /// Its latest version.
    public let latestVersion: Int
    /// When the latest version was saved (milliseconds since the Unix epoch).
    public let createdAt: Int64
    /// Rows profiled in the latest version.
    public let rowCount: Int

    /// Creates a summary.
    public init(name: String, latestVersion: Int, createdAt: Int64, rowCount: Int) {
        self.name = name
        self.latestVersion = latestVersion
        self.createdAt = createdAt
        self.rowCount = rowCount
    }
}

extension SeasonalBaseline {
    /// The baseline name for one season of `base`: "traffic@hour_of_week=14".
    public static func baselineName(_ base: String, period: Period, season: Int) -> String {
        "\(base)@\(period.rawValue)=\(season)"
    }
}

enum BaselineNames {
    static func validate(_ name: String) throws(DriftError) {
        guard !name.isEmpty, name.count <= 200, !name.contains(where: \.isNewline) else {
            throw DriftError(.invalidArgument, "A baseline name must be 1 to 200 characters on one line; got \(name.debugDescription.prefix(60))", fix: "name the baseline after its model and feature set, e.g. \"fraud-v3\".")
        }
    }

    static func notFound(_ name: String, version: Int? = nil) -> DriftError {
        DriftError(.baselineNotFound, "No baseline \(name.debugDescription)\(version.map { " version \($0)" } ?? "") is stored", fix: "save one first (mlops drift baseline save) or check the name with `mlops drift baseline list`.")
    }

    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
