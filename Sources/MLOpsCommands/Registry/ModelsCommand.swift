import ArgumentParser
import Foundation
import Lineage
import MLOpsStorage
import Registry

/// `mlops models`: the model registry.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Register, approve, promote, roll back and purge model versions; the store enforces roles and policies.",
        discussion: """
            Mutating commands act as --principal; the store checks its role and the alias's promotion \
            policy, and appends every change to the hash-chained audit log (`mlops audit verify`).
            Exit codes: 0 done; 1 a promotion refused by policy (every failed rule listed) or a \
            conflicting promotion; 2 bad input, an unknown model or principal, a principal \
            without the role (named), or a bundle that does not verify.
            """,
        subcommands: [
            ModelsList.self, ModelsShow.self, ModelsRegister.self, ModelsApprove.self, ModelsPromote.self,
            ModelsRollback.self, ModelsQuarantine.self, ModelsPurge.self, ModelsExport.self, ModelsImport.self,
        ])
}

struct ModelsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered models (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>

    struct Entry: Encodable {
        let model: RegisteredModel
        let aliases: [AliasAssignment]
    }

    func run() async throws {
        let entries = try await store.withRegistryStore(.read) { registry in
            var entries: [Entry] = []
            for model in try await registry.models() {
                entries.append(Entry(model: model, aliases: try await registry.aliases(of: model.name)))
            }
            return entries
        }
        switch formatting.format {
        case .json:
            try Terminal.printJSON(["models": entries])
        case .text:
            if entries.isEmpty { Terminal.output("no models registered") }
            for entry in entries {
                let aliases = entry.aliases.map { "\($0.alias)→v\($0.version)" }.joined(separator: ", ")
                Terminal.output("\(entry.model.name)  risk \(entry.model.riskClass)  \(entry.model.latestVersion) versions  owner \(entry.model.owner)\(aliases.isEmpty ? "" : "  [\(aliases)]")")
            }
        }
    }
}

struct ModelsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a model, its versions and aliases, or one version with its card and approvals (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The model (team/model).", transform: ModelName.parsingArgument) var name: ModelName
    @Option(help: "Show this version in full.") var version: Int?

    struct ModelOutput: Encodable {
        let model: RegisteredModel
        let versions: [ModelVersion]
        let aliases: [AliasAssignment]
        let policies: [PromotionPolicy]
    }

    struct VersionOutput: Encodable {
        let model: RegisteredModel
        let version: ModelVersion
        let aliases: [String]
        let approvals: [Approval]
        let cardMarkdown: String?

        enum CodingKeys: String, CodingKey {
            case model, version, aliases, approvals
            case cardMarkdown = "card_markdown"
        }
    }

    func run() async throws {
        if let number = version {
            let output = try await store.withRegistryStore(.read) { registry in
                let model = try await registry.model(name)
                let version = try await registry.version(name, number)
                let aliases = try await registry.aliases(of: name).filter { $0.version == number }.map(\.alias)
                return VersionOutput(
                    model: model, version: version, aliases: aliases, approvals: try await registry.approvals(of: name, version: number),
                    cardMarkdown: version.card?.markdown(model: name, version: number, riskClass: model.riskClass))
            }
            switch formatting.format {
            case .json: try Terminal.printJSON(output)
            case .text:
                let v = output.version
                Terminal.output("\(name) version \(v.version)  [\(v.status)\(v.statusReason.map { ": \($0)" } ?? "")]  by \(v.author)")
                Terminal.output("  digest    \(v.digest)")
                Terminal.output("  artifact  \(v.artifactDigest)")
                if let run = v.runID { Terminal.output("  run       \(run)") }
                if let source = v.source { Terminal.output("  source    \(source)") }
                if let featureSet = v.featureSetHash { Terminal.output("  features  \(featureSet)") }
                for (key, value) in v.metrics.sorted(by: { $0.key < $1.key }) { Terminal.output("  metric    \(key) = \(value)") }
                for (key, value) in v.tags.sorted(by: { $0.key < $1.key }) { Terminal.output("  tag       \(key) = \(value)") }
                if let signature = v.signature {
                    func fields(_ list: [ModelSignature.Field]) -> String {
                        list.map { "\($0.name): \($0.type)\($0.shape.map { " \($0)" } ?? "")" }.joined(separator: ", ")
                    }
                    Terminal.output("  inputs    \(fields(signature.inputs))")
                    Terminal.output("  outputs   \(fields(signature.outputs))")
                }
                if !output.aliases.isEmpty { Terminal.output("  aliases   \(output.aliases.joined(separator: ", "))") }
                for approval in output.approvals { Terminal.output("  approved  for \(approval.alias) by \(approval.principal) until \(approval.expiresAt)") }
                if let markdown = output.cardMarkdown { Terminal.output(""); Terminal.output(markdown) }
            }
            return
        }
        let output = try await store.withRegistryStore(.read) { registry in
            let model = try await registry.model(name)
            // The policies that can apply to this model: its risk class's own and the catch-alls.
            let policies = try await registry.policies().filter { $0.riskClass == nil || $0.riskClass == model.riskClass }
            return ModelOutput(
                model: model, versions: try await registry.versions(of: name), aliases: try await registry.aliases(of: name), policies: policies)
        }
        switch formatting.format {
        case .json: try Terminal.printJSON(output)
        case .text:
            Terminal.output("\(output.model.name)  risk \(output.model.riskClass)  owner \(output.model.owner)")
            if !output.model.description.isEmpty { Terminal.output("  \(output.model.description)") }
            for alias in output.aliases { Terminal.output("  alias \(alias.alias) → version \(alias.version) (revision \(alias.revision), by \(alias.assignedBy))") }
            for version in output.versions {
                let metrics = version.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                Terminal.output("  v\(version.version)  \(version.status)  by \(version.author)  \(metrics)")
            }
        }
    }
}

