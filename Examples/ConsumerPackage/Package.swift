// swift-tools-version: 6.1
// A service that uses swift-mlops as users do: a separate package that depends on the products
// by path, with the package's traits turned off (no PostgreSQL, so no postgres-nio or SwiftNIO).
// Scripts/check-consumer copies this folder outside the repository and builds and runs it there;
// SWIFT_MLOPS_PATH names the checkout to depend on.
import Foundation
import PackageDescription

let swiftMLOps = Context.environment["SWIFT_MLOPS_PATH"] ?? "../.."
// A path dependency is known by its folder's name (a checkout need not be named swift-mlops).
let identity = URL(fileURLWithPath: swiftMLOps).standardizedFileURL.lastPathComponent.lowercased()

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
                .product(name: "TensorCore", package: identity),
                .product(name: "MLOpsStorage", package: identity),
                .product(name: "Lineage", package: identity),
                .product(name: "DriftStats", package: identity),
                .product(name: "Rollout", package: identity),
                .product(name: "FeatureParity", package: identity),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
