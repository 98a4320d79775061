import Lineage
import MLOpsStorage
import Registry
import Synchronization

/// What every chapter of `mlops demo` works with.
struct DemoContext: Sendable {
    /// The folder the demo writes into; every path a chapter writes is claimed there first.
    let folder: DemoFolder
    /// The store.
    let location: StoreLocation
    let database: any SQLDatabase
    let artifacts: FileSystemArtifactStore
    /// The seed every generated data set derives from.
    let seed: UInt64
    /// What one chapter leaves for a later one in this run of the demo.
    let ledger = DemoLedger()

    /// The path of `name` in the output folder, claimed for the demo (see ``DemoFolder/claim(_:)``).
    ///
    /// - Throws: ``CommandFailure`` (exit 2) when a file the demo did not write is there.
    func path(_ name: String) throws(CommandFailure) -> String { try folder.claim(name) }

    /// Writes `bytes` to `name` in the output folder (see ``DemoFolder/write(_:to:)``).
    func write(_ bytes: some Sequence<UInt8>, to name: String) throws(CommandFailure) { try folder.write(bytes, to: name) }
}

/// What a chapter reports: a few facts for the terminal, and an HTML page for the index.
struct ChapterReport: Encodable, Sendable {
    let slug: String
    let title: String
    /// One-line findings for the printed summary.
    let highlights: [String]
    /// Label-value pairs shown on the page and in summary.json.
    let facts: [Fact]
    /// Files the chapter wrote, relative to the output folder.
    let files: [String]
    /// Images among them that the index shows inline.
    var figures: [String] = []

    struct Fact: Encodable, Sendable {
        let label: String
        let value: String
    }
}

/// One chapter of `mlops demo`. Each product adds its own.
protocol DemoChapter: Sendable {
    var slug: String { get }
    var title: String { get }
    /// Runs the chapter and returns its report and the HTML body of its page.
    func run(in context: DemoContext) async throws -> (ChapterReport, String)
}

/// What one chapter of a demo run hands to a later one: the runs the Lineage chapter recorded,
/// which the Registry chapter registers. Passed by identity, not looked up in the store, so
/// demos sharing one store (a PostgreSQL server) never take each other's runs, finished or not.
final class DemoLedger: Sendable {
    private let trainedRuns = Mutex<[RunID]>([])

    /// The training runs this demo recorded, oldest first.
    var runs: [RunID] { trainedRuns.withLock { $0 } }

    /// Records the training runs the Lineage chapter made.
    func recordRuns(_ ids: [RunID]) { trainedRuns.withLock { $0 = ids } }
}

/// Runs one creating step of a chapter's setup (a principal, a model) that another demo sharing
/// the store may have made between this demo's look and its write: "already exists" is then the
/// state the step wanted.
func createUnlessPresent(_ step: () async throws -> Void) async throws {
    do {
        try await step()
    } catch let error as RegistryError where error.code == .alreadyExists {}
}