struct ModelsRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a model, and with --artifact-file or --artifact-digest a new version of it (the model is registered first when missing).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var acting: PrincipalOption
    @Argument(help: "The model (team/model).", transform: ModelName.parsingArgument) var name: ModelName
    @Option(help: "The model's risk class, when it is registered now: low, medium (default), high, or an organisation's own (give it a policy).") var riskClass: RiskClass = .medium
    @Option(help: "What the model does, when it is registered now.") var description: String = ""
    @Option(help: "Who answers for the model (default: the principal).") var owner: String?
    @Option(name: .customLong("artifact-file"), help: "The model file: stored in the artifact folder, and its digest registered.") var artifactFile: String?
    @Option(
        name: .customLong("artifact-digest"),
        help: "The digest of a model already in the artifact folder (checked there; on PostgreSQL only when --artifacts is given).")
    var artifactDigest: Digest?
    @Option(help: "The artifact folder (default: beside a SQLite store, named after it).") var artifacts: String?
    @Option(help: "The Lineage run that trained the version.") var run: RunID?
    @Option(name: .customLong("metric"), help: "An evaluation metric, NAME=VALUE (repeatable).") var metrics: [String] = []
    @Option(name: .customLong("tag"), help: "A version tag, KEY=VALUE (repeatable).") var tags: [String] = []
    @Option(help: "A JSON file holding the model card: intended_use, limitations, training_data, evaluation_slices (objects of name and metrics), owners.") var card: String?
    @Option(help: "The input/output signature as JSON: {\"inputs\": [{\"name\", \"type\", \"shape\"?}], \"outputs\": [...]}.") var signature: String?
    @Option(name: .customLong("feature-set-hash"), help: "The hash of the feature set the version was trained with.") var featureSetHash: String?
    @Option(help: "Where the artifact came from (MLflow's source URI).") var source: String?

    struct Output: Encodable {
        let model: RegisteredModel
        let version: ModelVersion?
        let modelCreated: Bool

        enum CodingKeys: String, CodingKey {
            case model, version
            case modelCreated = "model_created"
        }
    }

    func validate() throws {
        if artifactFile != nil && artifactDigest != nil {
            throw ValidationError("give --artifact-file or --artifact-digest, not both.")
        }
        if artifactFile == nil && artifactDigest == nil
            && (run != nil || !metrics.isEmpty || !tags.isEmpty || card != nil || signature != nil || featureSetHash != nil || source != nil) {
            throw ValidationError("--run, --metric, --tag, --card, --signature, --feature-set-hash and --source describe a version: give its --artifact-file or --artifact-digest too.")
        }
        if let artifactFile, let problem = FileReadProblem.at(artifactFile) {
            // (A device such as /dev/zero would be stored without end.)
            throw ValidationError("--artifact-file: \(problem).")
        }
        if let card, !FileManager.default.fileExists(atPath: card) {
            throw ValidationError("there is no file at --card \(card).")
        }
        if let signature, !FileManager.default.fileExists(atPath: signature) {
            throw ValidationError("there is no file at --signature \(signature).")
        }
        _ = try KeyValueArguments.numbers(metrics, option: "metric")
        for key in try KeyValueArguments.pairs(tags, option: "tag").keys
        where key.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("mlops.") {
            // `mlops.bundle.source` and `mlops.bundle.seal` say a version came from a verified
            // bundle: only `models import` writes them.
            throw ValidationError("--tag \(key) is reserved: tags that start with 'mlops.' are written by mlops itself (models import). Fix: choose another key.")
        }
        if artifactFile != nil { _ = try store.artifactsFolder(artifacts) }
    }

    /// The JSON file `path` given to `flag`, decoded as `type`: an unreadable file, a key written
    /// twice in one object, or JSON of another shape is a usage error (exit 2) naming the flag.
    static func readJSON<Value: Decodable>(
        _ type: Value.Type, path: String, flag: String, what: String, keys: JSONKnownKeys, fix: String
    ) throws -> Value {
        let data = try ConfigurationFile.read(path, flag: flag, fix: "give \(what) as a JSON file of at most 64 MiB.")
        if let twice = JSONDuplicateKeys.first(in: data) {
            throw CommandFailure.usage("error: \(flag) \(path) has the key \(twice) twice in one object, so which value counts is unclear. Fix: keep one of the two.")
        }
        if let unknown = keys.firstUnknown(in: data) {
            throw CommandFailure.usage(
                "error: \(flag) \(path) has the key \(unknown.path), which \(what) does not define. Fix: use only \(unknown.allowed.sorted().joined(separator: ", ")) there (keys are case-sensitive).")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw CommandFailure.usage("error: \(flag) \(path) is not \(what) in JSON: \(DecodingErrorText.describe(error)). Fix: \(fix)")
        }
    }

    func run() async throws {
        let cardValue = try card.map { path in
            try Self.readJSON(
                ModelCard.self, path: path, flag: "--card", what: "a model card", keys: .modelCard,
                fix: "give intended_use, limitations, training_data, evaluation_slices and owners.")
        }
        let signatureValue = try signature.map { path in
            let read = try Self.readJSON(
                ModelSignature.self, path: path, flag: "--signature", what: "a model signature", keys: .modelSignature,
                fix: "give {\"inputs\": [{\"name\": \"amount\", \"type\": \"double\"}], \"outputs\": [...]}, with \"shape\" for tensors.")
            // Judged here too (the store judges it again), before any bytes are stored.
            do {
                try read.validate()
            } catch {
                throw CommandFailure.usage("error: --signature \(path): \(error)")
            }
            return read
        }
        // The folder that must hold the bytes --artifact-digest names, when it can be checked.
        var digestFolder: String?
        if let artifactDigest, let folder = artifacts ?? store.location.defaultArtifactsPath {
            // A version points at bytes the registry can export and serve: they must be there
            // (purged bytes are not: their tombstone is all that is left).
            let held: Bool
            if FileManager.default.fileExists(atPath: folder) {
                held = try await FileSystemArtifactStore(root: folder, readOnly: true).contains(artifactDigest)
            } else {
                held = false
            }
            guard held else { throw Self.notHeld(artifactDigest, in: folder) }
            digestFolder = folder
        }
        if let run {
            // A version's lineage link must lead somewhere: the run is looked up in this store
            // (read-only; a store without lineage tables holds no run).
            var found = false
            if case .sqliteFile(let path) = store.location, !FileManager.default.fileExists(atPath: path) {
                found = false  // a store not created yet holds no run
            } else {
                do {
                    _ = try await store.withLineageStore(.read) { try await $0.run(run) }
                    found = true
                } catch let error as LineageError where error.code == .notFound {
                    found = false
                } catch let error as StorageError where error.code == .schemaTooOld {
                    found = false  // no lineage tables yet: no run at all
                }
            }
            guard found else {
                throw CommandFailure.usage("error: there is no run \(run) in \(store.location), so the version could not be tied to it; nothing was registered. Fix: record the run in this store first (mlops runs list shows the runs), or leave --run out.")
            }
        }
        if artifactFile != nil {
            // The bytes are stored only for a principal the store will let register.
            try await store.withRegistryStore(.registryChange) { try await $0.requireRole(.register, of: acting.principal, toDo: "register models and versions") }
        }
        let metricValues = try KeyValueArguments.numbers(metrics, option: "metric")
        let tagValues = try KeyValueArguments.pairs(tags, option: "tag")
        func version(_ digest: Digest) -> VersionRegistration {
            VersionRegistration(
                model: name, runID: run, artifactDigest: digest, source: source, featureSetHash: featureSetHash,
                signature: signatureValue, metrics: metricValues, tags: tagValues, card: cardValue)
        }
        // The version is recorded while no purge of its bytes can run (the artifact folder's lock
        // on the digest): a purge of another version on the same bytes that found them unused a
        // moment ago has either removed them already, and the put stores them again, or asks
        // again after this version is recorded and keeps them.
        let output: Output
        if let artifactFile {
            let artifactStore = try FileSystemArtifactStore(root: try store.artifactsFolder(artifacts))
            // A refused registration of purged bytes (quarantined ones) leaves them purged.
            output = try await artifactStore.put(contentsOf: artifactFile, thenHolding: { receipt in
                try await record(version(receipt.digest))
            }, ifStoredThrows: { digest in try await UnfinishedPurges.isUsed(digest, in: store) })
        } else if let artifactDigest, let digestFolder {
            do {
                output = try await FileSystemArtifactStore(root: digestFolder).holding(artifactDigest) {
                    try await record(version(artifactDigest))
                }
            } catch let error as StorageError where error.code == .artifactPurged || error.code == .artifactNotFound {
                // Purged since the check above.
                throw Self.notHeld(artifactDigest, in: digestFolder)
            }
        } else {
            output = try await record(artifactDigest.map(version))
        }
        switch formatting.format {
        case .json: try Terminal.printJSON(output)
        case .text:
            if output.modelCreated { Terminal.output("registered model \(name) (risk \(output.model.riskClass))") }
            if let version = output.version { Terminal.output("registered \(name) version \(version.version)  digest \(version.digest)") }
        }
    }

    /// The usage error for an `--artifact-digest` the artifact folder does not hold.
    private static func notHeld(_ digest: Digest, in folder: String) -> CommandFailure {
        .usage("error: the artifact folder \(folder) holds no artifact \(digest); nothing was registered. Fix: register the model file with --artifact-file, or name the folder that holds it with --artifacts.")
    }

    /// Registers `version` (the model too when it is new, in the same transaction), or without
    /// one the model alone.
    private func record(_ version: VersionRegistration?) async throws -> Output {
        let principal = acting.principal
        let model = ModelRegistration(name: name, description: description, owner: owner, riskClass: riskClass)
        return try await store.withRegistryStore(.registryChange) { registry in
            let registered: ModelVersion?, created: Bool
            if let version {
                (registered, created) = try await registry.registerVersion(version, creatingModel: model, by: principal)
            } else {
                do {
                    _ = try await registry.registerModel(model, by: principal)
                } catch let error as RegistryError where error.code == .alreadyExists {
                    throw CommandFailure.usage("error: model \(name) is registered already. Fix: give --artifact-file or --artifact-digest to register a new version of it.")
                }
                (registered, created) = (nil, true)
            }
            if created, !RiskClass.builtIn.contains(riskClass), try await !registry.policies().contains(where: { $0.riskClass == riskClass }) {
                Terminal.error(
                    "warning: risk class '\(riskClass)' is not low, medium or high and no policy names it: an alias with policies for other classes refuses to promote this model until one does (mlops policies set --risk-class \(riskClass) …).")
            }
            return Output(model: try await registry.model(name), version: registered, modelCreated: created)
        }
    }
}

