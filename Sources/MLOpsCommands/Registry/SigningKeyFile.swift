import MLOpsStorage
import Registry

/// A private key file `mlops keys generate` wrote, read for a flag (`--key`, `--public-key-from`).
enum SigningKeyFile {
    /// The key in the file at `path`.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) naming the flag and the file when it cannot be read
    ///   or holds no key.
    static func read(_ path: String, flag: String) throws -> SigningKey {
        let data = try ConfigurationFile.read(path, flag: flag, fix: "give the private key file `mlops keys generate` wrote.")
        do {
            return try SigningKey(fileText: String(decoding: data, as: UTF8.self))
        } catch {
            throw CommandFailure.usage("error: \(flag) \(path): \(error)")
        }
    }
}
