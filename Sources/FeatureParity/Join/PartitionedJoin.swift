import MLOpsStorage
import Foundation
import TensorCore

/// The partitioned form of a file join (see
/// ``PointInTimeJoin/joinFiles(events:features:output:partitions:spillFolder:)``): split both
/// files by entity into spill files, join each partition in memory, merge the rows back into
/// the events' order.
///
/// Hand-written because no package we use spills tables to disk; the pieces it reuses are
/// TensorCore's chunked readers, row encoder and buffered writer, and the in-memory join itself,
/// so a partition's rows are exactly what the whole join gives them.
struct PartitionedJoin {
    let join: PointInTimeJoin
    let partitions: Int
    /// Rows per chunk while splitting: bounds the memory of the split.
    var chunkRows = 65_536

    init(join: PointInTimeJoin, partitions: Int) {
        self.join = join
        self.partitions = partitions
    }

    /// The folder's files: spills of both inputs, each partition's output rows, and the order
    /// file (the partition of every event row, two bytes each, in file order).
    struct Layout {
        let folder: String
        let outputExtension: String
        func events(_ p: Int) -> String { "\(folder)/events-\(p).csv" }
        func features(_ p: Int) -> String { "\(folder)/features-\(p).csv" }
        func joined(_ p: Int) -> String { "\(folder)/joined-\(p).\(outputExtension)" }
        var order: String { "\(folder)/order.bin" }
    }

    mutating func run(events: String, features: String, output: String, spillFolder: String?) throws(FeatureParityError) -> JoinReport {
        try Self.makeRoomForOpenFiles(partitions + 16)
        let parent = spillFolder ?? PathText.folder(of: output)
        let spillParent = parent.isEmpty ? "." : parent
        Self.removeAbandonedSpillFolders(in: spillParent)
        let folder = "\(spillParent)/\(Self.spillPrefix)\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        } catch {
            throw FeatureParityError(.fileError, "Cannot create the spill folder: \(FileWriteProblem.describe(folder, error))", location: folder, fix: "choose an existing, writable spill folder.")
        }
        // Held until the folder is gone (the descriptor is closed after the removal below).
        let lock = Self.lockSpillFolder(folder)
        defer { if lock >= 0 { close(lock) } }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let format = TableRowEncoder.Format(path: output)
        let layout = Layout(folder: folder, outputExtension: format == .jsonLines ? "jsonl" : "csv")

        // 1. Split: every row of an entity into the same partition.
        try requireColumns(events: events, features: features)
        let eventKinds = try join.readEvents(events) { schema, late throws(FeatureParityError) in
            try split(events, schema: schema, lateKeys: late, times: [join.eventTime], into: layout.events, order: layout.order)
        }
        let featureKinds = try join.readFeatures(features) { schema, late throws(FeatureParityError) in
            try split(features, schema: schema, lateKeys: late, times: [join.featureTime] + (join.createdTime.map { [$0] } ?? []), into: layout.features, order: nil)
        }

        // 2. Join each partition in memory; its rows go to a file in the output's format.
        var reports: [JoinReport] = []
        var outputNames: [String] = []
        for p in 0..<partitions {
            let eventTable = try TableInput.readAll(layout.events(p), schema: eventKinds)
            let featureTable = try TableInput.readAll(layout.features(p), schema: featureKinds)
            let (table, report) = try join.join(events: eventTable, features: featureTable)
            outputNames = table.columnNames
            try writing(layout.joined(p)) { () throws(TableError) in
                let file = try BufferedFileWriter(path: layout.joined(p), atomic: false)
                var encoder = TableRowEncoder(table, format: format)
                for row in 0..<table.rowCount {
                    try file.withBuffer { buffer in encoder.append(row: row, to: &buffer) }
                }
                try file.finish()
            }
            reports.append(report)
        }

