import FeatureParity
import Foundation
import Testing
import TensorCore

@Suite("Feature definitions")
struct FeatureDefinitionTests {
    static func definitions() throws -> [FeatureDefinition] {
        let ttl = try TimeToLive(parsing: "2d")
        return [
            try FeatureDefinition(
                name: "spend_per_txn", entity: "user_id", owner: "fraud", description: "mean spend per transaction over 7 days", ttl: ttl,
                missing: .defaultValue(0), transformation: .divide(.column("spend_7d"), .maximum(.column("txn_count_7d"), .constant(1)))),
            try FeatureDefinition(
                name: "log_spend", entity: "user_id", owner: "fraud", ttl: ttl, missing: .failClosed,
                transformation: .clip(.log1p(.column("spend_7d")), low: 0, high: 12)),
            try FeatureDefinition(
                name: "spend_change", entity: "user_id", owner: "fraud", ttl: ttl, missing: .defaultValue(-1),
                transformation: .subtract(.multiply(.column("spend_7d"), .constant(1.0 / 7)), .coalesce(.column("spend_1d"), fallback: 0))),
        ]
    }

    @Test("offline (a column at a time) and online (one entity) give bit-identical values for every row")
    func offlineEqualsOnline() throws {
        var random = Xoshiro256StarStar(seed: 21)
        var spend7: [Double?] = [], count7: [Double?] = [], spend1: [Double?] = []
        for i in 0..<20_000 {
            spend7.append(i % 97 == 0 ? nil : exp(4 + random.nextNormal()) * (i % 13 == 0 ? -1 : 1))
            count7.append(i % 89 == 0 ? nil : Double(Int(random.nextUniform() * 30)))
            spend1.append(i % 5 == 0 ? nil : random.nextUniform() * 100)
        }
        let table = try FeatureTable(columns: [
            ("spend_7d", .double(DoubleColumn(spend7))), ("txn_count_7d", .double(DoubleColumn(count7))), ("spend_1d", .double(DoubleColumn(spend1))),
        ])
        let set = try FeatureSet(name: "fraud-scorer", version: 3, features: try Self.definitions())
        let offline = try set.computeOffline(table)
        for feature in set.features {
            let column = try offline.doubleColumn(named: feature.name)
            for row in 0..<table.rowCount {
                var values: [String: FeatureValue] = [:]
                if let v = spend7[row] { values["spend_7d"] = .number(v) }
                if let v = count7[row] { values["txn_count_7d"] = .number(v) }
                if let v = spend1[row] { values["spend_1d"] = .number(v) }
                let online = feature.transformation.evaluate(values)?.number
                #expect(online?.bitPattern == column[row]?.bitPattern, "\(feature.name) row \(row): online \(String(describing: online)), offline \(String(describing: column[row]))")
            }
        }
    }

