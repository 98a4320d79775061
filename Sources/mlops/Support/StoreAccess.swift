import Foundation
import Lineage
import MLOpsStorage

/// Opens the stores commands read, refusing to create a store where the user made a typo.
enum StoreAccess {
    /// The database at `location`, which must exist when it is a SQLite file.
    static func existingDatabase(_ location: StoreLocation) async throws -> any SQLDatabase {
        if case .sqliteFile(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure.usage("error: there is no store at \(path). Fix: check --store, or create one with `mlops store migrate --store \(location)`.")
        }
        return try await location.openDatabase()
    }

    /// Runs `body` with the lineage store of `options.store` (never migrated: reading commands
    /// change nothing), closing the database afterwards.
    static func withLineage<Result>(_ options: GlobalOptions, _ body: (SQLLineageStore) async throws -> Result) async throws -> Result {
        let database = try await existingDatabase(try options.location())
        do {
            let result = try await body(try await SQLLineageStore(database: database, migrate: false))
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// A run id argument, or a usage error that says what an id looks like.
    static func runID(_ text: String) throws -> RunID {
        do {
            return try RunID(text)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
    }

    /// A digest argument, or a usage error.
    static func digest(_ text: String) throws -> Digest {
        do {
            return try Digest(parsing: text)
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
    }
}

/// How runs print in tables and JSON.
enum RunFormatting {
    static func time(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "-" }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(Date.ISO8601FormatStyle())
    }

    static func metrics(_ run: Run, limit: Int = 3) -> String {
        run.latestMetrics.keys.sorted().prefix(limit).map { key in
            "\(key)=\(String(format: "%.4g", run.latestMetrics[key]?.value ?? .nan))"
        }.joined(separator: " ")
    }

    static func table(_ runs: [Run]) -> String {
        var lines = ["RUN ID                                EXPERIMENT       NAME                 STATUS    STARTED               METRICS"]
        for run in runs {
            lines.append([
                run.id.value, pad(run.experiment, 16), pad(run.name, 20), pad(run.status.rawValue, 9), pad(time(run.startTime), 21), metrics(run),
            ].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
    }
}