struct ModelsApprove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Sign an approval of a version for an alias with the principal's Ed25519 key, under the alias's current policy, and record it.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var acting: PrincipalOption
    @Argument(help: "The model (team/model).", transform: ModelName.parsingArgument) var name: ModelName
    @Option(help: "The version approved.") var version: Int
    @Option(help: "The alias it may take.") var alias: String
    @Option(help: "The principal's private key file (from `mlops keys generate`).") var key: String
    @Option(name: .customLong("valid-for-hours"), help: "How long the approval counts (default 168, a week).") var validForHours: Double = 168

    func validate() throws {
        guard validForHours.isFinite, validForHours * 3_600_000 >= 1, validForHours <= 24 * 366 else {
            throw ValidationError("--valid-for-hours must be at least a millisecond and at most a year (8784).")
        }
        guard FileManager.default.fileExists(atPath: key) else { throw ValidationError("there is no key file at --key \(key).") }
    }

    func run() async throws {
        let signingKey = try SigningKeyFile.read(key, flag: "--key")
        let principal = acting.principal
        let (name, number, alias, hours) = (name, version, alias, validForHours)
        let approval = try await store.withRegistryStore(.registryChange) { registry in
            // The policy is read, signed and submitted in separate steps: when an admin changes
            // it in between (the store then refuses the signature), the approval is signed again
            // under the policy now in force, as running the command again would.
            var attempt = 1
            while true {
                let target = try await registry.version(name, number)
                // An approval signs the policy it is given under; without one it would count for nothing.
                guard let policy = try await registry.policy(for: name, alias: alias) else {
                    throw CommandFailure.usage(
                        "error: alias '\(alias)' of \(name) has no promotion policy, so there is nothing to approve under. Fix: an admin sets one first (`mlops policies set --alias \(alias) …`).")
                }
                let approval = try Approval.sign(
                    model: name, version: number, versionDigest: target.digest, alias: alias,
                    policyHash: try policy.hash(), principal: principal, key: signingKey,
                    // To the millisecond, the resolution approvals are signed and stored at (whole
                    // seconds cut 0.00125 h to 4 s, and 0.0002 h to an approval already expired).
                    validFor: .milliseconds(Int64((hours * 3_600_000).rounded())))
                do {
                    try await registry.submitApproval(approval)
                    return approval
                } catch let error as RegistryError where error.code == .invalidSignature && attempt < 3 {
                    guard let now = try await registry.policy(for: name, alias: alias), try now.hash() != approval.policyHash else { throw error }
                    Terminal.error("note: the policy of alias '\(alias)' changed while the approval was being signed; signing it again under the policy now in force.")
                    attempt += 1
                }
            }
        }
        switch formatting.format {
        case .json: try Terminal.printJSON(approval)
        case .text: Terminal.output("\(principal) approved \(name) version \(number) for \(alias) (until \(approval.expiresAt))")
        }
    }
}

