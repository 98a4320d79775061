import ArgumentParser
import Foundation
import MLOpsStorage
import Registry

/// `mlops audit`: the registry's hash-chained audit log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, anchor and read the registry's hash-chained audit log.",
        subcommands: [AuditVerify.self, AuditHeadCommand.self, AuditList.self])
}

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every entry of the audit chain; exit 1 naming the first edited, deleted, inserted or reordered entry (reads the store; never changes it).",
        discussion: "A chain alone cannot show that its newest entries were deleted (a shorter chain is still valid): keep `mlops audit head` elsewhere and pass it back with --anchor.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Option(
        help: ArgumentHelp(
            "A head printed earlier by `mlops audit head` and kept elsewhere (SEQUENCE HASH, or SEQUENCE:HASH): exit 1 when the log no longer holds that entry with that hash (newest entries deleted, or the log rewritten).",
            valueName: "head"))
    var anchor: String?

    /// `--anchor` read as a head.
    func anchoredHead() throws -> AuditHead? {
        guard let anchor else { return nil }
        let parts = anchor.split(whereSeparator: { $0 == " " || $0 == ":" }).map(String.init)
        guard parts.count == 2, let sequence = Int64(parts[0]), sequence >= 0, parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit) else {
            throw CommandFailure.usage("error: --anchor '\(anchor)' is not a head. Fix: pass what `mlops audit head` printed: the sequence and the 64-digit hash, such as '12 3f…'.")
        }
        return AuditHead(sequence: sequence, hash: parts[1].lowercased())
    }

    func run() async throws {
        let anchored = try anchoredHead()
        let verification = try await store.withRegistryStore(.read) { registry in
            if let anchored { return try await registry.verifyAudit(anchoredAt: anchored) }
            return try await registry.verifyAudit()
        }
        switch formatting.format {
        case .json: try Terminal.printJSON(verification)
        case .text:
            if let bad = verification.firstBadSequence {
                Terminal.output("audit chain BROKEN at entry \(bad): \(verification.problem ?? "")")
                Terminal.output("  \(verification.entries) entries before it verified")
            } else {
                Terminal.output("audit chain intact: \(verification.entries) entries, head \(verification.head.hash)")
            }
        }
        if !verification.isIntact { throw ExitCode(1) }
    }
}

struct AuditHeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head", abstract: "Print the last entry's sequence and hash, to anchor in another system (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>

    func run() async throws {
        let head = try await store.withRegistryStore(.read) { try await $0.auditHead() }
        switch formatting.format {
        case .json: try Terminal.printJSON(head)
        case .text: Terminal.output("\(head.sequence) \(head.hash)")
        }
    }
}

struct AuditList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Print audit entries in order (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Option(help: "Start after this sequence number.") var after: Int64 = 0
    @Option(help: "How many entries (1 to 10000).") var limit: Int = 100

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit \(limit) is out of range: give 1 to 10000, and --after for more.") }
        guard after >= 0 else { throw ValidationError("--after cannot be negative.") }
    }

    func run() async throws {
        let (after, limit) = (after, limit)
        let entries = try await store.withRegistryStore(.read) { try await $0.auditEntries(after: after, limit: limit) }
        switch formatting.format {
        case .json: try Terminal.printJSON(["entries": entries])
        case .text:
            for entry in entries {
                Terminal.output("\(entry.sequence)  \(entry.at)  \(entry.principal)  \(entry.action)  \(entry.subject)\(entry.reason.isEmpty ? "" : "  — \(entry.reason)")")
            }
        }
    }
}

/// `mlops policies`: promotion policies per alias and risk class.
struct PoliciesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies", abstract: "Set and list the promotion policies the store enforces per alias and risk class.",
        subcommands: [PoliciesSet.self, PoliciesList.self])
}

struct PoliciesSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set the promotion policy of an alias for a risk class, or for every class without one (admin).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @OptionGroup var acting: PrincipalOption
    @Option(help: "The alias the policy guards.") var alias: String
    @Option(help: "The risk class it applies to (default: every class without a policy of its own).") var riskClass: RiskClass?
    @Option(name: .customLong("min"), help: "A metric minimum, METRIC=VALUE (repeatable).") var minimums: [String] = []
    @Option(name: .customLong("max"), help: "A metric maximum for lower-is-better metrics, METRIC=VALUE (repeatable).") var maximums: [String] = []
    @Option(name: .customLong("margin"), help: "A relative margin over the alias's holder, METRIC=0.01 for 1 % (repeatable).") var margins: [String] = []
    @Flag(name: .customLong("require-lineage"), help: "The version's run must be reproducible.") var requireLineage = false
    @Flag(name: .customLong("require-card"), help: "The model card must fill its risk class's required fields.") var requireCard = false
    @Option(help: "Signed approvals needed, by distinct approvers who are not the version's author.") var approvals: Int = 0
    @Option(name: .customLong("approver-role"), help: "The role approvers must hold (default approve).") var approverRole: Role = .approve
    @Option(help: "Why (kept in the audit log).") var reason: String = ""

    func validate() throws {
        guard approvals >= 0 else { throw ValidationError("--approvals cannot be negative.") }
        _ = try policy()
    }

    func policy() throws -> PromotionPolicy {
        let minimumRules = try KeyValueArguments.numbers(minimums, option: "min").sorted { $0.key < $1.key }.map { PromotionPolicy.MetricRule(metric: $0.key, value: $0.value) }
        let maximumRules = try KeyValueArguments.numbers(maximums, option: "max").sorted { $0.key < $1.key }.map { PromotionPolicy.MetricRule(metric: $0.key, value: $0.value, lowerIsBetter: true) }
        let marginRules = try KeyValueArguments.numbers(margins, option: "margin").sorted { $0.key < $1.key }.map { PromotionPolicy.MetricRule(metric: $0.key, value: $0.value) }
        return PromotionPolicy(
            alias: alias, riskClass: riskClass, metricMinimums: minimumRules + maximumRules, marginsOverHolder: marginRules,
            requireReproducibleLineage: requireLineage, requireCompleteCard: requireCard, requiredApprovals: approvals, approverRole: approverRole)
    }

    func run() async throws {
        let policy = try policy()
        let (principal, reason) = (acting.principal, reason)
        try await store.withRegistryStore(.registryChange) { try await $0.setPolicy(policy, by: principal, reason: reason) }
        switch formatting.format {
        case .json: try Terminal.printJSON(["policy": policy])
        case .text: Terminal.output("set the \(policy.alias) policy for \(policy.riskClass?.rawValue ?? "every") risk class (hash \(try policy.hash()))")
        }
    }
}

struct PoliciesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List promotion policies (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>

    func run() async throws {
        let policies = try await store.withRegistryStore(.read) { try await $0.policies() }
        switch formatting.format {
        case .json: try Terminal.printJSON(["policies": policies])
        case .text:
            if policies.isEmpty { Terminal.output("no policies") }
            for policy in policies {
                var rules: [String] = policy.metricMinimums.map { "\($0.metric) \($0.lowerIsBetter ? "≤" : "≥") \($0.value)" }
                rules += policy.marginsOverHolder.map { "\($0.metric) +\($0.value * 100)% over holder" }
                if policy.requireReproducibleLineage { rules.append("reproducible lineage") }
                if policy.requireCompleteCard { rules.append("complete card") }
                if policy.requiredApprovals > 0 { rules.append("\(policy.requiredApprovals) approvals by \(policy.approverRole)") }
                Terminal.output("\(policy.alias) / \(policy.riskClass?.rawValue ?? "*"): \(rules.isEmpty ? "no rules" : rules.joined(separator: "; "))")
            }
        }
    }
}
