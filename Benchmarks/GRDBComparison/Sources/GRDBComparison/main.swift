import Foundation
import GRDB
import CSQLite

let rows = 100_000
let repetitions = 7
let folder = NSTemporaryDirectory() + "grdb-comparison-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

let clock = ContinuousClock()
var grdbTimes: [Double] = []
var rawTimes: [Double] = []
for repetition in 0..<repetitions {
    // GRDB: a DatabasePool (WAL), cached statement, one write transaction.
    var configuration = Configuration()
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    let pool = try DatabasePool(path: "\(folder)/grdb-\(repetition).sqlite", configuration: configuration)
    try pool.write { db in try db.execute(sql: "CREATE TABLE bench (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL)") }
    var start = clock.now
    try pool.write { db in
        let statement = try db.cachedStatement(sql: "INSERT INTO bench (id, name, value) VALUES (?, ?, ?)")
        for index in 0..<rows {
            try statement.execute(arguments: [index, "name-\(index % 1000)", Double(index) * 0.5])
        }
    }
    grdbTimes.append(seconds(clock.now - start))
    try pool.close()

    // The raw C API, exactly as in Benchmarks/Sources/MLOpsBenchmarks/StorageCases.swift.
    var handle: OpaquePointer?
    sqlite3_open("\(folder)/raw-\(repetition).sqlite", &handle)
    sqlite3_exec(handle, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE bench (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL)", nil, nil, nil)
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    start = clock.now
    var statement: OpaquePointer?
    sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil)
    sqlite3_prepare_v2(handle, "INSERT INTO bench (id, name, value) VALUES (?, ?, ?)", -1, &statement, nil)
    for index in 0..<rows {
        sqlite3_bind_int64(statement, 1, Int64(index))
        sqlite3_bind_text(statement, 2, "name-\(index % 1000)", -1, transient)
        sqlite3_bind_double(statement, 3, Double(index) * 0.5)
        sqlite3_step(statement)
        sqlite3_reset(statement)
    }
    sqlite3_finalize(statement)
    sqlite3_exec(handle, "COMMIT", nil, nil, nil)
    rawTimes.append(seconds(clock.now - start))
    sqlite3_close(handle)
}
let grdb = median(grdbTimes), ours = median(rawTimes)
print(String(format: "GRDB cached statement: %.1f ms (%.0f rows/s)", grdb * 1000, Double(rows) / grdb))
print(String(format: "raw sqlite3 C API: %.1f ms (%.0f rows/s)", ours * 1000, Double(rows) / ours))
print(String(format: "GRDB / raw C time: %.2fx", grdb / ours))
