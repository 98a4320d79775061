import Foundation

/// Runs the package's executables (built by `swift test` next to the test bundle) as a user would.
enum Executables {
    /// The folder that holds the built products: the test runner's own folder.
    static let productsFolder: String = {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: runner).deletingLastPathComponent()
        // On Linux the runner is <products>/swift-mlopsPackageTests.xctest.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("mlops").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Runs a built executable (or, given an absolute path, that program) with arguments in
    /// `folder` and waits for it.
    static func run(_ name: String, _ arguments: [String], in folder: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: name.hasPrefix("/") ? name : "\(productsFolder)/\(name)")
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read both pipes before waiting, so a chatty process cannot fill a pipe and block.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