        // 3. Merge the partitions' rows back into the events' order.
        let file = try writing(output) { () throws(TableError) in
            let file = try BufferedFileWriter(path: output)
            try file.append(TableRowEncoder.header(outputNames, format: format))
            return file
        }
        try Self.merge(layout: layout, partitions: partitions, quoted: format == .csv, into: file)
        try writing(output) { () throws(TableError) in try file.finish() }
        return JoinReport(combining: reports)
    }

    /// Checks the key and time columns are there before any file is split.
    private func requireColumns(events: String, features: String) throws(FeatureParityError) {
        let eventColumns = try TableInput.columnNames(events)
        let featureColumns = try TableInput.columnNames(features)
        for (name, columns, side) in [(join.key, eventColumns, "events"), (join.eventTime, eventColumns, "events"), (join.key, featureColumns, "features"), (join.featureTime, featureColumns, "features")]
            + (join.createdTime.map { [($0, featureColumns, "features")] } ?? []) where !columns.contains(name) {
            throw FeatureParityError.missingColumn(name, side: side, has: columns)
        }
    }

    /// Splits `path` into one spill file per partition (CSV, with a header) by the key's hash;
    /// with `order`, records each row's partition there.
    ///
    /// - Returns: The kind of every column, to read the spills back exactly as the file reads.
    private func split(
        _ path: String, schema: [String: ColumnKind], lateKeys: Set<String>, times: [String], into spill: (Int) -> String, order: String?
    ) throws(FeatureParityError) -> [String: ColumnKind] {
        let input = try TableInput(path: path, schema: schema, lateKeys: lateKeys, times: Set(times))
        // A JSON Lines reader learns its columns from the first chunk.
        var names = input.columnNames
        var keyIndex = names.firstIndex(of: join.key) ?? 0
        let bufferSize = max(16 << 10, min(1 << 20, (64 << 20) / partitions))
        var files: [BufferedFileWriter] = []
        var orderFile: BufferedFileWriter?
        var kinds: [ColumnKind]?
        try writing(spill(0)) { () throws(TableError) in
            for p in 0..<partitions { files.append(try BufferedFileWriter(path: spill(p), atomic: false, bufferSize: bufferSize)) }
            orderFile = try order.map { path throws(TableError) in try BufferedFileWriter(path: path, atomic: false) }
        }
        var partitionOfRow: [UInt16] = []
        var rowsBefore = 0
        while let chunk = try input.nextChunk(maxRows: chunkRows) {
            if kinds == nil {
                names = chunk.columnNames
                // The spills are CSV with a header: an empty name would come back as `columnN`.
                if names.contains("") {
                    throw FeatureParityError(
                        .invalidArgument, "\(path) has a column with an empty name, which a partitioned join cannot carry", location: path,
                        fix: "name the column, or join in memory (--partitions 1).")
                }
                keyIndex = names.firstIndex(of: join.key) ?? 0
                kinds = chunk.columns.map(\.kind)
                try writing(spill(0)) { () throws(TableError) in
                    for file in files { try file.append(TableRowEncoder.header(names, format: .csv)) }
                }
            }
            // Times are checked here, where the file's row numbers are known, exactly as the
            // join in memory checks them (a partition would name its own rows), and so that a
            // time past the year 9999 never reaches a spill file.
            for name in times {
                guard let column = chunk.column(named: name) else { continue }
                do {
                    _ = try TimeValues(column, name: name)
                } catch {
                    throw PointInTimeJoin.located(Self.shifted(error, byRows: rowsBefore), in: path)
                }
            }
            rowsBefore += chunk.rowCount
            // Each distinct key is hashed once per chunk; rows without a key go to partition 0.
            guard case .categorical(let keys) = chunk.columns[keyIndex] else {
                throw FeatureParityError(.missingColumn, "The key column '\(join.key)' of \(path) is not text", location: join.key)
            }
            let partitionOfCode = keys.dictionary.map { UInt16(truncatingIfNeeded: Self.partition(of: $0, among: partitions)) }
            partitionOfRow.removeAll(keepingCapacity: true)
            for code in keys.codes { partitionOfRow.append(code >= 0 ? partitionOfCode[Int(code)] : 0) }
            var encoder = TableRowEncoder(chunk, format: .csv)
            try writing(spill(0)) { () throws(TableError) in
                for (row, p) in partitionOfRow.enumerated() {
                    try files[Int(p)].withBuffer { buffer in encoder.append(row: row, to: &buffer) }
                }
                try orderFile?.withBuffer { buffer in
                    for p in partitionOfRow {
                        buffer.append(UInt8(truncatingIfNeeded: p))
                        buffer.append(UInt8(truncatingIfNeeded: p >> 8))
                    }
                }
            }
        }
        // A file with no rows: its columns as text, apart from the forced ones.
        let finalKinds = kinds ?? names.map { schema[$0] ?? .categorical }
        try writing(spill(0)) { () throws(TableError) in
            if kinds == nil {
                for file in files { try file.append(TableRowEncoder.header(names, format: .csv)) }
            }
            for file in files { try file.finish() }
            try orderFile?.finish()
        }
        return Dictionary(zip(names, finalKinds), uniquingKeysWith: { first, _ in first })
    }

    /// The partition of a key: its Swift hash, scaled to the count. Swift's hash agrees with
    /// `String`'s `==`, as the join's key matching does (canonically equivalent keys, such as a
    /// composed and a decomposed "é", are one entity there and so land in one partition); it is
    /// seeded per process, which is all a partitioning inside one run needs.
    static func partition(of key: String, among count: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(bitPattern: Int64(key.hashValue)).multipliedFullWidth(by: UInt64(count)).high)
    }

    /// `error` with a "row N" location moved down by `rows` (a chunk's rows counted from the
    /// file's start).
    static func shifted(_ error: FeatureParityError, byRows rows: Int) -> FeatureParityError {
        guard let location = error.location, location.hasPrefix("row "), let row = Int(location.dropFirst(4)) else { return error }
        var moved = error
        moved.location = "row \(row + rows)"
        return moved
    }

    /// Copies the partitions' rows to `file` in the order the order file gives.
    private static func merge(layout: Layout, partitions: Int, quoted: Bool, into file: BufferedFileWriter) throws(FeatureParityError) {
        var readers: [RecordReader] = []
        for p in 0..<partitions { readers.append(try RecordReader(path: layout.joined(p), quoted: quoted)) }
        let order = try RecordReader(path: layout.order, quoted: false)
        var pairs: [UInt8] = []
        var rows: [UInt8] = []
        while try order.readBytes(upTo: 1 << 16, into: &pairs) {
            var i = 0
            while i + 1 < pairs.count {
                let p = Int(pairs[i]) | Int(pairs[i + 1]) << 8
                i += 2
                guard p < partitions else { throw FeatureParityError(.fileError, "The order file of the join is damaged", location: layout.order) }
                guard try readers[p].copyRecord(into: &rows) else {
                    throw FeatureParityError(.fileError, "Partition \(p) of the join ended early", location: layout.joined(p), fix: "rerun the join; check free disk space.")
                }
            }
            try writing(file.path) { () throws(TableError) in try file.append(rows) }
            rows.removeAll(keepingCapacity: true)
            pairs.removeFirst(i)
        }
        guard pairs.isEmpty else { throw FeatureParityError(.fileError, "The order file of the join is damaged", location: layout.order) }
        var extra: [UInt8] = []
        for p in 0..<partitions where try readers[p].copyRecord(into: &extra) {
            throw FeatureParityError(.fileError, "Partition \(p) of the join has more rows than the events", location: layout.joined(p))
        }
    }
}

