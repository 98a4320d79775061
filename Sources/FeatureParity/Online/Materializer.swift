public import TensorCore

/// Loads offline feature values into an ``OnlineFeatureStore``, incrementally: each run takes
/// the offline rows with feature times after the view's watermark and up to `upTo`, keeps each
/// entity's latest, writes them and moves the watermark — all in one transaction, so a run that
/// crashes changes nothing and a run repeated after success writes nothing twice.
public struct Materializer: Sendable {
    /// The feature view (the online store's namespace for these features).
    public let view: String
    /// The entity key column of the offline table.
    public let key: String
    /// The feature-time column of the offline table.
    public let time: String

    /// A materializer of `view` from offline tables keyed by `key` and timed by `time`.
    public init(view: String, key: String, time: String) {
        self.view = view
        self.key = key
        self.time = time
    }

    /// What one run did.
    public struct Report: Sendable, Hashable, Codable {
        /// The watermark before the run (nil: the first run).
        public let previousWatermark: Double?
        /// The watermark after it.
        public let watermark: Double
        /// Offline rows inside (previous watermark, upTo].
        public let candidateRows: Int
        /// Entity rows written (new or newer).
        public let rowsWritten: Int
        /// How old the newest loaded value is at `now`, in seconds (the view's freshness).
        public let freshnessSeconds: Double?
        /// Feature columns left out because they hold times (the online store holds numbers and categories).
        public let skippedColumns: [String]
    }

    /// Runs once: loads the rows of `offline` after the watermark up to `upTo` (seconds).
    ///
    /// - Throws: ``FeatureParityError`` for missing columns or times; ``FeatureParityError/Code/watermarkMoved``
    ///   when another run moved the watermark meanwhile (run again); the store's errors (nothing
    ///   was changed then).
    public func run(_ offline: FeatureTable, upTo: Double, store: any OnlineFeatureStore, now: Double) async throws -> Report {
        guard let keyColumn = offline.column(named: key), let timeColumn = offline.column(named: time) else {
            throw FeatureParityError(.missingColumn, "The offline table needs the columns '\(key)' and '\(time)'", location: key, fix: "name the key and time columns.")
        }
        guard upTo.isFinite, abs(upTo) < TimeValues.latestSeconds else {
            throw FeatureParityError(.invalidArgument, "upTo \(upTo) is not a time", location: view, fix: "give seconds since the epoch, such as 1765000000.")
        }
        let previous = try await store.state(of: view)?.watermark
        guard upTo >= (previous ?? -.infinity) else {
            throw FeatureParityError(.invalidArgument, "upTo \(upTo) is before the watermark \(previous ?? 0)", location: view, fix: "materialize up to a later time.")
        }
        let (dictionary, codes) = try EntityKeys.codes(keyColumn, name: key, side: "offline features")
        let times = try TimeValues(timeColumn, name: time).microseconds
        let lower = previous.map { Int64(($0 * 1_000_000).rounded()) } ?? Int64.min
        let upper = Int64((upTo * 1_000_000).rounded())
        let features = zip(offline.columnNames, offline.columns).filter { $0.0 != key && $0.0 != time }
        // Numbers and categories go online; times do not (a feature is a number or a category).
        let skipped = features.filter { if case .timestamp = $0.1 { return true } else { return false } }.map(\.0)
        // Each entity's latest row inside (lower, upper]; ties: the later row in the table.
        var latest: [Int32: Int] = [:]
        var candidates = 0
        for row in 0..<offline.rowCount {
            let t = times[row]
            guard codes[row] >= 0, t != TimeValues.missing, t > lower, t <= upper else { continue }
            candidates += 1
            if let current = latest[codes[row]], times[current] > t { continue }
            latest[codes[row]] = row
        }
        let rows: [OnlineRow] = latest.sorted { $0.key < $1.key }.map { code, row in
            var values: [String: FeatureValue?] = [:]
            for (name, column) in features {
                // updateValue keeps a missing value as an explicit nil (a subscript set to nil removes the key).
                switch column {
                case .double(let c): values.updateValue(c.validity[row] ? .number(c.values[row]) : nil, forKey: name)
                case .categorical(let c): values.updateValue(c.codes[row] >= 0 ? .text(c.dictionary[Int(c.codes[row])]) : nil, forKey: name)
                case .timestamp: break
                }
            }
            return OnlineRow(entity: dictionary[Int(code)], featureTime: Double(times[row]) / 1_000_000, values: values)
        }
        let written = try await store.materialize(view: view, rows: rows, watermark: upTo, expectedWatermark: previous, now: now)
        let newest = try await store.state(of: view)?.latestFeatureTime
        return Report(
            previousWatermark: previous, watermark: upTo, candidateRows: candidates, rowsWritten: written, freshnessSeconds: newest.map { now - $0 },
            skippedColumns: skipped)
    }
}