/// What `promote` and `rollback` print.
struct AliasMoveOutput: Encodable {
    let assignment: AliasAssignment
    let previousVersion: Int?

    enum CodingKeys: String, CodingKey {
        case assignment
        case previousVersion = "previous_version"
    }

    /// Where `alias` points as the command starts (`.some(nil)`: unset), read before the store is
    /// opened for writing. Opening for writing may wait for another writer (its lock, or a
    /// migration): a promotion or rollback that read the holder after that wait would see what
    /// the command it waited for left, and two started together would both move the alias. `nil`
    /// when the store cannot be read so (missing, or its registry tables not yet made): the
    /// command then reads the holder inside its own transaction.
    static func holderAtStart(_ store: StoreOptions, _ name: ModelName, _ alias: String) async -> Int?? {
        do {
            return .some(try await store.withRegistryStore(.read) { try await holder(in: $0, name, alias) })
        } catch {
            return nil
        }
    }

    /// The holder the command saw: `atStart` when it could be read then, else as `registry` has it now.
    static func holder(seenAtStart atStart: Int??, in registry: SQLRegistryStore, _ name: ModelName, _ alias: String) async throws -> Int? {
        if let atStart { return atStart }
        return try await holder(in: registry, name, alias)
    }

    /// The version `alias` points at in `registry` (nil: unset).
    private static func holder(in registry: SQLRegistryStore, _ name: ModelName, _ alias: String) async throws -> Int? {
        try await registry.aliases(of: name).first { $0.alias == alias }?.version
    }

