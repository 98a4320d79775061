import MLOpsStorage
import Registry

/// A private key file `mlops keys generate` wrote, read for a flag (`--key`, `--public-key-from`).
enum SigningKeyFile {
    /// The key in the file at `path`.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) naming the flag and the file when it cannot be read
    ///   or holds no key.
    static func read(_ path: String, flag: String) throws -> SigningKey {
        let text: String
        do {
            text = try FileIO.readText(path, limit: FileIO.configurationFileLimit)
        } catch {
            throw CommandFailure.usage("error: \(flag): \(FileReadProblem.describe(path, error)). Fix: give the private key file `mlops keys generate` wrote.")
        }
        do {
            return try SigningKey(fileText: text)
        } catch {
            throw CommandFailure.usage("error: \(flag) \(path): \(error)")
        }
    }
}
