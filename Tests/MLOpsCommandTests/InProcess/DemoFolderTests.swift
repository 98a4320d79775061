import Foundation
import MLOpsTestSupport
import MLOpsCommands
import Testing

@Suite("mlops demo writes only into its own folder")
struct DemoFolderTests {
    @Test("a non-empty folder the demo did not create is refused with exit 2, and nothing in it changes")
    func foreignFolderIsRefused() async throws {
        try await withTemporaryFolder { folder in
            // What the old demo removed recursively and replaced: a user's folder and page.
            try FileManager.default.createDirectory(atPath: folder.file("transactions.csv"), withIntermediateDirectories: true)
            try write("keep me\n", to: folder.file("transactions.csv/notes.txt"))
            try write("<p>my page</p>\n", to: folder.file("index.html"))
            let result = await mlops("demo", "--output", folder.path)
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains("did not write"), "\(result.transcript)")
            #expect(String(decoding: contents(folder.file("transactions.csv/notes.txt")), as: UTF8.self) == "keep me\n")
            #expect(String(decoding: contents(folder.file("index.html")), as: UTF8.self) == "<p>my page</p>\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["index.html", "transactions.csv"])
        }
    }

    @Test("a --store whose registry is another's is refused before the output folder is made")
    func foreignRegistryLeavesNoFolder() async throws {
        try await withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("team.sqlite"))"
            #expect(await mlops("principals", "add", "alice", "--role", "admin", "--store", store).exitCode == 0)
            let result = await mlops("demo", "--output", folder.file("out"), "--store", store)
            #expect(result.exitCode == 2 && result.error.contains("alice"), "\(result.transcript)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("out")), "the refused demo made its folder")
        }
    }

    @Test("a folder holding only the marker's temporary file (a demo killed as it began) is the demo's: it runs, and the leftover goes")
    func killedFirstMarker() async throws {
        try await withTemporaryFolder { folder in
            let output = folder.file("demo")
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: false)
            try write("# half a marker", to: "\(output)/.mlops-demo.partial-1a2b3c4d")
            let result = await mlops("demo", "--output", output)
            #expect(result.exitCode == 0, "\(result.transcript)")
            let names = try FileManager.default.contentsOfDirectory(atPath: output)
            #expect(names.contains(".mlops-demo") && !names.contains { $0.hasPrefix(".mlops-demo.partial-") }, "\(names)")
            // Left later in a run (the marker is rewritten as files are claimed, pages are written
            // beside themselves): removed by the next run; a file of the same shape whose name the
            // demo never wrote stays.
            try write("# half a marker", to: "\(output)/.mlops-demo.partial-5e6f7a8b")
            try write("<p>half a page", to: "\(output)/index.html.partial-0c1d2e3f")
            #expect(await mlops("demo", "--output", output).exitCode == 0)
            let after = try FileManager.default.contentsOfDirectory(atPath: output)
            #expect(!after.contains { $0.contains(".partial-") }, "\(after)")
            #expect(after.contains("index.html") && after.contains("summary.json"))
        }
    }

    @Test("--output naming a file is refused with exit 2 and the file is kept")
    func fileIsRefused() async throws {
        try await withTemporaryFolder { folder in
            try write("data\n", to: folder.file("report"))
            let result = await mlops("demo", "--output", folder.file("report"))
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(String(decoding: contents(folder.file("report")), as: UTF8.self) == "data\n")
        }
    }

    @Test("inside its own folder the demo still refuses to replace a path it did not write")
    func foreignPathInOwnFolder() async throws {
        try await withTemporaryFolder { folder in
            // A folder the demo marked (its marker lists nothing yet) where someone put a page.
            try write("# Written by mlops demo.\n", to: folder.file(".mlops-demo"))
            try write("<p>mine</p>\n", to: folder.file("storage.html"))
            let result = await mlops("demo", "--output", folder.path, "--store", "sqlite::memory:")
            #expect(result.exitCode == 2, "\(result.transcript)")
            #expect(result.error.contains("storage.html"), "\(result.transcript)")
            #expect(String(decoding: contents(folder.file("storage.html")), as: UTF8.self) == "<p>mine</p>\n")
        }
    }

    @Test("the largest seed runs (no overflow trap), and a rerun into the demo's own folder works")
    func largestSeedAndRerun() async throws {
        try await withTemporaryFolder { folder in
            let output = folder.file("out")
            let first = await mlops("demo", "--output", output, "--seed", "18446744073709551615")
            #expect(first.exitCode == 0, "\(first.transcript)")
            let marker = String(decoding: contents("\(output)/.mlops-demo"), as: UTF8.self)
            for name in ["index.html", "summary.json", "transactions.csv", "mlops.sqlite", "mlops.artifacts", "openlineage.json", "drift-report.json"] {
                #expect(marker.split(separator: "\n").contains(Substring(name)), "the marker does not list \(name)")
            }
            let again = await mlops("demo", "--output", output, "--seed", "18446744073709551615", "--format", "json")
            #expect(again.exitCode == 0, "\(again.transcript)")
            #expect((again.json["chapters"] as? [[String: Any]])?.count == 7)
            // A file someone adds to the demo's folder is kept by the rerun (the folder is the demo's,
            // the file is not).
            #expect(!FileManager.default.fileExists(atPath: "\(output)/tamper-demo.artifacts"))
        }
    }
}