    /// `previous_version` is always there: `null` when the alias was unset.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(assignment, forKey: .assignment)
        try container.encode(previousVersion, forKey: .previousVersion)
    }

    func print(_ format: OutputFormat, verb: String) throws {
        switch format {
        case .json: try Terminal.printJSON(self)
        case .text:
            Terminal.output("\(verb) \(assignment.model)#\(assignment.alias): \(previousVersion.map { "version \($0)" } ?? "nothing") → version \(assignment.version) (revision \(assignment.revision))")
        }
    }
}

struct ModelsPromote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Point an alias at a version, if the alias's policy passes (exit 1 listing every failed rule) and no other promotion moved it meanwhile.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var acting: PrincipalOption
    @Argument(help: "The model (team/model).", transform: ModelName.parsingArgument) var name: ModelName
    @Option(help: "The version to promote.") var version: Int
    @Option(help: "The alias (production, staging, champion, any name).") var alias: String
    @Option(help: "Why, for the audit log.") var reason: String = ""
    @Option(
        name: .customLong("expect-current"),
        help: "The version the alias must point at now ('none' when unset); default: where it pointed when the command started.")
    var expectCurrent: String?

    func validate() throws {
        if let expectCurrent, expectCurrent != "none", (Int(expectCurrent) ?? 0) < 1 {
            throw ValidationError("--expect-current must be a version number (1 or more) or 'none', not '\(expectCurrent)'.")
        }
    }

    func run() async throws {
        let principal = acting.principal
        let (name, number, alias, reason, expectCurrent) = (name, version, alias, reason, expectCurrent)
        let atStart = expectCurrent == nil ? await AliasMoveOutput.holderAtStart(store, name, alias) : nil
        let output = try await store.withRegistryStore(.registryChange) { registry in
            // Compare-and-set against what this command saw: a promotion that lands in between
            // makes this one fail with a conflict instead of silently overwriting it.
            let seen = try await AliasMoveOutput.holder(seenAtStart: atStart, in: registry, name, alias)
            let expectation: AliasExpectation
            switch expectCurrent {
            case nil: expectation = seen.map { .version($0) } ?? .unset
            case "none": expectation = .unset
            case let text?: expectation = .version(Int(text) ?? -1)
            }
            let assignment = try await registry.promote(name, version: number, to: alias, by: principal, reason: reason, expecting: expectation)
            return AliasMoveOutput(assignment: assignment, previousVersion: seen)
        }
        try output.print(formatting.format, verb: "promoted")
    }
}

