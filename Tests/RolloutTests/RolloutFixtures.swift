import Foundation

/// Tests/RolloutTests/Fixtures/rollout.json, written by Scripts/fixtures/make_rollout_fixtures.py.
struct RolloutFixtureFile: Decodable {
    struct BucketCase: Decodable, Sendable, CustomStringConvertible {
        let salt: String
        let key: String
        let bucket: Int
        var description: String { "salt '\(salt)' key '\(key.prefix(12))'" }
    }

    struct SRMCase: Decodable, Sendable, CustomStringConvertible {
        let observed: [Int]
        let expected: [Double]
        let statistic: Double
        let p_value: Double
        var description: String { "\(observed)" }
    }

    struct Look: Decodable, Sendable {
        let events: Int
        let estimate: Double?
        let interval: [Double]?
        let decision: String
    }

    struct ReplayCase: Decodable, Sendable, CustomStringConvertible {
        let name: String
        let variants: String
        let metric: String
        let look_every: Int
        let minimum_samples: Int
        let expected_split: [Double]
        let lower_is_better: Bool
        let decision: String
        let decided_after_events: Int
        let looks: [Look]
        var description: String { name }
    }

    let buckets: [BucketCase]
    let srm: [SRMCase]
    let replays: [ReplayCase]

    static let loaded: RolloutFixtureFile? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rollout.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(RolloutFixtureFile.self, from: data)
    }()
}
