import ArgumentParser
import Foundation
import Lineage
import MLOpsStorage
import Registry

/// `mlops models export`: one version as a portable bundle file.
struct ModelsExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a version (manifest, card, Lineage run, approvals and their keys, the artifact) to a zlib-compressed, sealed bundle file (reads the store; never changes it).",
        discussion: "The file is new: an existing file is never overwritten, and a failed export leaves no file behind.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The model (team/model).", transform: ModelName.parsingArgument) var name: ModelName
    @Option(help: "The version.") var version: Int
    @Option(help: "The bundle file to create.") var output: String
    @Option(help: "The artifact folder (default: beside a SQLite store, named after it).") var artifacts: String?

    struct Output: Encodable {
        let model: ModelName
        let version: Int
        let path: String
        let bytes: Int64
        let artifactDigest: Digest
        let approvals: Int
        let lineageRun: Bool

        enum CodingKeys: String, CodingKey {
            case model, version, path, bytes, approvals
            case artifactDigest = "artifact_digest", lineageRun = "lineage_run"
        }
    }

    func validate() throws {
        guard !output.isEmpty, !output.hasSuffix("/") else { throw ValidationError("--output '\(output)' is not a file name: give the path of the bundle to create.") }
        if FileManager.default.fileExists(atPath: output) {
            throw ValidationError("something exists at --output \(output) already; a bundle is never written over another file.")
        }
        _ = try store.artifactsFolder(artifacts)
    }

    func run() async throws {
        let folder = try store.artifactsFolder(artifacts)
        guard FileManager.default.fileExists(atPath: folder) else {
            throw CommandFailure.usage("error: there is no artifact folder at \(folder). Fix: give --artifacts DIR, the folder the model's bytes were stored in.")
        }
        // Opened read-only: an export reads the model's bytes and writes nothing into the folder.
        let artifactStore = try FileSystemArtifactStore(root: folder, readOnly: true)
        let manifest = try await store.withRegistryStore(.read) { registry in
            try await ModelBundle.export(name, version: version, from: registry, artifacts: artifactStore, lineage: registry.lineage, to: output)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? NSNumber)?.int64Value ?? 0
        let result = Output(
            model: name, version: version, path: output, bytes: size, artifactDigest: manifest.version.artifactDigest,
            approvals: manifest.approvals.count, lineageRun: manifest.lineageRun != nil)
        switch formatting.format {
        case .json: try Terminal.printJSON(["exported": result])
        case .text:
            Terminal.output("exported \(name) version \(version) to \(output) (\(size) bytes)")
            Terminal.output("  artifact \(manifest.version.artifactDigest), \(manifest.approvals.count) approvals, lineage run \(manifest.lineageRun.map { "\($0.id)" } ?? "not included")")
        }
    }
}

/// `mlops models import`: a bundle into this registry, verified first.
struct ModelsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Verify a bundle (zlib checksum, seal, artifact digest, version digest, approval signatures) and register its version here (register).",
        discussion: """
            A bundle that does not verify is refused with exit 2 and nothing is written: not the \
            store, not the artifact folder. The version is registered as the next version of the \
            model here (the model too, when missing), by --principal, with the tags \
            mlops.bundle.source and mlops.bundle.seal. Approvals are verified but not carried over: \
            this registry's policies decide afresh.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var acting: PrincipalOption
    @Argument(help: "The bundle file.") var file: String
    @Option(help: "The artifact folder (default: beside a SQLite store, named after it).") var artifacts: String?

    struct Output: Encodable {
        let model: ModelName
        let version: Int
        let sourceVersion: Int
        let modelRegistered: Bool
        let artifactDigest: Digest
        let artifactSize: Int64
        let approvalsVerified: Int
        let seal: String

        enum CodingKeys: String, CodingKey {
            case model, version, seal
            case sourceVersion = "source_version", modelRegistered = "model_registered", artifactDigest = "artifact_digest"
            case artifactSize = "artifact_size", approvalsVerified = "approvals_verified"
        }
    }

    func validate() throws {
        if !FileManager.default.fileExists(atPath: file) {
            throw ValidationError("there is no bundle at \(file): give the path of a file written by `mlops models export`.")
        }
        _ = try store.artifactsFolder(artifacts)
    }

    func run() async throws {
        if let problem = FileReadProblem.at(file) {
            throw CommandFailure.usage("error: cannot import: \(problem). Fix: give the bundle file `mlops models export` wrote.")
        }
        // Verified, then read again to import: a pipe is read into a copy first.
        let bundle = try PipedInput(file, option: "FILE")
        let file = bundle.path
        // Checked before the store is opened: a bad bundle must not even create a store file.
        let verified: VerifiedBundle
        do {
            verified = try ModelBundle.verify(at: file)
        } catch let error as RegistryError where error.code == .invalidBundle {
            throw CommandFailure.usage("error: \(self.file): \(error)")
        }
        let folder = try store.artifactsFolder(artifacts)
        let principal = acting.principal
        let imported = try await store.withRegistryStore(.registryChange) { registry in
            // The principal is checked before the artifact folder is made: a refused import
            // leaves no folder behind. (The import checks again, in its transaction.)
            try await registry.requireRole(.register, of: principal, toDo: "import versions")
            return try await ModelBundle.importBundle(verified, at: file, into: registry, artifacts: try FileSystemArtifactStore(root: folder), by: principal)
        }
        let result = Output(
            model: imported.version.model, version: imported.version.version, sourceVersion: imported.manifest.version.version,
            modelRegistered: imported.modelRegistered, artifactDigest: imported.version.artifactDigest, artifactSize: imported.artifactSize,
            approvalsVerified: imported.approvalsVerified, seal: imported.seal)
        switch formatting.format {
        case .json: try Terminal.printJSON(["imported": result])
        case .text:
            Terminal.output("imported \(result.model) version \(result.sourceVersion) as version \(result.version)\(result.modelRegistered ? " (model registered)" : "")")
            Terminal.output("  artifact \(result.artifactDigest) (\(result.artifactSize) bytes), \(result.approvalsVerified) approval signatures verified (not carried over)")
        }
    }
}
