/// Whether a run recorded enough to be rebuilt, and what is missing when it did not.
public struct ReproducibilityCheck: Sendable, Hashable, Codable {
    /// One thing a rebuild would need that the run did not record.
    public struct Gap: Sendable, Hashable, Codable {
        /// A short stable code: `no-inputs`, `no-environment`, `no-commit`, `dirty-tree`, `no-seeds`, `not-finished`, `no-outputs`.
        public var code: String
        /// What is missing and how to record it next time.
        public var explanation: String
    }

    /// The run checked.
    public var runID: RunID
    /// What is missing; empty when the run is reproducible.
    public var gaps: [Gap]

    /// Whether nothing is missing.
    public var isReproducible: Bool { gaps.isEmpty }

    /// Checks a run: every input recorded by digest, the code at a clean commit, seeds set, and
    /// the run finished with outputs.
    public init(run: Run) {
        runID = run.id
        var gaps: [Gap] = []
        if run.inputs.isEmpty {
            gaps.append(Gap(code: "no-inputs", explanation: "no input artifact was recorded: record the training data (and feature set) by digest with recordInput"))
        }
        if let environment = run.environment {
            if environment.gitCommit == nil {
                gaps.append(Gap(code: "no-commit", explanation: "no git commit was captured: run from a git checkout so the code version is known"))
            } else if environment.gitDirty == true {
                gaps.append(Gap(code: "dirty-tree", explanation: "the working tree had uncommitted changes: commit them before training, or the commit does not rebuild the code"))
            }
            if environment.seeds.isEmpty {
                gaps.append(Gap(code: "no-seeds", explanation: "no random seed was recorded: pass the seeds to EnvironmentCapture(seeds:)"))
            }
        } else {
            gaps.append(Gap(code: "no-environment", explanation: "no environment was captured: start the run with an EnvironmentCapture"))
        }
        if run.status != .finished {
            gaps.append(Gap(code: "not-finished", explanation: "the run is \(run.status.rawValue), not finished"))
        }
        if run.outputs.isEmpty {
            gaps.append(Gap(code: "no-outputs", explanation: "no output artifact was recorded: record the model by digest with recordOutput"))
        }
        self.gaps = gaps
    }
}
