import ArgumentParser

/// `mlops gpu`: GPU scheduling, and replaying traces to compare policies.
struct GPUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpu",
        abstract: "Schedule GPU jobs: replay a trace under a policy and report JCT, utilisation, fairness and cost.",
        subcommands: [GPUSimulate.self, GPUFragmentation.self])
}
