import ArgumentParser
import Foundation
import Lineage
import MLOpsStorage
import Registry

/// `mlops store check`: integrity and schema versions; exit 1 when anything is wrong.
struct StoreCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a store's integrity and schema versions (exit 1 when a problem is found).",
        discussion: "Never creates or changes the store. A store with a registry also has its audit chain verified (as `mlops audit verify` does). With --verify-artifacts, every artifact is read through and its SHA-256 checked, and every registry version whose artifact the folder does not hold is a problem.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>

    @Option(name: .long, help: "The artifact folder (default: beside a SQLite store, named after it).")
    var artifacts: String?

    @Flag(name: .long, help: "Read every artifact and check its digest.")
    var verifyArtifacts = false

    struct SchemaStatus: Encodable {
        let module: String
        let version: Int
        let latest: Int
        let status: String
    }

    struct ArtifactStatus: Codable, Sendable, Hashable {
        let path: String
        let count: Int
        let verified: Int
        let corrupt: [String]
        /// Temporary files in the folder: puts or purges in progress, or left by a killed process.
        let temporaryFiles: Int
        /// Those older than the grace period: left by a process that died (a problem).
        let staleTemporaryFiles: Int
    }

    struct Output: Encodable {
        let store: String
        let ok: Bool
        let schemas: [SchemaStatus]
        let integrityProblems: [String]
        // `audit` and `artifacts` are always present, null when they do not apply, as every key
        // of every other JSON output is.
        /// The registry's audit chain, verified (null when the store has no registry).
        @ExplicitNull var audit: AuditVerification?
        /// The artifact folder's count (null when the store's default folder does not exist yet).
        @ExplicitNull var artifacts: ArtifactStatus?
        let problems: [String]
    }

    func run() async throws {
        let location = store.location
        let output: Output
        do {
            output = try await store.withDatabase(.read) { try await inspect($0, location: location) }
        } catch let error as StorageError where error.reportsCorruption {
            // A damaged database is what the check is for: a finding (exit 1), reported as such.
            output = Output(
                store: location.description, ok: false, schemas: [], integrityProblems: [error.description], audit: nil, artifacts: nil,
                problems: [error.description])
        } catch let error as StorageError where error.code == .interruptedWrite {
            // A finding about the store (exit 1), not bad input: a writer killed mid-transaction
            // left a journal that the next writer rolls back.
            output = Output(
                store: location.description, ok: false, schemas: [], integrityProblems: [], audit: nil, artifacts: nil,
                problems: [error.description])
        }
        switch formatting.format {
        case .json:
            try Terminal.printJSON(output)
        case .text:
            Terminal.output("Store \(location)")
            let width = max(12, output.schemas.map(\.module.count).max() ?? 0)
            for schema in output.schemas {
                Terminal.output("  schema \(schema.module.padding(toLength: width, withPad: " ", startingAt: 0)) version \(schema.version) of \(schema.latest): \(schema.status)")
            }
            Terminal.output("  integrity \(output.integrityProblems.isEmpty ? "ok" : "\(output.integrityProblems.count) problem(s)")")
            if let audit = output.audit {
                Terminal.output(audit.isIntact
                    ? "  audit chain intact: \(audit.entries) entries"
                    : "  audit chain BROKEN at entry \(audit.firstBadSequence ?? 0) (\(audit.entries) entries before it verified)")
            }
            if let artifacts = output.artifacts {
                let verification = verifyArtifacts ? ", \(artifacts.verified) verified, \(artifacts.corrupt.count) corrupt" : " (not read; add --verify-artifacts)"
                Terminal.output("  artifacts \(artifacts.count) in \(artifacts.path)\(verification)")
                if artifacts.temporaryFiles > 0 {
                    Terminal.output("  temporary files \(artifacts.temporaryFiles) (\(artifacts.staleTemporaryFiles) stale, left by interrupted work)")
                }
            }
            for problem in output.problems { Terminal.output("  problem: \(problem)") }
            Terminal.output(output.ok ? "OK" : "PROBLEMS FOUND: \(output.problems.count)")
        }
        if !output.ok { throw ExitCode(1) }
    }

    private func inspect(_ database: any SQLDatabase, location: StoreLocation) async throws -> Output {
        var problems: [String] = []
        let recorded = try await database.recordedSchemaVersions()
        var schemas: [SchemaStatus] = []
        for schema in KnownSchemas.all {
            let version = recorded[schema.module] ?? 0
            let status: String
            if version == schema.latestVersion {
                status = "current"
            } else if version > schema.latestVersion {
                status = "newer"
                problems.append("module '\(schema.module)' is at version \(version), newer than this build knows (\(schema.latestVersion)); use a newer mlops")
            } else if version == 0 {
                // A module this store never used (a lineage-only store has no drift baselines):
                // not a problem; the module's first use migrates it.
                status = "missing"
            } else {
                status = "behind"
                problems.append("module '\(schema.module)' is at version \(version) of \(schema.latestVersion); run `mlops store migrate --store \(location)`")
            }
            schemas.append(SchemaStatus(module: schema.module, version: version, latest: schema.latestVersion, status: status))
        }
        // A module this build does not know: a program's own schema (the storage layer migrates
        // any SQLSchema) or a newer mlops's. Listed, so nothing in the store goes unmentioned, but
        // not a problem: this build neither reads nor writes its tables.
        let known = Set(KnownSchemas.all.map(\.module))
        for (module, version) in recorded.sorted(by: { $0.key < $1.key }) where !known.contains(module) {
            schemas.append(SchemaStatus(module: module, version: version, latest: 0, status: "unknown"))
        }
        // A module never used is fine, but a database that holds tables and none of our schemas
        // is not a swift-mlops store (an empty one is: a store killed before its first migration).
        if schemas.allSatisfy({ $0.version == 0 }), try await StoreSession.holdsForeignTables(database) {
            problems.append("the database holds tables but none of swift-mlops' schemas (\(KnownSchemas.all.map(\.module).joined(separator: ", "))): it is another tool's database, which mlops reads but never writes; point --store at a swift-mlops store, or at a new file to create one")
        }

        var integrity = try await database.checkIntegrity()
        // PostgreSQL checks metric points against runs and names with triggers, not foreign
        // keys: look for points that got past them, as SQLite's foreign key check does.
        if schemas.contains(where: { $0.module == LineageSchema.schema.module && $0.status == "current" }) {
            integrity += try await database.read { try await MetricReferenceChecks.orphanedPoints(in: $0) }
        }
        problems += integrity

        // The registry's hash chain: an edited, deleted, inserted or reordered entry, or one a
        // crash left half written, is a problem of the store like a damaged page.
        var audit: AuditVerification?
        var registry: SQLRegistryStore?
        if schemas.contains(where: { $0.module == RegistrySchema.schema.module && $0.status == "current" }) {
            let opened = try await SQLRegistryStore(database: database, migrate: false)
            registry = opened
            let verification = try await opened.verifyAudit()
            if let bad = verification.firstBadSequence {
                problems.append("the registry's audit chain is broken at entry \(bad): \(verification.problem ?? "")")
            }
            audit = verification
            // Ready versions of bytes that a quarantine held back when they were registered: what
            // builds before the registry refused such registrations let through.
            for found in try await ReadyVersionsOnHeldBytes.find(in: opened) {
                let (ready, holder) = (found.ready, found.holder)
                problems.append(
                    "\(ready.model) version \(ready.version) is ready, but its artifact \(ready.artifactDigest) was held back when it was registered: \(holder.model) version \(holder.version) had been quarantined (audit entry \(found.quarantinedAt), registration entry \(found.registeredAt); an earlier mlops let the registration through); review it, and run `mlops models quarantine \(ready.model) --version \(ready.version) --principal ADMIN --reason …` if the bytes are the ones held back")
            }
        }

        var artifactStatus: ArtifactStatus?
        if let folder = artifacts ?? location.defaultArtifactsPath, FileManager.default.fileExists(atPath: folder) {
            // A read-only open refuses a folder that is not a store, and accepts one whose
            // creation a killed process left unfinished (empty, no marker yet) as an empty store.
            let store: FileSystemArtifactStore
            do {
                store = try FileSystemArtifactStore(root: folder, readOnly: true)
            } catch {
                problems.append(error.description)
                return Output(
                    store: location.description, ok: false, schemas: schemas, integrityProblems: integrity,
                    audit: audit, artifacts: nil, problems: problems)
            }
            let digests = try await store.allDigests()
            var corrupt: [String] = []
            var verified = 0
            if verifyArtifacts {
                for (index, digest) in digests.enumerated() {
                    Terminal.progress("verifying artifact \(index + 1) of \(digests.count)")
                    do {
                        try await store.verify(digest)
                        verified += 1
                    } catch let error as StorageError {
                        corrupt.append(digest.description)
                        problems.append(error.description)
                    }
                }
            }
            // Bytes the registry's versions point at and the folder no longer holds (deleted
            // outside mlops): reading every artifact says nothing about those not there.
            if verifyArtifacts, let registry {
                for lost in try await MissingArtifacts.find(in: registry, present: Set(digests)) {
                    problems.append(
                        "\(lost.model) version \(lost.version) points at the artifact \(lost.artifactDigest), which \(folder) does not hold: its bytes are gone; restore them from a backup (or pass --artifacts if they are kept in another folder)")
                }
            }
            // Leftovers of interrupted work: stale temporary files, interrupted purges, stray files.
            let inspection = try await store.inspect()
            problems += inspection.problems
            // A registry purge killed between its record and its bytes left the bytes behind.
            if let registry {
                for left in try await UnfinishedPurges.find(in: registry, artifacts: store) {
                    problems.append(
                        "\(left.model) version \(left.version) is purged, but its artifact \(left.artifactDigest) is still in \(folder) (a purge stopped before it removed the bytes); run `mlops models purge \(left.model) --version \(left.version) --principal ADMIN --reason …` again to finish it")
                }
            }
            artifactStatus = ArtifactStatus(
                path: folder, count: digests.count, verified: verified, corrupt: corrupt,
                temporaryFiles: inspection.temporaryFiles.count, staleTemporaryFiles: inspection.staleTemporaryFiles.count)
        } else if let folder = artifacts {
            problems.append("the artifact folder \(folder) does not exist")
        } else if verifyArtifacts, let registry, let folder = location.defaultArtifactsPath {
            let lost = try await MissingArtifacts.find(in: registry, present: [])
            if !lost.isEmpty {
                problems.append(
                    "the artifact folder \(folder) does not exist, so the bytes of \(lost.count) registry version\(lost.count == 1 ? "" : "s") (\(lost.prefix(3).map { "\($0.model) version \($0.version)" }.joined(separator: ", "))\(lost.count > 3 ? ", …" : "")) cannot be verified; pass --artifacts with the folder that keeps them")
            }
        }

        return Output(
            store: location.description, ok: problems.isEmpty, schemas: schemas, integrityProblems: integrity,
            audit: audit, artifacts: artifactStatus, problems: problems)
    }
}