extension PartitionedJoin {
    /// How a spill folder's name begins.
    static let spillPrefix = ".mlops-join-"

    /// How long a spill folder's free lock must be old before a later join takes the folder for
    /// a killed join's: a join creates its lock file and locks it a moment later.
    static let unlockedGrace: TimeInterval = 10

    /// Takes the lock that marks `folder` as in use: an exclusive `flock` on its `lock` file,
    /// held by the open descriptor returned. When it cannot be taken, the lock file is removed
    /// (-1 is returned) and the folder counts as in use for an hour, as one without a lock does.
    static func lockSpillFolder(_ folder: String) -> Int32 {
        let fd = open("\(folder)/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return -1 }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            unlink("\(folder)/lock")
            return -1
        }
        return fd
    }

    /// Removes the spill folders in `parent` that joins killed before they could clean up left
    /// behind: a folder whose lock no process holds (a process's `flock` ends with it) and whose
    /// lock file is more than ``unlockedGrace`` old, or one without a lock file once an hour old
    /// (killed before it took the lock, or made by an older build). Folders of joins still
    /// running are left alone.
    static func removeAbandonedSpillFolders(in parent: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for name in names where name.hasPrefix(spillPrefix) {
            let folder = "\(parent)/\(name)"
            var info = stat()
            guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            let fd = open("\(folder)/lock", O_RDWR | O_CLOEXEC)
            if fd >= 0 {
                if flock(fd, LOCK_EX | LOCK_NB) == 0, modified(folder + "/lock", before: unlockedGrace) {
                    try? FileManager.default.removeItem(atPath: folder)
                }
                close(fd)
            } else if errno == ENOENT, modified(folder, before: 3600) {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
    }

    /// Whether the file at `path` was last modified more than `seconds` ago.
    private static func modified(_ path: String, before seconds: TimeInterval) -> Bool {
        guard let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return false }
        return date < Date(timeIntervalSinceNow: -seconds)
    }

    /// Raises the process's soft limit on open files to `needed` when it is lower (up to the
    /// hard limit): the split and the merge hold one file per partition open at once.
    ///
    /// - Throws: ``FeatureParityError/Code/invalidArgument`` when even the hard limit is lower.
    static func makeRoomForOpenFiles(_ needed: Int) throws(FeatureParityError) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        guard limit.rlim_cur < rlim_t(needed) else { return }
        if limit.rlim_max >= rlim_t(needed) {
            var raised = limit
            raised.rlim_cur = rlim_t(needed)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return }
        }
        throw FeatureParityError(
            .invalidArgument, "A join in \(needed - 16) partitions needs \(needed) open files; this process may open \(limit.rlim_max)", location: "partitions",
            fix: "use fewer partitions (or a larger --memory-limit), or raise the open-file limit (ulimit -n).")
    }
}

