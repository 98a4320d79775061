import ArgumentParser
import Foundation
import DriftStats
import Lineage
import MLOpsStorage

/// `mlops`: the tool operators and CI gates use.
///
/// Exit codes: 0 success; 1 a check found a problem; 2 bad usage or unreadable input.
struct MLOps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlops",
        abstract: "Operate swift-mlops stores: schemas and integrity, runs and lineage, data drift, and an end-to-end demo.",
        discussion: """
            Every command takes --store URL (default sqlite:mlops.sqlite) and --format text|json.
            Store URLs: \(StoreLocation.acceptedForms).
            Exit codes: 0 success, 1 a check found a problem, 2 bad usage or unreadable input.
            """,
        version: MLOpsVersion.current,
        subcommands: [StoreCommand.self, RunsCommand.self, LineageCommand.self, DriftCommand.self, DemoCommand.self])
}

@main
enum Entry {
    static func main() async {
        do {
            var command = try MLOps.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            Terminal.error(failure.message)
            exit(failure.exitCode)
        } catch let error as StorageError {
            Terminal.error("error: \(error)")
            exit(2)
        } catch let error as LineageError {
            Terminal.error("error: \(error)")
            exit(2)
        } catch let error as DriftError {
            Terminal.error("error: \(error)")
            exit(2)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            let code = MLOps.exitCode(for: error)
            if code == .success {
                print(MLOps.fullMessage(for: error))
                exit(0)
            }
            // Usage errors (ArgumentParser says 64) and anything unexpected: 2, with the reason.
            Terminal.error(MLOps.fullMessage(for: error))
            exit(2)
        }
    }
}
