import ArgumentParser
import Foundation
import MLOpsStorage
import Registry

/// `mlops principals`: who may act on the registry.
struct PrincipalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "principals", abstract: "Add and list the principals that act on the registry, their roles and public keys.",
        subcommands: [PrincipalsAdd.self, PrincipalsList.self])
}

struct PrincipalsAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a principal with its roles and Ed25519 public key. The first principal of a registry bootstraps it and must be an admin; later ones need --principal ADMIN.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The new principal's identifier (letters, digits, '.', '_', '@', '-').") var id: String
    @Option(name: .customLong("role"), help: "A role: register, approve, promote or admin (repeatable).") var roles: [Role] = []
    @Option(name: .customLong("public-key"), help: "The Ed25519 public key, base64 (as `mlops keys generate` prints it).") var publicKey: String?
    @Option(name: .customLong("public-key-from"), help: "Take the public key from this private key file.") var publicKeyFrom: String?
    @Option(name: .customLong("principal"), help: ArgumentHelp("The admin adding it (not needed for the first principal).", valueName: "id"))
    var actor: String?

    func validate() throws {
        guard !roles.isEmpty else { throw ValidationError("give at least one --role (register, approve, promote, admin).") }
        if publicKey != nil && publicKeyFrom != nil { throw ValidationError("give --public-key or --public-key-from, not both.") }
        // Canonical base64 only: the decoder also takes text with extra padding, which is then
        // not the key that was printed.
        if let publicKey, Data(base64Encoded: publicKey)?.base64EncodedString() != publicKey {
            throw ValidationError("--public-key is not base64 as `mlops keys generate` prints it.")
        }
        if let publicKeyFrom, !FileManager.default.fileExists(atPath: publicKeyFrom) {
            throw ValidationError("there is no key file at --public-key-from \(publicKeyFrom).")
        }
    }

    func run() async throws {
        var key = publicKey.flatMap { Data(base64Encoded: $0) }
        if let publicKeyFrom { key = try SigningKeyFile.read(publicKeyFrom, flag: "--public-key-from").publicKey }
        let registration = PrincipalRegistration(id: id, roles: Set(roles), publicKey: key)
        let actor = actor
        // A store that does not hold anything yet would be created (or migrated) only for the
        // registry to refuse the first principal: refused before opening.
        if store.location != .sqliteMemory, try await StoreSession.holdsNothing(at: store.location) {
            if !roles.contains(.admin) {
                throw CommandFailure.usage(
                    "error: \(Self.name(of: store.location)) holds no registry yet, and a registry's first principal must be an admin; nothing was created or changed. Fix: add an admin first: `mlops principals add ID --role admin --store \(store.location)`.")
            }
            // Every other rule (an acting principal that cannot exist yet, a malformed ID or
            // key), judged by the same rules on an empty registry in memory.
            _ = try await InMemoryRegistryStore().addPrincipal(registration, by: actor)
        }
        let principal = try await store.withRegistryStore(.write) { try await $0.addPrincipal(registration, by: actor) }
        switch formatting.format {
        case .json: try Terminal.printJSON(principal)
        case .text: Terminal.output("added principal \(principal.id) with roles \(principal.roles.sorted().map(\.rawValue).joined(separator: ", "))\(principal.publicKey == nil ? "" : " and a public key")")
        }
    }
}

extension PrincipalsAdd {
    /// The store as a message names it: a SQLite file by its path, a database by its URL.
    static func name(of location: StoreLocation) -> String {
        if case .sqliteFile(let path) = location { return path }
        return "\(location)"
    }
}

struct PrincipalsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List principals, their roles and keys (reads the store; never changes it).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var formatting: FormatOptions<OutputFormat>

    func run() async throws {
        let principals = try await store.withRegistryStore(.read) { try await $0.principals() }
        switch formatting.format {
        case .json: try Terminal.printJSON(["principals": principals])
        case .text:
            if principals.isEmpty { Terminal.output("no principals") }
            for principal in principals {
                Terminal.output("\(principal.id)  \(principal.roles.sorted().map(\.rawValue).joined(separator: ","))  \(principal.publicKey.map { "key \($0.base64EncodedString())" } ?? "no key")")
            }
        }
    }
}

/// `mlops keys`: Ed25519 keys for approvals.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Generate the Ed25519 keys principals sign approvals with.", subcommands: [KeysGenerate.self])
}

struct KeysGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new private key to a file created with mode 0600 (never overwriting one) and print its public key.")

    @OptionGroup var formatting: FormatOptions<OutputFormat>
    @Argument(help: "The principal the key is for.") var principal: String
    @Option(help: "The private key file to create (it must not exist).") var output: String

    struct Output: Encodable {
        let principal: String
        let path: String
        let publicKey: String

        enum CodingKeys: String, CodingKey {
            case principal, path
            case publicKey = "public_key"
        }
    }

    func validate() throws {
        guard !principal.isEmpty else { throw ValidationError("name the principal the key is for.") }
        // The same rule the registry applies when the principal is added.
        guard principal.utf8.count <= 128, principal.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "._@-".unicodeScalars.contains($0)) }) else {
            throw ValidationError("'\(principal)' is not a principal id: use 1 to 128 letters, digits, '.', '_', '@' and '-'.")
        }
        guard !output.isEmpty, !output.hasSuffix("/") else { throw ValidationError("--output '\(output)' is not a file name: give the path of the key file to create.") }
        if FileManager.default.fileExists(atPath: output) {
            throw ValidationError("\(output) exists already; a key file is never overwritten: choose another --output path.")
        }
    }

    func run() async throws {
        let key = SigningKey()
        try FileIO.writeNewFile(output, Array(key.fileText.utf8), mode: 0o600)
        let result = Output(principal: principal, path: output, publicKey: key.publicKey.base64EncodedString())
        switch formatting.format {
        case .json: try Terminal.printJSON(result)
        case .text:
            Terminal.output("wrote the private key of \(principal) to \(output) (mode 0600; keep it secret)")
            Terminal.output("public key: \(result.publicKey)")
            Terminal.output("register it: mlops principals add \(principal) --role approve --public-key \(result.publicKey) --principal ADMIN")
        }
    }
}