struct ModelsRollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Return an alias to the version it pointed at before its current holder, recording why.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var acting: PrincipalOption
    @Argument(help: "The model (team/model).", transform: ModelName.parsingArgument) var name: ModelName
    @Option(help: "The alias to roll back.") var alias: String
    @Option(help: "Why (required; kept in the alias history and the audit log).") var reason: String
    @Option(
        name: .customLong("expect-current"),
        help: "The version the alias must point at now; default: where it pointed when the command started (two rollbacks that saw the same holder go back one step, not two).")
    var expectCurrent: Int?

    func validate() throws {
        if let expectCurrent, expectCurrent < 1 {
            throw ValidationError("--expect-current must be a version number (1 or more), not \(expectCurrent).")
        }
    }

    func run() async throws {
        let principal = acting.principal
        let (name, alias, reason, expectCurrent) = (name, alias, reason, expectCurrent)
        let atStart = expectCurrent == nil ? await AliasMoveOutput.holderAtStart(store, name, alias) : nil
        let output = try await store.withRegistryStore(.registryChange) { registry in
            // Compare-and-set, as promote does: a move that lands in between makes this a conflict.
            let before = try await AliasMoveOutput.holder(seenAtStart: atStart, in: registry, name, alias)
            let expectation: AliasExpectation = (expectCurrent ?? before).map { .version($0) } ?? .unset
            let assignment = try await registry.rollback(name, alias: alias, by: principal, reason: reason, expecting: expectation)
            return AliasMoveOutput(assignment: assignment, previousVersion: expectCurrent ?? before)
        }
        try output.print(formatting.format, verb: "rolled back")
    }
}

