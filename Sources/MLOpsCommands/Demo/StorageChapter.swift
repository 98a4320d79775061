import Foundation
import MLOpsStorage
import TensorCore

/// Chapter 1: the store itself — schema, transactions, content-addressed artifacts, tamper detection.
struct StorageChapter: DemoChapter {
    let slug = "storage"
    let title = "1. Storage: one store, schemas, artifacts by digest"

    func run(in context: DemoContext) async throws -> (ChapterReport, String) {
        var facts: [ChapterReport.Fact] = []
        var highlights: [String] = []
        var files: [String] = []
        let database = context.database

        // Schema versions, as `mlops store check` sees them.
        let versions = try await database.recordedSchemaVersions()
        facts.append(.init(label: "schema versions", value: versions.sorted { $0.key < $1.key }.map { "\($0.key) v\($0.value)" }.joined(separator: ", ")))

        // A transaction that commits, and one that fails and leaves nothing behind.
        // The table is created, emptied and filled in one transaction that demos sharing a store
        // take turns at (a lock of their own), so two demos never collide on its rows or on
        // creating it (PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent one).
        let dataset = DemoData.transactions(rows: 20_000, seed: context.seed)
        let clock = ContinuousClock()
        let insertStart = clock.now
        try await database.write(serializedBy: "demo-transactions") { db in
            try await db.executeScript("CREATE TABLE IF NOT EXISTS demo_transactions (id \(db.dialect.integerType) PRIMARY KEY, user_id TEXT NOT NULL, amount \(db.dialect.realType) NOT NULL, country TEXT NOT NULL)")
            try await db.execute("DELETE FROM demo_transactions")
            try await db.executeBatch(
                "INSERT INTO demo_transactions (id, user_id, amount, country) VALUES (?, ?, ?, ?)",
                dataset.rows.map { [.integer($0.id), .text($0.user), .real($0.amount), .text($0.country)] })
        }
        let insertSeconds = (clock.now - insertStart).seconds
        struct Rejected: Error {}
        _ = try? await database.write { db in
            try await db.execute("DELETE FROM demo_transactions")
            throw Rejected()
        }
        let kept = try await database.read { db in try await db.queryScalar(Int.self, "SELECT count(*) FROM demo_transactions") }
        highlights.append("\(kept) rows written in one transaction (\(Int(Double(kept) / max(insertSeconds, 1e-9)).formatted()) rows/s); a failed transaction that deleted them all was rolled back: \(kept) rows remain")
        facts.append(.init(label: "rows after a rolled-back delete", value: "\(kept)"))

        // Artifacts: a dataset (compressible) and a model file (random bytes), by digest.
        let csv = Array(dataset.csv.utf8)
        let datasetReceipt = try await context.artifacts.put(csv)
        let again = try await context.artifacts.put(csv)
        var generator = Xoshiro256StarStar(seed: context.seed &+ 1)
        let model = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let modelReceipt = try await context.artifacts.put(model)
        highlights.append("dataset \(datasetReceipt.digest.description.prefix(19))… \(datasetReceipt.size.formatted()) bytes stored as \(datasetReceipt.storedSize.formatted()) (zlib); putting it again stored nothing new: \(again.deduplicated)")
        facts.append(.init(label: "dataset digest", value: datasetReceipt.digest.description))
        facts.append(.init(label: "dataset size / stored", value: "\(datasetReceipt.size) / \(datasetReceipt.storedSize) bytes"))
        facts.append(.init(label: "model digest", value: modelReceipt.digest.description))
        facts.append(.init(label: "model size / stored", value: "\(modelReceipt.size) / \(modelReceipt.storedSize) bytes (random bytes do not compress)"))

        // Export a verified copy next to the pages.
        let exported = "transactions.csv"
        try context.folder.removeOwned(exported)
        try await context.artifacts.export(datasetReceipt.digest, to: try context.path(exported))
        files.append(exported)

        // Tamper detection, on a scratch copy so the demo store stays healthy.
        let scratchName = "tamper-demo.artifacts"
        try context.folder.removeOwned(scratchName)
        let scratch = try FileSystemArtifactStore(root: try context.path(scratchName), compression: .none)
        let victim = try await scratch.put(Array("weights: 0.25 0.5 0.125\n".utf8))
        let objectPath = "\(scratch.root)/objects/\(victim.digest.hex.prefix(2))/\(victim.digest.hex)"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: objectPath))
        bytes[0] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: objectPath))
        var tamperMessage = "not detected"
        var tamperCode = "none"
        do {
            try await scratch.verify(victim.digest)
        } catch let error as StorageError {
            tamperMessage = error.message
            tamperCode = error.code.rawValue
        }
        try context.folder.removeOwned(scratchName)
        highlights.append("a flipped bit in a stored artifact was caught on read (\(tamperCode)): its bytes no longer hash to its digest")
        facts.append(.init(label: "tamper check", value: tamperMessage))

        let problems = try await database.checkIntegrity()
        highlights.append("integrity check: \(problems.isEmpty ? "ok" : problems.joined(separator: "; "))")
        facts.append(.init(label: "integrity", value: problems.isEmpty ? "ok" : problems.joined(separator: "; ")))

        let body = """
            <p>Everything the suite records lives in one store: a SQL database (here \
            <code>\(HTML.escape(context.location.description))</code>) and a content-addressed artifact folder \
            (<code>\(HTML.escape(context.artifacts.root))</code>). Every byte is named by its SHA-256 and checked on every read.</p>
            \(HTML.table(headers: ["fact", "value"], rows: facts.map { [$0.label, $0.value] }))
            <p>Exported, verified copy of the dataset: <a href="\(exported)">\(exported)</a>.</p>
            """
        let report = ChapterReport(slug: slug, title: title, highlights: highlights, facts: facts, files: files)
        return (report, body)
    }
}

extension Duration {
    /// The duration in seconds, as a double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