/// Runs `body`, turning a ``TableError`` into a ``FeatureParityError/Code/fileError`` about `path`.
func writing<Result>(_ path: String, _ body: () throws(TableError) -> Result) throws(FeatureParityError) -> Result {
    do {
        return try body()
    } catch {
        throw FeatureParityError(.fileError, "Cannot write \(path): \(error)", location: path, fix: "check that its folder exists, may be written, and has room.")
    }
}

extension JoinReport {
    /// The report of a join done in parts over disjoint entities: counts summed.
    init(combining parts: [JoinReport]) {
        func sum(_ value: (JoinReport) -> Int) -> Int { parts.reduce(0) { $0 + value($1) } }
        let names = parts.first?.features.map(\.name) ?? []
        self.init(
            events: sum(\.events), featureRows: sum(\.featureRows), matchedEvents: sum(\.matchedEvents),
            eventsWithoutEntity: sum(\.eventsWithoutEntity), eventsWithoutKey: sum(\.eventsWithoutKey), eventsWithoutTime: sum(\.eventsWithoutTime),
            eventsWithoutEarlierValue: sum(\.eventsWithoutEarlierValue), eventsOutsideTTL: sum(\.eventsOutsideTTL),
            backfilledRowsSkipped: sum(\.backfilledRowsSkipped), featureRowsWithoutKeyOrTime: sum(\.featureRowsWithoutKeyOrTime),
            duplicateFeatureRows: sum(\.duplicateFeatureRows), entities: sum(\.entities),
            eventTimeFormats: .init(iso8601: sum(\.eventTimeFormats.iso8601), epochSeconds: sum(\.eventTimeFormats.epochSeconds)),
            featureTimeFormats: .init(iso8601: sum(\.featureTimeFormats.iso8601), epochSeconds: sum(\.featureTimeFormats.epochSeconds)),
            ttl: parts.first?.ttl,
            features: names.enumerated().map { index, name in Feature(name: name, missing: sum { $0.features[index].missing }) })
    }
}
