import ArgumentParser
import Foundation
import MLOpsStorage

/// `mlops demo`: the end-to-end run the README starts with.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run every product end to end on generated data and write an HTML index of the results.",
        discussion: """
            Writes into --output (default mlops-demo/): the store (unless --store names another), the \
            artifacts, one HTML page per chapter, index.html and summary.json, and a .mlops-demo marker \
            that lists them. Runs again safely into its own folder: the store is migrated, artifacts \
            are deduplicated. A non-empty folder without the marker is refused (exit 2), and a path \
            the demo did not write is never removed or replaced.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>

    @Option(name: .long, help: "The folder for everything the demo writes: a new or empty folder, or one an earlier demo wrote (it holds a .mlops-demo marker).")
    var output: String = "mlops-demo"

    @Option(name: .long, help: "The seed all generated data derives from (any 64-bit value).")
    var seed: UInt64 = 42

    static let chapters: [any DemoChapter] = [StorageChapter(), LineageChapter(), DriftChapter(), RegistryChapter(), GPUChapter(), RolloutChapter(), FeaturesChapter()]

    struct Summary: Encodable {
        let store: String
        let output: String
        let index: String
        let chapters: [ChapterReport]
    }

    func validate() throws {
        if output.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--output is empty: give the folder the demo writes into (default mlops-demo).")
        }
    }

    func run() async throws {
        // A store named with --store is checked before the output folder is made, so a wrong one
        // leaves no folder or marker behind.
        if let named = store.store {
            try await StoreSession.checkBeforeOpening(named, access: .write)
            // Another registry's store likewise (judged again once the store is open for writing).
            if try await !StoreSession.holdsNothing(at: named) {
                do {
                    try await StoreSession.withDatabase(at: named, access: .read) { try await Self.refuseForeignRegistry($0, location: named) }
                } catch let refusal as CommandFailure {
                    throw refusal
                } catch {
                    // A store the read-only look cannot judge is left to the writing open.
                }
            }
        }
        let folder = try DemoFolder(preparing: output)
        // The pages every run writes are claimed before anything is written, so a file in the
        // way is found before the store or any page changes.
        for name in ["index.html", "summary.json"] + Self.chapters.map({ "\($0.slug).html" }) { _ = try folder.claim(name) }
        let defaultLocation = StoreLocation.sqliteFile(path: "\(folder.path)/mlops.sqlite")
        let location = store.store ?? defaultLocation
        // The store and artifacts the demo keeps in its folder are claimed like every other file.
        if location == defaultLocation { _ = try folder.claim("mlops.sqlite") }
        let artifactsPath: String
        if let beside = location.defaultArtifactsPath {
            artifactsPath = beside
            if location == defaultLocation { _ = try folder.claim("mlops.artifacts") }
        } else {
            artifactsPath = try folder.claim("mlops.artifacts")
        }
        Terminal.progress("opening \(location)")
        // For a new SQLite store the artifact folder comes first: a run killed between the two
        // leaves a folder without a store (which the next run uses), never a store whose artifact
        // folder is missing. An existing store is checked before anything is created beside it.
        var storeIsNew = false
        if case .sqliteFile(let path) = location { storeIsNew = !FileManager.default.fileExists(atPath: path) }
        let early = storeIsNew ? try FileSystemArtifactStore(root: artifactsPath, compression: .fast) : nil
        let reports = try await StoreSession.withDatabase(at: location, access: .write) { database in
            try await Self.refuseForeignRegistry(database, location: location)
            try await database.migrate(KnownSchemas.all)
            let artifacts = try early ?? FileSystemArtifactStore(root: artifactsPath, compression: .fast)
            let context = DemoContext(folder: folder, location: location, database: database, artifacts: artifacts, seed: seed)
            return try await runChapters(context)
        }
        let summary = Summary(store: location.description, output: folder.path, index: "\(folder.path)/index.html", chapters: reports)
        try writeIndex(summary, folder: folder)
        switch formatting.format {
        case .json:
            try Terminal.printJSON(summary)
        case .text:
            Terminal.output("swift-mlops demo — store \(location)")
            for report in reports {
                Terminal.output("\n\(report.title)")
                for line in report.highlights { Terminal.output("  • \(line)") }
            }
            Terminal.output("\nOpen \(folder.path)/index.html for every page and file this run produced (summary.json for programs).")
        }
    }

    /// Refuses, before any chapter writes, a store whose registry has principals but not the
    /// demo's own admin: the registry chapter would have to act as one of that registry's admins
    /// to add its principals, models and policy there. An empty registry, or one an earlier demo
    /// bootstrapped, is fine.
    ///
    /// Runs before the store is migrated (a refused store is not changed at all), so it reads the
    /// principals' table directly; a store without one has no registry yet.
    static func refuseForeignRegistry(_ database: any SQLDatabase, location: StoreLocation) async throws {
        guard try await database.recordedSchemaVersions()["registry"] != nil else { return }
        let principals = try await database.read { db in
            try await db.query("SELECT id FROM registry_principals ORDER BY id").map { try $0.decode(String.self, at: 0) }
        }
        guard !principals.isEmpty, !principals.contains(RegistryChapter.admin) else { return }
        throw CommandFailure.usage(
            "error: the registry in \(location) has principals (\(principals.prefix(5).joined(separator: ", "))\(principals.count > 5 ? ", …" : "")) and none is the demo's \(RegistryChapter.admin): the demo would act as one of its admins; nothing was run. Fix: leave --store out (the demo keeps its own store in --output), or give it an empty store.")
    }

    private func runChapters(_ context: DemoContext) async throws -> [ChapterReport] {
        var reports: [ChapterReport] = []
        for chapter in Self.chapters {
            Terminal.progress("chapter: \(chapter.title)")
            let (report, body) = try await chapter.run(in: context)
            let page = HTML.page(
                title: "swift-mlops demo — \(report.title)",
                body: "<nav><a href=\"index.html\">← index</a></nav><h1>\(HTML.escape(report.title))</h1>\(body)")
            try context.write(Array(page.utf8), to: "\(report.slug).html")
            reports.append(report)
        }
        return reports
    }

    private func writeIndex(_ summary: Summary, folder: DemoFolder) throws {
        var body = "<h1>swift-mlops demo</h1><p>Store: <code>\(HTML.escape(summary.store))</code></p>"
        for report in summary.chapters {
            body += "<h2><a href=\"\(report.slug).html\">\(HTML.escape(report.title))</a></h2><ul>"
            for line in report.highlights { body += "<li>\(HTML.escape(line))</li>" }
            body += "</ul>"
            for figure in report.figures { body += "<p><img src=\"\(HTML.escape(figure))\" alt=\"\(HTML.escape(figure))\"></p>" }
            if !report.files.isEmpty {
                body += "<p>Files: " + report.files.map { "<a href=\"\(HTML.escape($0))\">\(HTML.escape($0))</a>" }.joined(separator: ", ") + "</p>"
            }
        }
        try folder.write(Array(HTML.page(title: "swift-mlops demo", body: body).utf8), to: "index.html")
        try folder.write(try Terminal.jsonEncoder().encode(summary), to: "summary.json")
    }
}
