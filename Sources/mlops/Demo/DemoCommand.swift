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
            artifacts, one HTML page per chapter, index.html and summary.json. Runs again safely: the \
            store is migrated, artifacts are deduplicated.
            """)

    @Option(name: .long, help: "The store URL (default: sqlite:<output>/mlops.sqlite). \(StoreLocation.acceptedForms).")
    var store: String?

    @Option(name: .long, help: "The folder for everything the demo writes.")
    var output: String = "mlops-demo"

    @Option(name: .long, help: "The seed all generated data derives from.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "text for people, json for programs.")
    var format: OutputFormat = .text

    static let chapters: [any DemoChapter] = [StorageChapter(), LineageChapter(), DriftChapter()]

    struct Summary: Encodable {
        let store: String
        let output: String
        let index: String
        let chapters: [ChapterReport]
    }

    func run() async throws {
        let folder = output.hasSuffix("/") ? String(output.dropLast()) : output
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.usage("error: cannot create the output folder \(folder): \(error.localizedDescription). Fix: choose a writable --output.")
        }
        let location: StoreLocation
        do {
            location = try StoreLocation(parsing: store ?? "sqlite:\(folder)/mlops.sqlite")
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let artifactsPath = location.defaultArtifactsPath ?? "\(folder)/mlops.artifacts"
        Terminal.progress("opening \(location)")
        let database = try await location.openDatabase()
        let reports: [ChapterReport]
        do {
            try await database.migrate(KnownSchemas.all)
            let artifacts = try FileSystemArtifactStore(root: artifactsPath, compression: .fast)
            let context = DemoContext(outputFolder: folder, location: location, database: database, artifacts: artifacts, seed: seed)
            reports = try await runChapters(context)
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
        let summary = Summary(store: location.description, output: folder, index: "\(folder)/index.html", chapters: reports)
        try writeIndex(summary, folder: folder)
        switch format {
        case .json:
            try Terminal.printJSON(summary)
        case .text:
            print("swift-mlops demo — store \(location)")
            for report in reports {
                print("\n\(report.title)")
                for line in report.highlights { print("  • \(line)") }
            }
            print("\nOpen \(folder)/index.html for every page and file this run produced (summary.json for programs).")
        }
    }

    private func runChapters(_ context: DemoContext) async throws -> [ChapterReport] {
        var reports: [ChapterReport] = []
        for chapter in Self.chapters {
            Terminal.progress("chapter: \(chapter.title)")
            let (report, body) = try await chapter.run(in: context)
            let page = HTML.page(
                title: "swift-mlops demo — \(report.title)",
                body: "<nav><a href=\"index.html\">← index</a></nav><h1>\(HTML.escape(report.title))</h1>\(body)")
            try write(page, to: context.path("\(report.slug).html"))
            reports.append(report)
        }
        return reports
    }

    private func writeIndex(_ summary: Summary, folder: String) throws {
        var body = "<h1>swift-mlops demo</h1><p>Store: <code>\(HTML.escape(summary.store))</code></p>"
        for report in summary.chapters {
            body += "<h2><a href=\"\(report.slug).html\">\(HTML.escape(report.title))</a></h2><ul>"
            for line in report.highlights { body += "<li>\(HTML.escape(line))</li>" }
            body += "</ul>"
            if !report.files.isEmpty {
                body += "<p>Files: " + report.files.map { "<a href=\"\(HTML.escape($0))\">\(HTML.escape($0))</a>" }.joined(separator: ", ") + "</p>"
            }
        }
        try write(HTML.page(title: "swift-mlops demo", body: body), to: "\(folder)/index.html")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        try write(String(decoding: try encoder.encode(summary), as: UTF8.self), to: "\(folder)/summary.json")
    }

    private func write(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure.usage("error: cannot write \(path): \(error.localizedDescription). Fix: choose a writable --output.")
        }
    }
}
