public import ArgumentParser
import Foundation
import DriftStats
import GPUScheduling
import Lineage
import MLOpsStorage
import Registry
import Rollout
import FeatureParity

/// `mlops`: the tool operators and CI gates use.
///
/// Exit codes: 0 success; 1 a check found a problem; 2 bad usage or unreadable input.
///
/// The `mlops` executable calls ``main(arguments:)``; tests and hosts call it too, to run a
/// command in process and get its exit code.
public struct MLOps: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mlops",
        abstract: "Operate swift-mlops stores: schemas and integrity, runs and lineage, data drift, model registry, GPU scheduling, model rollouts, and an end-to-end demo.",
        discussion: """
            Commands that use a store take --store URL (default sqlite:mlops.sqlite); commands that \
            print a result take --format text|json (the drift commands also html). Reading commands \
            (runs, lineage, drift check, drift baseline list, store check) open the store read-only \
            and never create or change it.
            Store URLs: \(StoreLocation.acceptedForms).
            `mlops --version` prints the version.
            Exit codes: 0 success, 1 a check found a problem, 2 bad usage, unreadable input, or \
            nothing that could be compared.
            """,
        subcommands: [
            StoreCommand.self, RunsCommand.self, LineageCommand.self, DriftCommand.self, ModelsCommand.self, PrincipalsCommand.self,
            KeysCommand.self, PoliciesCommand.self, AuditCommand.self, GPUCommand.self, RolloutCommand.self, FeaturesCommand.self, ParityCommand.self, DemoCommand.self,
        ])

    /// Creates the root command (ArgumentParser calls this when it parses).
    public init() {}

    /// `--limit -1` as `--limit=-1`: ArgumentParser takes a value that starts with `-` for an
    /// option name and reports the option's value as missing, so a negative number (or `-inf`,
    /// `-nan`) would be refused with the wrong reason; joined, it reaches the option's own check,
    /// which says what range is allowed.
    static func joiningNegativeNumbers(_ arguments: [String]) -> [String] {
        func isNegativeNumber(_ text: String) -> Bool {
            guard text.hasPrefix("-"), text.count > 1 else { return false }
            return Double(text.dropFirst()) != nil
        }
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--"), argument.count > 2, !argument.contains("="), index + 1 < arguments.count, isNegativeNumber(arguments[index + 1]) {
                result.append("\(argument)=\(arguments[index + 1])")
                index += 2
                continue
            }
            if argument == "--" {
                result.append(contentsOf: arguments[index...])
                break
            }
            result.append(argument)
            index += 1
        }
        return result
    }

    /// Parses `arguments`, runs the command they name, and returns its exit code.
    ///
    /// Never calls `exit()`: results go to standard output, messages to standard error, and the
    /// exit code is returned — 0 success, 1 a check found a problem, 2 bad usage or unreadable
    /// input (ArgumentParser's usage errors included).
    ///
    /// - Parameter arguments: The command line without the program name, for example
    ///   `["runs", "list", "--store", "sqlite:runs.sqlite"]`. `nil` reads the process's arguments.
    /// - Returns: The exit code the process should end with.
    public static func main(arguments: [String]?) async -> Int32 {
        let code = await execute(arguments)
        // A result that could not be written (a full disk, `> /dev/full`, a closed descriptor)
        // did not reach its reader: the run did not succeed, whatever the command found.
        guard let failure = Terminal.takeWriteFailure() else { return code }
        if failure.descriptor == STDOUT_FILENO {
            Terminal.error("error: The result was not delivered: \(failure.description). Fix: write standard output to a file or pipe that takes it (check free space and the redirection).")
            return 2
        }
        return code
    }

    /// Refuses `mlops help NAME…` when NAME is not a command: ArgumentParser's `help` prints the
    /// top-level help for any unknown name, with exit 0, as if it had been asked for.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) naming the unknown command and where to look.
    static func checkHelpTopic(_ given: [String]) throws {
        guard given.first == "help" else { return }
        var command: any ParsableCommand.Type = MLOps.self
        var path = "mlops"
        for name in given.dropFirst() where !name.hasPrefix("-") {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == name }) else {
                let known = command.configuration.subcommands.map { $0._commandName }.joined(separator: ", ")
                throw CommandFailure.usage("error: `\(path)` has no command '\(name)'. Fix: ask for one of \(known) (`\(path) --help` lists them).")
            }
            command = next
            path += " " + name
        }
    }

    /// Parses and runs one command line, writing its result and messages; the exit code.
    private static func execute(_ arguments: [String]?) async -> Int32 {
        let given = arguments ?? Array(CommandLine.arguments.dropFirst())
        do {
            // `mlops --version` is answered here rather than by ArgumentParser's built-in flag:
            // that flag also answers (exit 0) any command line that fails to parse while holding
            // a subcommand's `--version N`, so `models promote NAME --version 3` with `--alias`
            // missing would have "succeeded".
            if given == ["--version"] {
                Terminal.output(MLOpsVersion.current)
                return 0
            }
            try Self.checkHelpTopic(given)
            var command = try MLOps.parseAsRoot(Self.joiningNegativeNumbers(given))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let failure as CommandFailure {
            Terminal.error(CommandLineAdvice.rewrite(failure.message))
            return failure.exitCode
        } catch let error as StorageError {
            Terminal.error(CommandLineAdvice.rewrite("error: \(error)"))
            return 2
        } catch let error as LineageError {
            Terminal.error(CommandLineAdvice.rewrite("error: \(error)"))
            return 2
        } catch let error as DriftError {
            Terminal.error(CommandLineAdvice.rewrite("error: \(error)"))
            return 2
        } catch let error as RegistryError {
            // A promotion its policy refused, or one that lost a race, is a finding (1); bad
            // input, unknown names and missing roles are 2. The message names the rule or role.
            Terminal.error(CommandLineAdvice.rewrite("error: \(error)"))
            return error.code == .policyViolation || error.code == .aliasConflict ? 1 : 2
        } catch let error as SchedulingError {
            Terminal.error(CommandLineAdvice.rewrite("error: \(error)"))
            return 2
        } catch let error as RolloutError {
            Terminal.error(CommandLineAdvice.rewrite("error: \(error)"))
            return 2
        } catch let error as FeatureParityError {
            Terminal.error(CommandLineAdvice.rewrite("error: \(error)"))
            return 2
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = MLOps.exitCode(for: error)
            if code == .success {
                Terminal.output(MLOps.fullMessage(for: error))
                return 0
            }
            // Usage errors (ArgumentParser says 64) and anything unexpected: 2, with the reason.
            // The parser repeats a value it refused, so a malformed store URL's password is hidden.
            Terminal.error(CommandLineAdvice.rewrite(CredentialRedaction.redact(MLOps.fullMessage(for: error), arguments: given)))
            return 2
        }
    }
}

extension MLOps {
    /// What one in-process run of a command produced.
    public struct RunResult: Sendable {
        /// The exit code the process would have ended with.
        public let exitCode: Int32
        /// Everything the command wrote to standard output.
        public let output: String
        /// Everything the command wrote to standard error.
        public let error: String
    }

    /// Runs a command in process and returns its exit code and what it wrote.
    ///
    /// The same as ``main(arguments:)``, except that standard output and standard error are
    /// collected instead of written, so tests and hosts can check them. Several runs may go on at
    /// once: each collects only its own output.
    ///
    /// - Parameter arguments: The command line without the program name.
    /// - Returns: The exit code and the collected output.
    public static func run(arguments: [String]) async -> RunResult {
        let capture = Terminal.Capture()
        let code = await Terminal.$capture.withValue(capture) { await main(arguments: arguments) }
        return RunResult(exitCode: code, output: capture.output, error: capture.error)
    }
}
