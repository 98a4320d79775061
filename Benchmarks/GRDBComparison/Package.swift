// swift-tools-version: 6.1
// A one-off measurement kept for the record: GRDB.swift against the raw sqlite3 C API, on the same
// 100,000-row insert as Benchmarks/run (which measures MLOpsStorage against the same raw loop).
// Comparing the two ratios compares GRDB with MLOpsStorage. Separate from the root package so
// GRDB never enters its dependency graph.
//
//   swift run -c release --package-path Benchmarks/GRDBComparison
import PackageDescription

let package = Package(
    name: "GRDBComparison",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .executableTarget(
            name: "GRDBComparison",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                "CSQLite",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
