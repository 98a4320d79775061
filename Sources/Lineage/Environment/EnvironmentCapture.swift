public import Foundation

/// Captures an ``EnvironmentSnapshot`` of the running process.
///
/// Environment variables are recorded only when their names are asked for, and never when the
/// name looks like a secret (it contains `SECRET`, `TOKEN`, `PASSWORD`, `PASSWD`, `KEY`,
/// `CREDENTIAL`, `AUTH`, `COOKIE`, `SESSION` or `PRIVATE`, in any case), whatever was asked.
public struct EnvironmentCapture: Sendable {
    /// The working tree whose git commit is recorded.
    public var workingDirectory: String
    /// The environment variables to record, by name.
    public var variableNames: [String]
    /// The random seeds to record.
    public var seeds: [String: UInt64]

    /// Name fragments that mark a variable as secret.
    public static let secretMarkers = ["SECRET", "TOKEN", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "AUTH", "COOKIE", "SESSION", "PRIVATE"]

    /// Creates a capture of `workingDirectory` (default: the current folder).
    public init(workingDirectory: String = FileManager.default.currentDirectoryPath, variableNames: [String] = [], seeds: [String: UInt64] = [:]) {
        self.workingDirectory = workingDirectory
        self.variableNames = variableNames
        self.seeds = seeds
    }

    /// Whether a variable name looks like it holds a secret.
    public static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return secretMarkers.contains { upper.contains($0) }
    }

    /// Takes the snapshot. Missing tools (no git, no GPU) leave their fields empty; nothing throws.
    public func capture(environment: [String: String] = ProcessInfo.processInfo.environment) -> EnvironmentSnapshot {
        var snapshot = EnvironmentSnapshot(seeds: seeds)
        if let commit = run(["git", "-C", workingDirectory, "rev-parse", "HEAD"]), commit.count >= 40 {
            snapshot.gitCommit = commit
            snapshot.gitDirty = !(run(["git", "-C", workingDirectory, "status", "--porcelain", "--untracked-files=no"]) ?? "").isEmpty
        }
        snapshot.swiftVersion = Self.swiftVersion
        snapshot.operatingSystem = ProcessInfo.processInfo.operatingSystemVersionString
        snapshot.cpu = Self.cpuDescription()
        if let gpus = run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"]) {
            snapshot.gpus = gpus.split(separator: "\n").map { String($0) }.filter { !$0.isEmpty }
        }
        snapshot.packages = Self.resolvedPackages(in: workingDirectory)
        for name in variableNames where !Self.isSecret(name) {
            if let value = environment[name] { snapshot.variables[name] = value }
        }
        return snapshot
    }

    static var swiftVersion: String {
        #if swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #elseif swift(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    static func cpuDescription() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let model = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        return "\(model ?? "unknown CPU"), \(cores) cores"
    }

    /// Package identities and versions from `Package.resolved` (format version 2 or 3), if present.
    static func resolvedPackages(in folder: String) -> [String: String] {
        struct Resolved: Decodable {
            struct Pin: Decodable {
                struct State: Decodable { let version: String?; let revision: String? }
                let identity: String
                let state: State
            }
            let pins: [Pin]
        }
        guard let data = FileManager.default.contents(atPath: "\(folder)/Package.resolved"),
              let resolved = try? JSONDecoder().decode(Resolved.self, from: data) else { return [:] }
        var packages: [String: String] = [:]
        for pin in resolved.pins { packages[pin.identity] = pin.state.version ?? pin.state.revision ?? "?" }
        return packages
    }

    /// Runs a tool and returns its trimmed standard output, or nil when it is missing or fails.
    func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
