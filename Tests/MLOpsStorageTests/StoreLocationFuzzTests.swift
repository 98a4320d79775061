import Foundation
import MLOpsStorage
import PropertyBased
import Testing

/// Store URLs come from flags, environment variables and configuration files: whatever the text,
/// parsing ends with a location or a `StorageError`, never a crash, and no message or description
/// ever shows the password.
@Suite("Store URL fuzzing")
struct StoreLocationFuzzTests {
    static let password = "S3cr3tPw"
    static let tokens = [
        "postgres://", "postgresql://", "sqlite:", "sqlite://", "sqlite::memory:", "/", "/", "user", ":", ":", password,
        "@", "@", "host", "127.0.0.1", "[::1]", "[", "]", "5432", "99999", "-1", "db", "?", "&", "=", "sslmode", "require",
        "connect_timeout", "5", "application_name", "%", "%40", "%2F", "%zz", "#", " ", "é", "\u{0}", "..",
    ]

    @Test("any text parses to a location or a StorageError")
    func parse() async {
        await propertyCheck(count: 3_000, input: Gen.element(of: Self.tokens).array(of: 0...16)) { parts in
            let text = parts.compactMap { $0 }.joined()
            do {
                _ = try StoreLocation(parsing: text)
            } catch let error as StorageError {
                #expect(error.code == .invalidLocation)
            } catch {
                Issue.record("\(text) threw \(error), not a StorageError")
            }
        }
    }

    @Test("a password after user: is never shown, whatever follows it")
    func passwordNeverShown() async {
        let tails = Gen.element(of: Self.tokens.filter { $0 != Self.password }).array(of: 0...12)
        let schemes = Gen.element(of: ["postgres://", "postgresql://"])
        await propertyCheck(count: 3_000, input: schemes, tails) { scheme, parts in
            let text = (scheme ?? "postgres://") + "user:" + Self.password + parts.compactMap { $0 }.joined()
            do {
                let location = try StoreLocation(parsing: text)
                #expect(!location.description.contains(Self.password), "\(text) is shown as \(location.description)")
            } catch let error as StorageError {
                #expect(error.code == .invalidLocation)
                #expect(!error.description.contains(Self.password), "\(text) → \(error)")
            } catch {
                Issue.record("\(text) threw \(error), not a StorageError")
            }
        }
    }
}
