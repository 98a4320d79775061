// swift-tools-version: 6.1
// A service that uses swift-mlops as users do: a separate package that depends on the products
// by path, with the package's traits turned off (no PostgreSQL, so no postgres-nio or SwiftNIO).
// Scripts/check-consumer copies this folder outside the repository and builds and runs it there;
// SWIFT_MLOPS_PATH names the checkout to depend on.
import PackageDescription

let swiftMLOps = Context.environment["SWIFT_MLOPS_PATH"] ?? "../.."

let package = Package(
    name: "mlops-consumer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: swiftMLOps, traits: []),
    ],
    targets: [
        .executableTarget(
            name: "consumer",
            dependencies: [
                .product(name: "TensorCore", package: "swift-mlops"),
                .product(name: "MLOpsStorage", package: "swift-mlops"),
                .product(name: "Lineage", package: "swift-mlops"),
                .product(name: "DriftStats", package: "swift-mlops"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
