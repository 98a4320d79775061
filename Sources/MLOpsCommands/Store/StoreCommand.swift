import ArgumentParser

/// `mlops store`: schema and integrity of a store.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Create, migrate and check a store.",
        subcommands: [StoreMigrate.self, StoreCheck.self])
}
