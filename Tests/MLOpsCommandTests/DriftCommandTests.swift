import Foundation
import MLOpsTestSupport
import Testing

@Suite("mlops drift")
struct DriftCommandTests {
    /// A reference and a current CSV: `amount` shifts by `shift` standard deviations, `country`
    /// changes its mix when `mix` is set.
    static func files(_ folder: TemporaryFolder, shift: Double, mix: Bool) throws -> (String, String) {
        func write(_ name: String, shift: Double, mix: Bool, offset: Int) throws -> String {
            var text = "amount,country\n"
            for row in 0..<3_000 {
                // A deterministic, spread-out sample: quantiles of a logistic curve.
                let u = (Double((row * 7_919 + offset) % 3_000) + 0.5) / 3_000
                let amount = 50 + 10 * log(u / (1 - u)) / 1.7 + shift * 10
                let country = mix ? ["DE", "US", "US", "US"][row % 4] : ["DE", "FR", "US", "DE"][row % 4]
                text += "\(amount),\(country)\n"
            }
            let path = folder.file(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        return (try write("reference.csv", shift: 0, mix: false, offset: 0), try write("current.csv", shift: shift, mix: mix, offset: 17))
    }

    @Test("no drift is exit 0; drift is exit 1 with per-column JSON; html is a self-contained page")
    func gate() throws {
        try withTemporaryFolder { folder in
            let (reference, same) = try Self.files(folder, shift: 0, mix: false)
            let calm = try Executables.run("mlops", ["drift", reference, same])
            #expect(calm.status == 0, "\(calm.standardOutput)\(calm.standardError)")
            #expect(calm.standardOutput.contains("NO DRIFT"))

            try withTemporaryFolder { drifted in
                let (_, current) = try Self.files(drifted, shift: 1, mix: true)
                let result = try Executables.run("mlops", ["drift", reference, current, "--format", "json"])
                #expect(result.status == 1, "\(result.standardError)")
                let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
                #expect((object?["dataset"] as? [String: Any])?["drifted"] as? Bool == true)
                let columns = object?["columns"] as? [[String: Any]] ?? []
                #expect(columns.map { $0["name"] as? String } == ["amount", "country"])
                for column in columns {
                    for key in ["name", "method", "statistic", "p_value", "threshold", "drifted"] {
                        #expect(column.keys.contains(key), "missing \(key)")
                    }
                }

                let ks = try Executables.run("mlops", ["drift", reference, current, "--method", "ks", "--columns", "amount", "--format", "json"])
                #expect(ks.status == 1)
                let ksColumns = (try JSONSerialization.jsonObject(with: Data(ks.standardOutput.utf8)) as? [String: Any])?["columns"] as? [[String: Any]]
                #expect(ksColumns?.count == 1)
                #expect(ksColumns?.first?["method"] as? String == "ks")
                #expect((ksColumns?.first?["p_value"] as? Double ?? 1) < 1e-6)

                let page = drifted.file("report.html")
                let html = try Executables.run("mlops", ["drift", reference, current, "--format", "html", "--output", page])
                #expect(html.status == 1)
                let text = try String(contentsOfFile: page, encoding: .utf8)
                #expect(text.hasPrefix("<!DOCTYPE html>") || text.hasPrefix("<!doctype html>"))
                #expect(text.contains("<svg"))
                #expect(!text.contains("http://") || !text.contains("src=\"http"))
            }
        }
    }

    @Test("--columns reads only the named columns; a column that turns to text after the rows its kind was inferred from is read again as text and reported, not a failure")
    func columnsAreProjected() throws {
        try withTemporaryFolder { folder in
            // `note` is numeric for the first 1,500 rows and text after (its kind is inferred
            // from the first 1,000): read whole, it is read again as text.
            var reference = "x,note\n", current = "x,note\n"
            for i in 0..<3_000 {
                reference += "\(Double(i % 100) / 10),\(i < 1_500 ? String(i) : "text")\n"
                current += "\(Double(i % 100) / 10 + 5),\(i < 1_500 ? String(i) : "text")\n"
            }
            try reference.write(toFile: folder.file("r.csv"), atomically: true, encoding: .utf8)
            try current.write(toFile: folder.file("c.csv"), atomically: true, encoding: .utf8)
            let whole = try Executables.run("mlops", ["drift", folder.file("r.csv"), folder.file("c.csv"), "--format", "json"])
            #expect(whole.status == 1, "\(whole.standardOutput)\(whole.standardError)")
            let wholeColumns = (try JSONSerialization.jsonObject(with: Data(whole.standardOutput.utf8)) as? [String: Any])?["columns"] as? [[String: Any]]
            let note = wholeColumns?.first { $0["name"] as? String == "note" }
            #expect(note?["kind"] as? String == "categorical", "\(String(describing: note))")
            let projected = try Executables.run("mlops", ["drift", folder.file("r.csv"), folder.file("c.csv"), "--columns", "x", "--format", "json"])
            #expect(projected.status == 1, "\(projected.standardError)")
            let columns = (try JSONSerialization.jsonObject(with: Data(projected.standardOutput.utf8)) as? [String: Any])?["columns"] as? [[String: Any]]
            #expect(columns?.map { $0["name"] as? String } == ["x"])
            // A name the files lack is a usage error that names it.
            let typo = try Executables.run("mlops", ["drift", folder.file("r.csv"), folder.file("c.csv"), "--columns", "x,nope", "--format", "json"])
            #expect(typo.status == 2 && typo.standardError.contains("'nope'"), "\(typo.standardOutput)\(typo.standardError)")
        }
    }

    @Test("text after the first 1,000 rows of a numeric column is a per-column type violation, not a failed read")
    func lateTextIsReported() throws {
        try withTemporaryFolder { folder in
            var reference = "x,y\n", current = "x,y\n"
            for i in 0..<1_500 {
                reference += "\(i % 50),\(i % 7)\n"
                current += "\(i == 1_200 ? "oops" : String(i % 50)),\(i % 7)\n"
            }
            for (name, text) in [("r.csv", reference), ("c.csv", current)] { try text.write(toFile: folder.file(name), atomically: true, encoding: .utf8) }
            let result = try Executables.run("mlops", ["drift", folder.file("r.csv"), folder.file("c.csv"), "--format", "json"])
            #expect(result.status != 2, "\(result.standardError)")
            let columns = (try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])?["columns"] as? [[String: Any]]
            let x = try #require(columns?.first { $0["name"] as? String == "x" })
            let issues = x["issues"] as? [[String: Any]] ?? []
            let violation = issues.first { $0["check"] as? String == "type_violation" }
            #expect(violation?["value"] as? Double == 1 && violation?["examples"] as? [String] == ["oops"], "\(issues)")
        }
    }

    @Test("a CSV column blank for its first 1,000 rows and numbers after them is compared as numbers, as pandas reads it")
    func sparseColumnIsNumeric() throws {
        try withTemporaryFolder { folder in
            var reference = "sparse,x\n", current = "sparse,x\n"
            for i in 0..<1_500 {
                reference += "\(i < 1_000 ? "" : String(Double(i % 97) / 10)),\(i % 7)\n"
                current += "\(i < 1_000 ? "" : String(Double(i % 97) / 10 + 5)),\(i % 7)\n"
            }
            for (name, text) in [("r.csv", reference), ("c.csv", current)] { try text.write(toFile: folder.file(name), atomically: true, encoding: .utf8) }
            let result = try Executables.run("mlops", ["drift", folder.file("r.csv"), folder.file("c.csv"), "--method", "ks", "--format", "json"])
            let columns = (try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])?["columns"] as? [[String: Any]]
            let sparse = try #require(columns?.first { $0["name"] as? String == "sparse" })
            #expect(sparse["kind"] as? String == "double" && sparse["method"] as? String == "ks", "\(sparse)")
            #expect(sparse["status"] as? String == "drifted", "\(sparse["reason"] ?? "")")
            #expect((sparse["current"] as? [String: Any])?["missing"] as? Int == 1_000)
            #expect(result.status == 1, "\(result.standardError)")
            // The same in JSON Lines, nulls first.
            for (name, shift) in [("r.jsonl", 0.0), ("c.jsonl", 5.0)] {
                let lines = (0..<1_500).map { i in "{\"sparse\": \(i < 1_000 ? "null" : String(Double(i % 97) / 10 + shift)), \"x\": \(i % 7)}" }
                try (lines.joined(separator: "\n") + "\n").write(toFile: folder.file(name), atomically: true, encoding: .utf8)
            }
            let json = try Executables.run("mlops", ["drift", folder.file("r.jsonl"), folder.file("c.jsonl"), "--method", "ks", "--format", "json"])
            let jsonColumns = (try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])?["columns"] as? [[String: Any]]
            let jsonSparse = try #require(jsonColumns?.first { $0["name"] as? String == "sparse" })
            #expect(jsonSparse["kind"] as? String == "double" && jsonSparse["status"] as? String == "drifted", "\(jsonSparse)")
            // A key that first appears after the first 1,000 records (an optional field added
            // later) is a column typed by its values, not a failed read.
            let lateLines = (0..<1_500).map { i in i < 1_100 ? "{\"x\": \(i % 7)}" : "{\"x\": \(i % 7), \"late\": \(Double(i % 97) / 10 + 5), \"flag\": \"on\"}" }
            try (lateLines.joined(separator: "\n") + "\n").write(toFile: folder.file("late.jsonl"), atomically: true, encoding: .utf8)
            let early = (0..<1_500).map { i in "{\"x\": \(i % 7), \"late\": \(Double(i % 97) / 10), \"flag\": \"on\"}" }
            try (early.joined(separator: "\n") + "\n").write(toFile: folder.file("early.jsonl"), atomically: true, encoding: .utf8)
            let late = try Executables.run("mlops", ["drift", folder.file("early.jsonl"), folder.file("late.jsonl"), "--format", "json"])
            #expect(late.status == 0, "one of three columns drifted, below the 50% rule: \(late.standardError)")
            let lateColumns = (try JSONSerialization.jsonObject(with: Data(late.standardOutput.utf8)) as? [String: Any])?["columns"] as? [[String: Any]]
            let lateColumn = try #require(lateColumns?.first { $0["name"] as? String == "late" })
            #expect(lateColumn["kind"] as? String == "double" && (lateColumn["current"] as? [String: Any])?["missing"] as? Int == 1_100, "\(lateColumn)")
            #expect(lateColumn["status"] as? String == "drifted", "\(lateColumn["reason"] ?? "")")
            let flag = try #require(lateColumns?.first { $0["name"] as? String == "flag" })
            #expect(flag["kind"] as? String == "categorical" && (flag["current"] as? [String: Any])?["missing"] as? Int == 1_100, "\(flag)")
        }
    }

    @Test("--columns narrows the duplicate-row check alike for CSV and JSON Lines")
    func columnsNarrowDuplicatesInBothFormats() throws {
        try withTemporaryFolder { folder in
            // Rows differ only in `id`: duplicates once the check looks at `x` alone.
            let reference = (0..<8).map { ["id": $0, "x": Double($0)] as [String: Any] }
            let current = (0..<8).map { ["id": $0, "x": Double($0 % 4)] as [String: Any] }
            func csv(_ rows: [[String: Any]]) -> String { "id,x\n" + rows.map { "\($0["id"]!),\($0["x"]!)" }.joined(separator: "\n") + "\n" }
            func jsonl(_ rows: [[String: Any]]) -> String { rows.map { "{\"id\": \($0["id"]!), \"x\": \($0["x"]!)}" }.joined(separator: "\n") + "\n" }
            try csv(reference).write(toFile: folder.file("r.csv"), atomically: true, encoding: .utf8)
            try csv(current).write(toFile: folder.file("c.csv"), atomically: true, encoding: .utf8)
            try jsonl(reference).write(toFile: folder.file("r.jsonl"), atomically: true, encoding: .utf8)
            try jsonl(current).write(toFile: folder.file("c.jsonl"), atomically: true, encoding: .utf8)
            var shares: [Double] = []
            for (r, c) in [("r.csv", "c.csv"), ("r.jsonl", "c.jsonl")] {
                let result = try Executables.run("mlops", ["drift", folder.file(r), folder.file(c), "--columns", "x", "--format", "json"])
                let issues = (try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])?["issues"] as? [[String: Any]] ?? []
                shares.append(issues.first { $0["check"] as? String == "duplicate_rows" }?["value"] as? Double ?? -1)
            }
            #expect(shares == [0.5, 0.5], "CSV and JSON Lines: \(shares)")
        }
    }

    @Test("bad usage and unreadable input are exit 2 with the reason")
    func badInput() throws {
        try withTemporaryFolder { folder in
            let (reference, current) = try Self.files(folder, shift: 0, mix: false)
            let missing = try Executables.run("mlops", ["drift", reference, folder.file("nope.csv")])
            #expect(missing.status == 2)
            #expect(missing.standardError.contains("no file at"))
            let method = try Executables.run("mlops", ["drift", reference, current, "--method", "magic"])
            #expect(method.status == 2)
            #expect(method.standardError.contains("'magic' is invalid for '--method"))
            #expect(method.standardError.contains("wasserstein"), "the message lists the methods")
            let rule = try Executables.run("mlops", ["drift", reference, current, "--dataset-rule", "share:x"])
            #expect(rule.status == 2)
            let renamed = folder.file("renamed.csv")
            try Data("total,land\n1,DE\n2,FR\n".utf8).write(to: URL(fileURLWithPath: renamed))
            let nothing = try Executables.run("mlops", ["drift", reference, renamed])
            #expect(nothing.status == 2, "no column could be compared: never a pass")
            #expect(nothing.standardError.contains("no column could be compared"))
            let alpha = try Executables.run("mlops", ["drift", reference, current, "--method", "ks", "--threshold", "1.5"])
            #expect(alpha.status == 2)
            #expect(alpha.standardError.contains("significance level"))
            let threshold = try Executables.run("mlops", ["drift", reference, current, "--threshold", "0.2"])
            #expect(threshold.status == 2)
            #expect(threshold.standardError.contains("--threshold needs --method"))
            // Flags that name nothing, effects out of range, binary files and folders: exit 2.
            for (arguments, reason) in [
                (["--columns", ""], "names no column"), (["--columns", ",,,"], "names no column"),
                (["--min-effect", "inf"], "finite"), (["--min-effect", "nan"], "finite"), (["--min-category-effect", "2"], "between 0 and 1"),
                (["--prediction", "nope"], "neither file has"), (["--probabilities", "p_yes,p_no"], "neither file has"),
            ] {
                let refused = try Executables.run("mlops", ["drift", reference, current] + arguments)
                #expect(refused.status == 2 && refused.standardError.contains(reason), "\(arguments): \(refused.standardError)")
            }
            let binary = folder.file("data.bin")
            try Data([0x53, 0x51, 0x4C, 0x00, 0x01, 0x0A, 0x31, 0x0A]).write(to: URL(fileURLWithPath: binary))
            let notText = try Executables.run("mlops", ["drift", binary, current])
            #expect(notText.status == 2 && notText.standardError.contains("NUL"), "\(notText.standardError)")
            let aFolder = try Executables.run("mlops", ["drift", folder.path, current])
            #expect(aFolder.status == 2 && aFolder.standardError.contains("is a folder"), "\(aFolder.standardError)")
            // A column named twice is tested once.
            let twice = try Executables.run("mlops", ["drift", reference, current, "--columns", "amount,amount", "--format", "json"])
            let tested = try JSONSerialization.jsonObject(with: Data(twice.standardOutput.utf8)) as? [String: Any]
            #expect((tested?["columns"] as? [Any])?.count == 1, "\(twice.standardOutput.prefix(300))")
        }
    }

    @Test("--columns and --probabilities before the files leave the files to the command; an order that cannot be told is refused, never guessed")
    func optionsBeforeFiles() throws {
        try withTemporaryFolder { folder in
            let (reference, current) = try Self.files(folder, shift: 1, mix: true)
            // A current file of fewer rows, so the report shows which side each file took.
            let lines = try String(contentsOfFile: current, encoding: .utf8).split(separator: "\n")
            let short = folder.file("short.csv")
            try Data((lines.prefix(1_001).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: short))
            func run(_ arguments: [String]) throws -> (Int32, [String], Int?, Int?, String) {
                let result = try Executables.run("mlops", ["drift"] + arguments + ["--format", "json"])
                let report = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
                let names = (report?["columns"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                return (result.status, names, report?["reference_rows"] as? Int, report?["current_rows"] as? Int, result.standardError)
            }
            for arguments in [
                ["--columns", "amount", reference, short], ["--columns", "amount,country", reference, short],
                ["--columns", "amount", "country", reference, short], ["compare", "--columns", "amount,country", reference, short],
                ["--columns", "amount", reference, "--columns", "country", short], [reference, short, "--columns", "amount", "country"],
                [reference, short, "--columns", "amount,country"],
            ] {
                let (status, names, referenceRows, currentRows, error) = try run(arguments)
                let expected = arguments.contains("country") || arguments.contains("amount,country") ? ["amount", "country"] : ["amount"]
                #expect(status == 1 && names == expected, "\(arguments): \(status) \(names) \(error)")
                #expect(referenceRows == 3_000 && currentRows == 1_000, "\(arguments): the files changed sides")
            }
            // Where the files stood among other options cannot be told: refused, with the reason.
            for arguments in [
                ["--columns", "amount", reference, "--method", "ks", short], [reference, "--columns", "amount", short],
                ["--probabilities", "p", "--columns", "amount", reference, short], ["--columns", "amount", reference, folder.file("typo.csv")],
            ] {
                let (status, _, _, _, error) = try run(arguments)
                #expect(status == 2 && error.contains("Missing expected argument") && error.contains("Fix: write <reference> <current> before"), "\(arguments): \(error)")
            }
            // A recovery is said on standard error; an option left with only the files names nothing;
            // a missing file with no file among the option's words is said plainly.
            let noted = try Executables.run("mlops", ["drift", "--columns", "amount", reference, short])
            #expect(noted.standardError.contains("note: --columns took the words up to the next option; read '\(reference)' as <reference> and '\(short)' as <current>"), "\(noted.standardError)")
            let onlyFiles = try Executables.run("mlops", ["drift", "--columns", reference, short])
            #expect(onlyFiles.status == 2 && onlyFiles.standardError.contains("--columns names no column: it took only the files"), "\(onlyFiles.standardError)")
            let oneFile = try Executables.run("mlops", ["drift", reference, "--columns", "amount"])
            #expect(oneFile.status == 2 && oneFile.standardError.contains("Missing expected argument '<current>'. Fix: name both, as in mlops drift <reference> <current>."), "\(oneFile.standardError)")
            let bare = try Executables.run("mlops", ["drift"])
            #expect(bare.status == 2 && bare.standardError.contains("Missing expected argument '<reference>'"), "\(bare.standardError)")
            // The help still shows both files as required.
            let help = try Executables.run("mlops", ["drift", "compare", "--help"])
            #expect(help.standardOutput.contains("USAGE: mlops drift compare [<options>] <reference> <current>"), "\(help.standardOutput)")
        }
    }

    @Test("a baseline saved in the store gates later files on sketches alone")
    func baselines() throws {
        try withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("store.sqlite"))"
            let (reference, same) = try Self.files(folder, shift: 0, mix: false)
            // A file of no rows is no baseline: refused before the store is touched.
            try Data("amount,country\n".utf8).write(to: URL(fileURLWithPath: folder.file("header.csv")))
            let empty = try Executables.run("mlops", ["drift", "baseline", "save", "payments", folder.file("header.csv"), "--store", store])
            #expect(empty.status == 2 && empty.standardError.contains("0 rows"), "\(empty.standardError)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("store.sqlite")))
            let saved = try Executables.run("mlops", ["drift", "baseline", "save", "payments", reference, "--store", store, "--note", "training"])
            #expect(saved.status == 0, "\(saved.standardError)")
            #expect(saved.standardOutput.contains("version 1"))
            let list = try Executables.run("mlops", ["drift", "baseline", "list", "--store", store, "--format", "json"])
            #expect(list.standardOutput.contains("\"name\" : \"payments\""))
            // An object with a list, times in ISO 8601, as every other command prints them.
            let listed = try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [String: Any]
            let first = (listed?["baselines"] as? [[String: Any]])?.first
            #expect((first?["created_at"] as? String)?.hasSuffix("Z") == true, "\(list.standardOutput)")
            #expect(first?["latest_version"] as? Int == 1 && first?["row_count"] as? Int == 3_000)
            let again = try Executables.run("mlops", ["drift", "baseline", "save", "payments", reference, "--store", store, "--format", "json"])
            let savedJSON = try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [String: Any]
            #expect(savedJSON?["latest_version"] as? Int == 2 && (savedJSON?["created_at"] as? String)?.contains("T") == true, "\(again.standardOutput)")
            let calm = try Executables.run("mlops", ["drift", "check", "payments", same, "--store", store])
            #expect(calm.status == 0, "\(calm.standardOutput)")
            try withTemporaryFolder { other in
                let (_, current) = try Self.files(other, shift: 1, mix: true)
                let drifted = try Executables.run("mlops", ["drift", "check", "payments", current, "--store", store])
                #expect(drifted.status == 1, "\(drifted.standardOutput)")
                let unknown = try Executables.run("mlops", ["drift", "check", "nothing", current, "--store", store])
                #expect(unknown.status == 2)
                #expect(unknown.standardError.contains("No baseline"))
            }
        }
    }

    @Test("drift check reports each column's resolution; baseline save takes --quantile-k and --column-quantile-k and refuses bad sizes")
    func resolutionAndSizes() throws {
        try withTemporaryFolder { folder in
            let store = "sqlite:\(folder.file("store.sqlite"))"
            let (reference, same) = try Self.files(folder, shift: 0, mix: false)
            for bad in [["--quantile-k", "5"], ["--quantile-k", "70000"], ["--column-quantile-k", "amount"], ["--column-quantile-k", "amount=x"],
                        ["--column-quantile-k", "=300"], ["--column-quantile-k", "amount=300", "--column-quantile-k", "amount=400"],
                        ["--column-quantile-k", "nothing=300"]] {
                let refused = try Executables.run("mlops", ["drift", "baseline", "save", "sized", reference, "--store", store] + bad)
                #expect(refused.status == 2, "\(bad): \(refused.standardError)")
                #expect(refused.standardError.contains("quantile-k"), "\(bad): \(refused.standardError)")
            }
            // Nothing was saved by the refused calls.
            let list = try Executables.run("mlops", ["drift", "baseline", "list", "--store", store, "--format", "json"])
            #expect(!list.standardOutput.contains("sized"))
            let small = try Executables.run("mlops", ["drift", "baseline", "save", "small", reference, "--store", store, "--quantile-k", "16"])
            #expect(small.status == 0, "\(small.standardError)")
            let large = try Executables.run("mlops", ["drift", "baseline", "save", "large", reference, "--store", store, "--column-quantile-k", "amount=4000"])
            #expect(large.status == 0, "\(large.standardError)")
            func shift(_ baseline: String) throws -> Double? {
                let check = try Executables.run("mlops", ["drift", "check", baseline, same, "--store", store, "--method", "ks", "--format", "json"])
                #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
                let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
                let columns = report?["columns"] as? [[String: Any]] ?? []
                let amount = columns.first { $0["name"] as? String == "amount" }
                let resolution = amount?["resolution"] as? [String: Any]
                #expect(resolution?["shift_measure"] as? String == "wasserstein_sd")
                #expect(resolution?["statistic_error"] is Double)
                return resolution?["detectable_shift"] as? Double
            }
            // 3,000 rows fit in a k = 4000 sketch exactly, so only sampling limits what it sees;
            // k = 16 compacts and sees less.
            let coarse = try #require(try shift("small"))
            let fine = try #require(try shift("large"))
            #expect(fine < coarse, "k = 4000: \(fine)σ, k = 16: \(coarse)σ")
            let text = try Executables.run("mlops", ["drift", "check", "large", same, "--store", store])
            #expect(text.standardOutput.contains("resolution: flags a"))
        }
    }
}
