import Foundation

@testable import TensorCore

/// A small seeded generator for the reader tests (SplitMix64, Steele et al. 2014), kept local so
/// these tests depend on nothing else in the package.
struct ReaderTestRNG {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// A random decimal digit string of `count` digits (leading zeros allowed).
    mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(Unicode.Scalar(UInt8(48 + below(10)))) })
    }
}

/// A temporary folder that removes itself when the test is done with it.
final class ReaderTempFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tensorcore-readers-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` (as UTF-8 bytes, exactly) to a file in the folder and returns its path.
    func write(_ text: String, name: String = "data.csv") throws -> String {
        try write(Array(text.utf8), name: name)
    }

    /// Writes bytes to a file in the folder and returns its path.
    func write(_ bytes: [UInt8], name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}

extension Column {
    /// The column's values as optional strings, for comparisons in tests.
    var textValues: [String?] {
        switch self {
        case .double(let c): c.map { $0.map { "\($0)" } }
        case .categorical(let c): Array(c)
        case .timestamp(let c): c.map { $0.map { "\($0)" } }
        }
    }
}

extension FeatureTable {
    /// Rows as optional strings (categorical text, or `description` of numbers).
    var textRows: [[String?]] {
        let cols = columns.map(\.textValues)
        return (0..<rowCount).map { r in cols.map { $0[r] } }
    }
}
