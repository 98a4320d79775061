public import Testing

/// One check of a conformance suite: a name, where it is declared, and what it does to the
/// implementation under test.
///
/// A suite is an array of checks that every implementation's tests pass to a parameterized
/// test, so each check is a test case of its own: one failing check never hides the others,
/// and an error it throws is recorded at the check's declaration.
///
/// ```swift
/// @Test("passes the SQL conformance suite", arguments: SQLDatabaseConformance.checks)
/// func conformance(_ check: ConformanceCheck<any SQLDatabase>) async throws {
///     let database = try await SQLiteDatabase(path: ":memory:")
///     await check.run(on: database)
/// }
/// ```
public struct ConformanceCheck<Subject>: Sendable, CustomTestStringConvertible {
    /// What the check shows, as a phrase.
    public let name: String
    /// Where the check is declared.
    public let sourceLocation: SourceLocation
    private let body: @Sendable (Subject) async throws -> Void

    /// A check named `name` that runs `body` on the implementation under test.
    public init(
        _ name: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: @escaping @Sendable (Subject) async throws -> Void
    ) {
        self.name = name
        self.sourceLocation = sourceLocation
        self.body = body
    }

    public var testDescription: String { name }

    /// Runs the check on `subject`, recording an error it throws as an issue at the check's
    /// declaration.
    public func run(on subject: Subject) async {
        do {
            try await body(subject)
        } catch {
            Issue.record(error, "conformance check '\(name)' threw", sourceLocation: sourceLocation)
        }
    }
}