    @Test("content hashes are stable, change with what changes values, and ignore owner and description")
    func hashes() throws {
        let base = try Self.definitions()[0]
        #expect(base.contentHash == (try Self.definitions()[0]).contentHash)
        #expect(base.contentHash.count == 64)
        // The golden value: a change here means every stored hash would stop matching.
        #expect(base.canonicalText == "feature:13:spend_per_txn;entity:7:user_id;type:double;version:1;ttl:172800000000;missing:default(0.0);transformation:divide(column(8:spend_7d),maximum(column(12:txn_count_7d),constant(1.0)))")
        let reowned = try FeatureDefinition(name: base.name, entity: base.entity, owner: "risk", description: "other words", ttl: base.ttl, missing: base.missing, computing: base.transformation)
        #expect(reowned.contentHash == base.contentHash)
        let variants = [
            try FeatureDefinition(name: base.name, entity: base.entity, owner: "fraud", ttl: base.ttl, missing: base.missing, computing: base.transformation, version: 2),
            try FeatureDefinition(name: base.name, entity: base.entity, owner: "fraud", ttl: try TimeToLive(parsing: "1d"), missing: base.missing, computing: base.transformation),
            try FeatureDefinition(name: base.name, entity: base.entity, owner: "fraud", ttl: base.ttl, missing: .failClosed, computing: base.transformation),
            try FeatureDefinition(name: base.name, entity: base.entity, owner: "fraud", ttl: base.ttl, missing: base.missing, transformation: .column("spend_7d")),
        ]
        for variant in variants { #expect(variant.contentHash != base.contentHash) }
        let set = try FeatureSet(name: "fraud-scorer", version: 3, features: try Self.definitions())
        let reordered = try FeatureSet(name: "fraud-scorer", version: 3, features: try Self.definitions().reversed())
        #expect(set.contentHash != reordered.contentHash)
        #expect(set.contentHash == (try FeatureSet(name: "fraud-scorer", version: 3, features: try Self.definitions())).contentHash)
    }

    @Test("online serving enforces the TTL at read time and applies each feature's policy, marking defaults")
    func onlinePolicies() throws {
        let set = try FeatureSet(name: "fraud-scorer", version: 3, features: try Self.definitions())
        let fresh = try set.computeOnline(["spend_7d": 700, "txn_count_7d": 7, "spend_1d": 50], sourceTime: 1_000, now: 1_060)
        #expect(fresh.values == [100, .number(log1p(700)), 50] && fresh.served == [.fresh, .fresh, .fresh])
        // Stale: log_spend fails closed.
        #expect(throws: FeatureParityError.self) { try set.computeOnline(["spend_7d": 700, "txn_count_7d": 7], sourceTime: 0, now: 3 * 86_400) }
        let lenient = try FeatureSet(name: "lenient", version: 1, features: [try Self.definitions()[0], try Self.definitions()[2]])
        let stale = try lenient.computeOnline(["spend_7d": 700, "txn_count_7d": 7], sourceTime: 0, now: 3 * 86_400)
        #expect(stale.values == [0, -1] && stale.served == [.defaultForStale, .defaultForStale])
        let missing = try lenient.computeOnline([:], sourceTime: 0, now: 10)
        #expect(missing.served == [.defaultForMissing, .defaultForMissing])
        do {
            _ = try set.computeOnline([:], sourceTime: 0, now: 10)
        } catch {
            #expect(error.code == .failClosed && error.location == "log_spend")
        }
    }

    @Test("payload contracts name the field that breaks them")
    func contracts() throws {
        let contract = PayloadContract(fields: [
            .init(name: "amount", minimum: 0, maximum: 50_000), .init(name: "country", categories: ["DE", "FR", "NL"]), .init(name: "note", required: false, categories: ["a"]),
        ])
        try contract.validate(["amount": .number(12.5), "country": .text("DE")])
        let cases: [([String: PayloadContract.Value], String)] = [
            (["country": .text("DE")], "amount"),
            (["amount": .number(-1), "country": .text("DE")], "amount"),
            (["amount": .number(1_250_000), "country": .text("DE")], "amount"),
            (["amount": .number(.nan), "country": .text("DE")], "amount"),
            (["amount": .text("12"), "country": .text("DE")], "amount"),
            (["amount": .number(1), "country": .text("BR")], "country"),
            (["amount": .number(1), "country": .number(3)], "country"),
            (["amount": .number(1), "country": .text("DE"), "extra": .number(1)], "extra"),
        ]
        for (payload, field) in cases {
            do {
                try contract.validate(payload)
                Issue.record("accepted \(payload)")
            } catch {
                #expect(error.code == .contractViolation && error.location == field, "\(payload): \(error)")
            }
        }
    }

    @Test("bad definitions and sets are refused")
    func badDefinitions() throws {
        let ttl = try TimeToLive(parsing: "1h")
        #expect(throws: FeatureParityError.self) { try FeatureDefinition(name: "", entity: "u", owner: "o", ttl: ttl, missing: .failClosed, transformation: .constant(1)) }
        #expect(throws: FeatureParityError.self) { try FeatureDefinition(name: "x", entity: "u", owner: "o", ttl: ttl, missing: .defaultValue(.number(.nan)), transformation: .constant(1)) }
        #expect(throws: FeatureParityError.self) { try FeatureDefinition(name: "x", entity: "u", owner: "o", ttl: ttl, missing: .failClosed, transformation: .constant(1), version: 0) }
        let a = try FeatureDefinition(name: "x", entity: "u", owner: "o", ttl: ttl, missing: .failClosed, transformation: .constant(1))
        let b = try FeatureDefinition(name: "x", entity: "v", owner: "o", ttl: ttl, missing: .failClosed, transformation: .constant(2))
        #expect(throws: FeatureParityError.self) { try FeatureSet(name: "s", version: 1, features: [a, a]) }
        #expect(throws: FeatureParityError.self) { try FeatureSet(name: "s", version: 1, features: []) }
        #expect(throws: FeatureParityError.self) { try FeatureSet(name: "s", version: 1, features: [a, try FeatureDefinition(name: "y", entity: "v", owner: "o", ttl: ttl, missing: .failClosed, transformation: .constant(2))]) }
        _ = b
        let table = try FeatureTable(columns: [("other", .double(DoubleColumn(values: [1])))])
        #expect(throws: FeatureParityError.self) { try FeatureSet(name: "s", version: 1, features: [try Self.definitions()[0]]).computeOffline(table) }
    }
}
