public import Foundation
public import TensorCore

/// Streaming profiles of a dataset's columns: a baseline to store, or a window of traffic to
/// compare with it (``ProfileComparison``).
///
/// ```swift
/// var profile = try DatasetProfile(schema: [("amount", .double), ("country", .categorical)])
/// profile.update(column: 0, 12.5)
/// profile.update(column: 1, "DE")
/// let data = try profile.encoded()          // store it
/// ```
///
/// A timestamp column is profiled as its seconds since the Unix epoch, and compared for
/// freshness, not drift (as ``DriftAnalyzer`` does).
public struct DatasetProfile: Sendable, Codable {
    /// The format version of ``encoded()``.
    public static let formatVersion = 1

    /// Column names, in schema order.
    public let columnNames: [String]
    /// One profile per column, in schema order.
    public private(set) var columns: [ColumnProfile]
    /// The sketch sizes every column uses.
    public private(set) var settings: ProfileSettings

    /// An empty profile for a schema.
    ///
    /// - Throws: ``DriftError`` for duplicate names or sketch settings out of range.
    public init(schema: [(name: String, kind: ColumnKind)], settings: ProfileSettings = ProfileSettings()) throws(DriftError) {
        var seen = Set<String>()
        for (name, _) in schema where !seen.insert(name).inserted {
            throw DriftError(.invalidArgument, "The profile schema names column '\(name)' twice", fix: "give every column one entry.")
        }
        columnNames = schema.map(\.name)
        var columns: [ColumnProfile] = []
        for entry in schema {
            columns.append(try ColumnProfile(kind: entry.kind, settings: settings, column: entry.name))
        }
        self.columns = columns
        self.settings = settings
    }

    /// The profile of a whole table (its schema and every row).
    public init(profiling table: FeatureTable, settings: ProfileSettings = ProfileSettings()) throws(DriftError) {
        try self.init(schema: zip(table.columnNames, table.columnKinds).map { ($0, $1) }, settings: settings)
        update(table)
    }

    /// An empty profile of the same schema and settings, with storage of its own (so the
    /// first updates copy nothing).
    func emptyCopy() throws(DriftError) -> DatasetProfile {
        try DatasetProfile(schema: zip(columnNames, columns.map(\.kind)).map { (name: $0, kind: $1) }, settings: settings)
    }

    /// An empty copy whose sketches flip their own coins (`seed`), for a profile that will be
    /// merged with others: the sketches' error bounds assume the coins of merged sketches are
    /// independent. The copy's ``settings`` still name this profile's seed.
    func emptyCopy(coinSeed seed: UInt64) throws(DriftError) -> DatasetProfile {
        var seeded = settings
        seeded.seed = seed
        var copy = try DatasetProfile(schema: zip(columnNames, columns.map(\.kind)).map { (name: $0, kind: $1) }, settings: seeded)
        copy.settings = settings
        return copy
    }

    /// Rows seen (the most any column saw).
    public var rowCount: Int { columns.map(\.rowCount).max() ?? 0 }

    /// The index of a column, by name.
    public func index(of name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }

    /// The profile of a column, by name.
    public func column(named name: String) -> ColumnProfile? {
        index(of: name).map { columns[$0] }
    }

    // MARK: - Updates

    /// Adds a number to the column at `index` (in schema order; an index out of range is ignored).
    public mutating func update(column index: Int, _ value: Double) {
        guard columns.indices.contains(index) else { return }
        columns[index].update(value)
    }

    /// Adds a category to the column at `index` (nil: missing).
    public mutating func update(column index: Int, _ category: String?) {
        guard columns.indices.contains(index) else { return }
        columns[index].update(category)
    }

    /// Adds a batch of numbers to the column at `index`.
    public mutating func update(column index: Int, contentsOf values: UnsafeBufferPointer<Double>) {
        guard columns.indices.contains(index) else { return }
        columns[index].update(contentsOf: values)
    }

    /// Adds the rows of a table, column by column by name; a profiled column the table lacks
    /// counts all its rows as missing, and columns the profile does not know are ignored.
    public mutating func update(_ table: FeatureTable) {
        for index in columns.indices {
            if let column = table.column(named: columnNames[index]) {
                columns[index].update(column)
            } else {
                columns[index].updateMissing(count: table.rowCount)
            }
        }
    }

    /// Folds another profile of the same schema and settings into this one (another replica,
    /// another window).
    ///
    /// - Throws: ``DriftError`` when the schemas or settings differ.
    public mutating func merge(_ other: DatasetProfile) throws(DriftError) {
        guard columnNames == other.columnNames else {
            throw DriftError(.invalidArgument, "The profiles have different columns (\(columnNames) and \(other.columnNames))", fix: "merge profiles built from one schema.")
        }
        for index in columns.indices {
            try columns[index].merge(other.columns[index])
        }
    }

    // MARK: - Storage form

    /// The profile as JSON (sketches in their own Codable forms), for a ``BaselineStore``.
    public func encoded() throws(DriftError) -> Data {
        do {
            return try JSONEncoder().encode(Stored(version: Self.formatVersion, profile: self))
        } catch {
            throw DriftError(.invalidArgument, "The profile could not be encoded: \(error)")
        }
    }

    /// Reads a profile written by ``encoded()``.
    ///
    /// - Throws: ``DriftError`` (``DriftError/Code/invalidProfile``) naming what is wrong when
    ///   the data is not a profile or comes from a newer format.
    public init(encoded data: Data) throws(DriftError) {
        let stored: Stored
        do {
            stored = try JSONDecoder().decode(Stored.self, from: data)
        } catch {
            throw DriftError(.invalidProfile, "The data is not a stored profile: \(error)", fix: "pass bytes written by DatasetProfile.encoded().")
        }
        guard stored.version <= Self.formatVersion else {
            throw DriftError(.invalidProfile, "The profile has format \(stored.version); this build reads up to \(Self.formatVersion)", fix: "upgrade swift-mlops to read it.")
        }
        guard stored.profile.columnNames.count == stored.profile.columns.count else {
            throw DriftError(.invalidProfile, "The stored profile names \(stored.profile.columnNames.count) columns but holds \(stored.profile.columns.count)")
        }
        guard Set(stored.profile.columnNames).count == stored.profile.columnNames.count else {
            throw DriftError(.invalidProfile, "The stored profile names a column twice", fix: "re-save the baseline from its data.")
        }
        for (name, column) in zip(stored.profile.columnNames, stored.profile.columns) {
            let (_, overflow) = column.missing.addingReportingOverflow(column.presentCount)
            guard column.missing >= 0, !overflow else {
                throw DriftError(.invalidProfile, "The stored profile's column '\(name)' has an impossible missing count (\(column.missing))", fix: "re-save the baseline from its data.")
            }
        }
        self = stored.profile
    }

    private struct Stored: Codable {
        let version: Int
        let profile: DatasetProfile
    }
}
