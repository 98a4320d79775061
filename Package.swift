// swift-tools-version: 6.1
import PackageDescription

/// Strictness every target of swift-mlops builds with (see Documentation/Architecture.md).
let strictness: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "swift-mlops",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "MLOpsStorage", targets: ["MLOpsStorage"]),
        .library(name: "Lineage", targets: ["Lineage"]),
        .library(name: "Registry", targets: ["Registry"]),
        .library(name: "FeatureParity", targets: ["FeatureParity"]),
        .library(name: "DriftStats", targets: ["DriftStats"]),
        .library(name: "Rollout", targets: ["Rollout"]),
        .library(name: "RolloutRegistry", targets: ["RolloutRegistry"]),
        .library(name: "GPUScheduling", targets: ["GPUScheduling"]),
        .executable(name: "mlops", targets: ["mlops"]),
    ],
    // PostgreSQL support (postgres-nio and SwiftNIO) is a trait, on by default. A service that
    // only uses the embedded SQLite store can leave it out and skip building them:
    //   .package(url: "…/swift-mlops", from: "…", traits: [])
    traits: [
        .trait(name: "PostgreSQL", description: "PostgresDatabase and postgres:// store URLs, through postgres-nio."),
        .default(enabledTraits: ["PostgreSQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // System libraries: the machine's libsqlite3 and zlib (libsqlite3-dev, zlib1g-dev).
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite3"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),

        // The two cores.
        .target(name: "CTensorKernels"),
        // SQLite's default VFS with each transaction's log frames gathered into one write.
        .target(name: "CSQLiteVFS", dependencies: ["CSQLite"]),
        // The one file-system call Swift's Glibc module does not declare (rename without replacing).
        .target(name: "CFileOps"),
        .target(name: "TensorCore", dependencies: ["CTensorKernels"], swiftSettings: strictness),
        .target(
            name: "MLOpsStorage",
            dependencies: [
                "CSQLite", "CSQLiteVFS", "CFileOps", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"])),
            ],
            swiftSettings: strictness),

        // Products (each issue fills one in).
        .target(
            name: "Lineage",
            dependencies: ["MLOpsStorage", "TensorCore", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strictness),
        .target(
            name: "Registry",
            dependencies: [
                "MLOpsStorage", "Lineage", "TensorCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictness),
        .target(
            name: "DriftStats",
            dependencies: ["MLOpsStorage", "TensorCore", .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: strictness),
        .target(
            name: "FeatureParity",
            dependencies: ["MLOpsStorage", "TensorCore", "DriftStats", .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: strictness),
        .target(name: "Rollout", dependencies: ["MLOpsStorage", "TensorCore"], swiftSettings: strictness),
        // The adapter through which Rollout moves Registry aliases: the one place the two meet.
        .target(name: "RolloutRegistry", dependencies: ["Rollout", "Registry"], swiftSettings: strictness),
        .target(name: "GPUScheduling", dependencies: ["MLOpsStorage", "TensorCore"], swiftSettings: strictness),

        // The operators' tool.
        .target(
            name: "MLOpsCommands",
            dependencies: [
                "MLOpsStorage", "TensorCore", "Lineage", "DriftStats", "Registry", "GPUScheduling", "Rollout", "RolloutRegistry", "FeatureParity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness),
        .executableTarget(name: "mlops", dependencies: ["MLOpsCommands"], swiftSettings: strictness),

        // Examples: short programs that use the products; a test builds and runs each.
        .executableTarget(
            name: "store-tour", dependencies: ["MLOpsStorage"], path: "Examples/StoreTour",
            swiftSettings: strictness),

        .executableTarget(
            name: "table-sketches", dependencies: ["TensorCore"], path: "Examples/TableSketches",
            swiftSettings: strictness),

        .executableTarget(
            name: "train-and-trace", dependencies: ["Lineage", "MLOpsStorage", "TensorCore"], path: "Examples/TrainAndTrace",
            swiftSettings: strictness),

        .executableTarget(
            name: "governed-promotion", dependencies: ["Registry", "MLOpsStorage"], path: "Examples/GovernedPromotion",
            swiftSettings: strictness),

        .executableTarget(
            name: "drift-watch", dependencies: ["DriftStats", "MLOpsStorage", "TensorCore"], path: "Examples/DriftWatch",
            swiftSettings: strictness),

        .executableTarget(
            name: "train-serve-parity", dependencies: ["FeatureParity", "TensorCore"], path: "Examples/TrainServeParity",
            swiftSettings: strictness),

        .executableTarget(
            name: "canary-rollout", dependencies: ["Rollout", "TensorCore"], path: "Examples/CanaryRollout",
            swiftSettings: strictness),

        .executableTarget(
            name: "shared-gpu-cluster", dependencies: ["GPUScheduling"], path: "Examples/SharedGPUCluster",
            swiftSettings: strictness),

        // Benchmarks: release-built, run by Benchmarks/run next to the Python anchors.
        .target(name: "CAllocationCounter", path: "Benchmarks/Sources/CAllocationCounter"),
        .executableTarget(
            name: "mlops-benchmarks",
            dependencies: ["MLOpsStorage", "TensorCore", "Lineage", "DriftStats", "Registry", "GPUScheduling", "Rollout", "FeatureParity", "CSQLite", "CAllocationCounter"],
            path: "Benchmarks/Sources/MLOpsBenchmarks",
            swiftSettings: strictness),

        // What the test targets share: the conformance suites every store implementation runs
        // (one home, each check a test case of its own), temporary folders, test clocks.
        .target(
            name: "MLOpsTestSupport", dependencies: ["MLOpsStorage", "TensorCore", "Lineage", "DriftStats", "Registry", "Rollout", "FeatureParity"],
            path: "Tests/MLOpsTestSupport", swiftSettings: strictness),

        .testTarget(
            name: "MLOpsStorageTests",
            dependencies: [
                "MLOpsStorage", "MLOpsTestSupport",
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictness),
        .testTarget(
            name: "TensorCoreTests",
            dependencies: ["TensorCore", "CTensorKernels", .product(name: "PropertyBased", package: "swift-property-based")], exclude: ["Fixtures"], swiftSettings: strictness),
        .testTarget(
            name: "DriftStatsTests",
            dependencies: ["DriftStats", "MLOpsStorage", "MLOpsTestSupport", "TensorCore", .product(name: "MetricsTestKit", package: "swift-metrics")],
            exclude: ["Fixtures"], swiftSettings: strictness),
        .testTarget(
            name: "LineageTests",
            dependencies: [
                "Lineage", "MLOpsStorage", "MLOpsTestSupport", .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"], swiftSettings: strictness),
        .testTarget(
            name: "RegistryTests",
            dependencies: ["Registry", "Lineage", "MLOpsStorage", "MLOpsTestSupport", "TensorCore"],
            swiftSettings: strictness),
        .testTarget(
            name: "GPUSchedulingTests", dependencies: ["GPUScheduling", "TensorCore"], swiftSettings: strictness),
        .testTarget(
            name: "FeatureParityTests", dependencies: ["FeatureParity", "TensorCore", "MLOpsStorage", "MLOpsTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics")], exclude: ["Fixtures"], swiftSettings: strictness),
        .testTarget(
            name: "RolloutTests", dependencies: ["Rollout", "RolloutRegistry", "MLOpsStorage", "MLOpsTestSupport", "Registry", "TensorCore"], exclude: ["Fixtures"],
            swiftSettings: strictness),
        .testTarget(
            name: "MLOpsCommandTests", dependencies: ["MLOpsCommands", "MLOpsStorage", "MLOpsTestSupport", "TensorCore", "Lineage", "Registry", "DriftStats", "FeatureParity", "Rollout", "GPUScheduling", "mlops", "store-tour", "table-sketches", "train-and-trace", "governed-promotion", "shared-gpu-cluster", "canary-rollout", "train-serve-parity"],
            swiftSettings: strictness),
    ],
    swiftLanguageModes: [.v6]
)