struct ModelsQuarantine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Hold a version back for good: kept for the record, never promoted again (admin).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var target: VersionActionOptions

    func run() async throws {
        let (principal, name, number, reason) = (target.principal, target.name, target.version, target.reason)
        let version = try await store.withRegistryStore(.registryChange) { try await $0.quarantine(name, version: number, by: principal, reason: reason) }
        switch formatting.format {
        case .json: try Terminal.printJSON(version)
        case .text: Terminal.output("quarantined \(name) version \(number): \(reason)")
        }
        // The hold stops new versions of these bytes; versions registered on them before stay
        // ready, one decision each. Named, so that bad bytes are not left serving elsewhere; the
        // quarantine is done, so a failed look-up only loses the note.
        let digest = version.artifactDigest
        let others = ((try? await store.withRegistryStore(.read) { try await $0.versions(usingArtifact: digest) }) ?? []).filter { $0.status == .ready }
        if !others.isEmpty {
            let listed = others.prefix(10).map { "\($0.model) version \($0.version)" }.joined(separator: ", ") + (others.count > 10 ? ", …" : "")
            Terminal.error(
                "note: \(others.count) other version\(others.count == 1 ? "" : "s") of the same artifact \(others.count == 1 ? "is" : "are") still ready: \(listed). Quarantine \(others.count == 1 ? "it" : "them") too if the bytes themselves are bad.")
        }
    }
}

struct ModelsPurge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove a version's artifact bytes and sensitive metadata, keeping a tombstone and the audit trail (admin).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var target: VersionActionOptions
    @Option(help: "The artifact folder (default: beside a SQLite store, named after it).") var artifacts: String?

    struct Output: Encodable {
        let outcome: PurgeOutcome
        let artifactBytesRemoved: Bool

        enum CodingKeys: String, CodingKey {
            case outcome
            case artifactBytesRemoved = "artifact_bytes_removed"
        }
    }

    func run() async throws {
        let (principal, name, number, reason) = (target.principal, target.name, target.version, target.reason)
        // The artifact folder is checked before anything changes: a folder named that is not
        // there, or is not an artifact store, refuses the purge instead of purging the record
        // and leaving the bytes.
        if let artifacts, !FileManager.default.fileExists(atPath: artifacts) {
            throw CommandFailure.usage("error: there is no artifact folder at \(artifacts), so the version's bytes could not be removed. Fix: name the folder the artifacts were stored in, or leave --artifacts out to use the store's own.")
        }
        // An empty folder reads as an empty store (one whose creation was cut short), but a
        // folder named for a purge must be the one that holds the bytes.
        if let artifacts, FileSystemArtifactStore.isUnfinishedCreation(artifacts) {
            throw CommandFailure.usage("error: the folder \(artifacts) holds no artifacts, so the version's bytes could not be removed; nothing was purged. Fix: name the folder the artifacts were stored in, or leave --artifacts out to use the store's own.")
        }
        // Checked read-only (a writing open adopts an empty folder and clears stale temporary
        // files, which a purge the registry then refuses must not do); opened to write after.
        let folder = (artifacts ?? store.location.defaultArtifactsPath).flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        if let folder { _ = try FileSystemArtifactStore(root: folder, readOnly: true) }
        // A folder named explicitly must hold this version's bytes: another artifact store
        // (valid, but not the one the version was stored in) would purge the record and leave
        // the bytes where they are. Checked before anything changes; a version purged already
        // goes on to the purge below, which finishes an interrupted one or says it is purged.
        if let artifacts, let version = try await liveVersion(),
           try await !FileSystemArtifactStore(root: artifacts, readOnly: true).contains(version.artifactDigest) {
            throw CommandFailure.usage("error: the folder \(artifacts) does not hold the artifact of \(name) version \(number) (\(version.artifactDigest)), so its bytes could not be removed; nothing was purged. Fix: name the folder the artifacts were stored in, or leave --artifacts out to use the store's own.")
        }
        let outcome: PurgeOutcome
        do {
            outcome = try await store.withRegistryStore(.registryChange) { try await $0.purge(name, version: number, by: principal, reason: reason) }
        } catch let error as RegistryError where error.code == .versionUnavailable {
            // Purged already: if a killed purge left the bytes, this run finishes it.
            guard let folder, try await finishInterruptedPurge(in: folder) else { throw error }
            return
        }
        // The record is purged first; the bytes follow (a second purge of the bytes is harmless;
        // bytes a killed process left are removed by running the purge again). Whether another
        // version uses them is asked again under the folder's lock on the digest: a version
        // registered on the same bytes since the purge's transaction keeps them.
        var removed = false
        var stillUsed = outcome.artifactStillUsed
        var removedElsewhere = false
        if !stillUsed, let folder {
            let digest = outcome.version.artifactDigest
            let artifactStore = try FileSystemArtifactStore(root: folder)
            removed = try await artifactStore.purge(digest, reason: "model \(name) version \(number) purged: \(reason)") {
                stillUsed = try await UnfinishedPurges.isUsed(digest, in: store)
                return stillUsed
            }
            // Another purge of this version, started at the same moment, may have removed them first.
            if !removed, !stillUsed, case .purged? = try await artifactStore.info(digest)?.state { removedElsewhere = true }
        }
        let output = Output(outcome: PurgeOutcome(version: outcome.version, artifactStillUsed: stillUsed), artifactBytesRemoved: removed)
        switch formatting.format {
        case .json: try Terminal.printJSON(output)
        case .text:
            Terminal.output("purged \(name) version \(number): \(reason)")
            Terminal.output(
                removed ? "  artifact bytes removed"
                    : stillUsed ? "  artifact kept: another version uses it"
                    : removedElsewhere ? "  artifact bytes removed already (by another purge of the same bytes)"
                    : "  artifact bytes not found in the artifact folder")
        }
    }
}

