import ArgumentParser

/// `mlops features`: building training sets from feature files.
struct FeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Feature sets: point-in-time-correct training sets from event and feature files.",
        subcommands: [FeaturesJoin.self])
}
