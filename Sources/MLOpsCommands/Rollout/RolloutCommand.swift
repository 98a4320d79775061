import ArgumentParser

/// `mlops rollout`: sticky assignment, replaying a policy over logged events, and simulating it.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Progressive delivery: assign units to variants, replay a rollout policy over logged events, simulate a policy.",
        subcommands: [RolloutAssign.self, RolloutAnalyze.self, RolloutSimulate.self])
}