extension ModelsPurge {
    /// The version to purge, read without changing anything; nil when it is purged already (the
    /// purge itself then decides what to say).
    private func liveVersion() async throws -> ModelVersion? {
        let version = try await store.withRegistryStore(.read) { try await $0.version(target.name, target.version) }
        return version.status == .purged ? nil : version
    }

    /// Removes the bytes a killed purge of this version left in `folder`, when the version is
    /// purged and no live version uses them; the principal must still be an admin.
    ///
    /// - Returns: Whether there was such a purge to finish (and it is finished now).
    func finishInterruptedPurge(in folder: String) async throws -> Bool {
        let (principal, name, number) = (target.principal, target.name, target.version)
        // Read-only until the role is checked: a writing open clears stale temporary files.
        let reading = try FileSystemArtifactStore(root: folder, readOnly: true)
        let unfinished = try await store.withRegistryStore(.read) { registry -> ModelVersion? in
            try await registry.requireRole(.admin, of: principal, toDo: "purge versions")
            return try await UnfinishedPurges.find(in: registry, artifacts: reading).first { $0.model == name && $0.version == number }
        }
        guard let unfinished else { return false }
        // Asked again under the folder's lock on the digest: a version registered on the same
        // bytes since that read keeps them, and a purge of this version running in another
        // process that removed them first leaves nothing to finish.
        let digest = unfinished.artifactDigest
        let removed = try await FileSystemArtifactStore(root: folder).purge(
            digest, reason: "model \(name) version \(number) purged: \(unfinished.statusReason ?? "")"
        ) { try await UnfinishedPurges.isUsed(digest, in: store) }
        guard removed else { return false }
        let output = Output(outcome: PurgeOutcome(version: unfinished, artifactStillUsed: false), artifactBytesRemoved: true)
        switch formatting.format {
        case .json: try Terminal.printJSON(output)
        case .text:
            Terminal.output(
                "\(name) version \(number) was purged already; its artifact bytes, left by a purge that had not finished (interrupted, or still running in another process), are removed now")
        }
        return true
    }
}

/// The version a status change applies to, who makes it and why: `quarantine` and `purge`.
struct VersionActionOptions: ParsableArguments {
    @OptionGroup var acting: PrincipalOption
    @Argument(help: "The model (team/model).", transform: ModelName.parsingArgument) var name: ModelName
    @Option(help: "The version.") var version: Int
    @Option(help: "Why (required; kept in the audit log).") var reason: String

    init() {}

    var principal: String { acting.principal }
}
