// store-tour: the storage layer on its own, from a Swift program.
//
// Opens (or creates) a SQLite store, gives it a schema of its own through a migration, writes and
// reads rows in transactions, then stores a file in the content-addressed artifact store and reads
// it back verified.
//
//   swift run store-tour [folder]        (default: a new temporary folder)

import Foundation
import MLOpsStorage

let folder = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory() + "store-tour-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

// 1. Open a store from a URL: the same call opens PostgreSQL for a postgres:// URL.
let location = try StoreLocation(parsing: "sqlite:\(folder)/tour.sqlite")
let database = try await location.openDatabase()

// 2. A module's tables are a numbered list of migrations; running them again changes nothing.
let schema = SQLSchema(module: "tour", migrations: [
    SQLMigration(version: 1, name: "create experiments") { dialect in
        "CREATE TABLE experiments (name TEXT PRIMARY KEY, owner TEXT NOT NULL, best_auc \(dialect.realType))"
    },
])
let report = try await database.migrate([StorageSchema.schema, schema])
print("migrated: \(report.entries.map { "\($0.module) v\($0.fromVersion)→v\($0.toVersion)" }.joined(separator: ", "))")

// 3. Writes are transactions: all rows or none. Values are always bound, never spliced into SQL.
try await database.write { db in
    try await db.execute("DELETE FROM experiments")
    try await db.executeBatch(
        "INSERT INTO experiments (name, owner, best_auc) VALUES (?, ?, ?)",
        [["fraud-gbt", "risk-team", 0.912], ["churn-lr", "growth", 0.781], ["eta-nn", "logistics", nil]])
}
let rows = try await database.read { db in
    try await db.query("SELECT name, owner, best_auc FROM experiments WHERE best_auc > ? ORDER BY best_auc DESC", [0.8])
}
for row in rows {
    print("experiment \(try row.decode(String.self, "name")) by \(try row.decode(String.self, "owner")): AUC \(try row.decode(Double.self, "best_auc"))")
}

// 4. Artifacts are named by the SHA-256 of their bytes and verified on every read.
let artifacts = try FileSystemArtifactStore(root: location.defaultArtifactsPath ?? "\(folder)/artifacts", compression: .fast)
let model = Array("{\"weights\": [0.25, -1.5, 3.0], \"bias\": 0.1}".utf8)
let receipt = try await artifacts.put(model)
print("stored model as \(receipt.digest) (\(receipt.size) bytes, \(receipt.storedSize) on disk)")
let back = try await artifacts.read(receipt.digest)
print("read back \(back.count) bytes, identical: \(back == model)")

// 5. A typo in a digest is a clear error, not a crash.
do {
    _ = try Digest(parsing: "sha256:not-a-digest")
} catch {
    print("bad digest refused: \(error.message)")
}

try await database.close()
print("store-tour done in \(folder)")
