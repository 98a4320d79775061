import Foundation

/// A fresh folder under the system's temporary folder, for one test.
///
/// Only ``withTemporaryFolder(_:_:)`` makes one, and removes it when its body has returned. A
/// folder removed when an object is released (in `deinit`) can vanish while a database, a child
/// process or a background task still uses it: Swift may release an object right after its last
/// use in the code, long before the end of the test.
public struct TemporaryFolder: Sendable {
    /// The folder's absolute path.
    public let path: String

    fileprivate init(label: String) throws {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    fileprivate func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` with a fresh temporary folder and removes the folder when `body` returns or throws.
public func withTemporaryFolder<Result>(
    _ label: String = "mlops-tests", isolation: isolated (any Actor)? = #isolation,
    _ body: (TemporaryFolder) async throws -> Result
) async throws -> Result {
    let folder = try TemporaryFolder(label: label)
    defer { folder.remove() }
    return try await body(folder)
}

/// Runs `body` with a fresh temporary folder and removes the folder when `body` returns or throws.
public func withTemporaryFolder<Result>(
    _ label: String = "mlops-tests", _ body: (TemporaryFolder) throws -> Result
) throws -> Result {
    let folder = try TemporaryFolder(label: label)
    defer { folder.remove() }
    return try body(folder)
}
