/// Where a version stands. Only a ``ready`` version can be promoted; quarantine and purge are
/// one-way.
public struct VersionStatus: Sendable, Hashable, RawRepresentable, Codable, CustomStringConvertible {
    /// The status's stable name.
    public let rawValue: String

    /// Creates a status from its name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Registered and usable (MLflow's `READY`).
    public static let ready = VersionStatus(rawValue: "ready")
    /// Held back: kept for the record, never promoted again.
    public static let quarantined = VersionStatus(rawValue: "quarantined")
    /// Its artifact and sensitive metadata are gone; a tombstone and the audit trail remain.
    public static let purged = VersionStatus(rawValue: "purged")

    public var description: String { rawValue }
}
