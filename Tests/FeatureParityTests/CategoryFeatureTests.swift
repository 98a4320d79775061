import FeatureParity
import Foundation
import MetricsTestKit
import MLOpsStorage
import MLOpsTestSupport
import Testing
import TensorCore

/// Category features: defined once with a ``CategoryExpression``, computed offline and online to
/// the same category, hashed, validated, served through the online store and checked for skew.
@Suite("Category features")
struct CategoryFeatureTests {
    static var ttl: TimeToLive { get throws { try TimeToLive(parsing: "1d") } }

    static func definitions() throws -> [FeatureDefinition] {
        [
            try FeatureDefinition(
                name: "spend_band", entity: "user", owner: "risk", ttl: try Self.ttl, missing: .defaultValue("unknown"),
                category: .bucketize(.divide(.column("spend"), .constant(100)), edges: [-1, 0.5, 2, 10], labels: ["refund", "tiny", "small", "medium", "large"])),
            try FeatureDefinition(
                name: "country", entity: "user", owner: "risk", ttl: try Self.ttl, missing: .failClosed,
                category: .vocabulary(.lowercased(.column("country")), ["de", "fr", "nl"], other: "other")),
            try FeatureDefinition(
                name: "tier", entity: "user", owner: "risk", ttl: try Self.ttl, missing: .defaultValue("basic"),
                category: .coalesce(.map(.column("plan"), mapping: ["p1": "gold", "p2": "gold", "p3": "silver"], other: nil), fallback: "none")),
            try FeatureDefinition(
                name: "zip", entity: "user", owner: "risk", ttl: try Self.ttl, missing: .defaultValue("00000"), category: .column("zip")),
        ]
    }

    /// Sources with missing values, NaN, negatives, mixed case, and a numeric column read as categories.
    static func sources(rows: Int, seed: UInt64) throws -> (FeatureTable, [[String: FeatureValue]]) {
        var random = Xoshiro256StarStar(seed: seed)
        var spend: [Double?] = [], country: [String?] = [], plan: [String?] = [], zip: [Double?] = []
        let countries = ["DE", "de", "Fr", "NL", "BR", "us", "Éire"]
        for i in 0..<rows {
            let draw = random.nextUniform()
            spend.append(i % 31 == 0 ? nil : i % 53 == 0 ? .nan : (draw - 0.1) * 2_000)
            country.append(i % 17 == 0 ? nil : countries[Int(random.next() % UInt64(countries.count))])
            plan.append(i % 7 == 0 ? nil : ["p1", "p2", "p3", "p9"][Int(random.next() % 4)])
            zip.append(i % 11 == 0 ? nil : i % 2 == 0 ? Double(10_000 + Int(random.next() % 90_000)) : 1234.5)
        }
        let table = try FeatureTable(columns: [
            ("spend", .double(DoubleColumn(spend))), ("country", .categorical(CategoricalColumn(country))),
            ("plan", .categorical(CategoricalColumn(plan))), ("zip", .double(DoubleColumn(zip))),
        ])
        let online: [[String: FeatureValue]] = (0..<rows).map { i in
            var values: [String: FeatureValue] = [:]
            if let v = spend[i] { values["spend"] = .number(v) }
            if let v = country[i] { values["country"] = .text(v) }
            if let v = plan[i] { values["plan"] = .text(v) }
            if let v = zip[i] { values["zip"] = .number(v) }
            return values
        }
        return (table, online)
    }

    @Test("offline (a column at a time) and online (one entity) give the same category for every row")
    func offlineEqualsOnline() throws {
        let (table, online) = try Self.sources(rows: 20_000, seed: 5)
        let set = try FeatureSet(name: "risk", version: 1, features: try Self.definitions())
        let offline = try set.computeOffline(table)
        var seen: [String: Set<String>] = [:]
        for feature in set.features {
            let column = try offline.categoricalColumn(named: feature.name)
            for row in 0..<table.rowCount {
                let value = feature.transformation.evaluate(online[row])
                #expect(value?.category == column[row], "\(feature.name) row \(row)")
                if let category = column[row] { seen[feature.name, default: []].insert(category) }
            }
        }
        // Every branch was taken.
        #expect(seen["spend_band"] == ["refund", "tiny", "small", "medium", "large"])
        #expect(seen["country"] == ["de", "fr", "nl", "other"])
        #expect(seen["tier"] == ["gold", "silver", "p9", "none"])
        #expect(seen["zip"]?.contains("1234.5") == true && seen["zip"]?.contains { !$0.contains(".") } == true)
    }

    @Test("bands follow the documented edges: the lower edge is in, the upper edge out")
    func bands() throws {
        let band = CategoryExpression.bucketize(.column("x"), edges: [0, 10], labels: ["below", "mid", "high"])
        let cases: [(Double, String?)] = [(-0.1, "below"), (0, "mid"), (9.99, "mid"), (10, "high"), (1e9, "high"), (.nan, nil)]
        for (x, expected) in cases {
            #expect(band.evaluate(["x": .number(x)]) == expected, "\(x)")
        }
        #expect(band.evaluate([:]) == nil)
        #expect(band.categories == ["below", "mid", "high"])
    }

    @Test("content hashes cover the type and every parameter; the canonical text is stable")
    func hashes() throws {
        let base = try Self.definitions()[1]
        #expect(base.type == .category)
        #expect(base.canonicalText == "feature:7:country;entity:4:user;type:category;version:1;ttl:86400000000;missing:fail-closed;transformation:vocabulary(lowercased(column(7:country)),[2:de,2:fr,2:nl],5:other)")
        let variants: [CategoryExpression] = [
            .vocabulary(.lowercased(.column("country")), ["de", "fr"], other: "other"),
            .vocabulary(.lowercased(.column("country")), ["de", "fr", "nl"], other: "rest"),
            .vocabulary(.column("country"), ["de", "fr", "nl"], other: "other"),
        ]
        for variant in variants {
            let changed = try FeatureDefinition(name: "country", entity: "user", owner: "risk", ttl: try Self.ttl, missing: .failClosed, category: variant)
            #expect(changed.contentHash != base.contentHash)
        }
        // A mapping's text does not depend on the dictionary's order.
        let map1 = CategoryExpression.map(.column("p"), mapping: ["a": "x", "b": "y", "c": "z"], other: nil)
        let map2 = CategoryExpression.map(.column("p"), mapping: ["c": "z", "a": "x", "b": "y"], other: nil)
        #expect(map1.canonicalText == map2.canonicalText)
        // A number feature's text is unchanged by the category work (stored hashes stay valid).
        let number = try FeatureDefinition(name: "n", entity: "user", owner: "o", ttl: try Self.ttl, missing: .defaultValue(0), transformation: .column("x"))
        #expect(number.canonicalText.contains("type:double") && number.type == .number)
    }

    @Test("bad category definitions are refused with typed errors")
    func badDefinitions() throws {
        let cases: [() throws -> FeatureDefinition] = [
            { try FeatureDefinition(name: "b", entity: "u", owner: "o", ttl: try Self.ttl, missing: .failClosed, category: .bucketize(.column("x"), edges: [1, 2], labels: ["a", "b"])) },
            { try FeatureDefinition(name: "b", entity: "u", owner: "o", ttl: try Self.ttl, missing: .failClosed, category: .bucketize(.column("x"), edges: [2, 1], labels: ["a", "b", "c"])) },
            { try FeatureDefinition(name: "b", entity: "u", owner: "o", ttl: try Self.ttl, missing: .failClosed, category: .bucketize(.column("x"), edges: [.nan], labels: ["a", "b"])) },
            { try FeatureDefinition(name: "b", entity: "u", owner: "o", ttl: try Self.ttl, missing: .failClosed, category: .lowercased(.bucketize(.column("x"), edges: [1, 1], labels: ["a", "b", "c"]))) },
            { try FeatureDefinition(name: "c", entity: "u", owner: "o", ttl: try Self.ttl, missing: .defaultValue(3), category: .column("c")) },
            { try FeatureDefinition(name: "n", entity: "u", owner: "o", ttl: try Self.ttl, missing: .defaultValue("zero"), transformation: .column("n")) },
        ]
        for (index, make) in cases.enumerated() {
            #expect(throws: FeatureParityError.self, "case \(index)") { try make() }
        }
        // An unchecked expression evaluated directly never traps.
        let broken = CategoryExpression.bucketize(.column("x"), edges: [1, 2], labels: ["a"])
        #expect(broken.evaluate(["x": 5]) == nil)
    }

    @Test("definitions round-trip through JSON; a stored number definition without a type still reads")
    func codable() throws {
        for definition in try Self.definitions() {
            let data = try JSONEncoder().encode(definition)
            let back = try JSONDecoder().decode(FeatureDefinition.self, from: data)
            #expect(back == definition && back.contentHash == definition.contentHash)
        }
        let legacy = #"{"name":"n","entity":"u","owner":"o","description":"","ttl":{"microseconds":60000000},"missing":{"defaultValue":{"_0":1.5}},"transformation":{"column":{"_0":"x"}},"version":1}"#
        let old = try JSONDecoder().decode(FeatureDefinition.self, from: Data(legacy.utf8))
        #expect(old.type == .number && old.missing == .defaultValue(1.5))
        let wrongDefault = #"{"name":"n","entity":"u","owner":"o","description":"","ttl":{"microseconds":60000000},"missing":{"defaultValue":{"_0":"text"}},"type":"number","transformation":{"column":{"_0":"x"}},"version":1}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(FeatureDefinition.self, from: Data(wrongDefault.utf8)) }
    }

    @Test("online serving of categories: fresh, stale and missing follow each feature's policy")
    func onlinePolicies() throws {
        let set = try FeatureSet(name: "risk", version: 1, features: try Self.definitions())
        let fresh = try set.computeOnline(["spend": 150, "country": "FR", "plan": "p3", "zip": 10115], sourceTime: 0, now: 60)
        #expect(fresh.values == ["small", "fr", "silver", "10115"] && fresh.served == [.fresh, .fresh, .fresh, .fresh])
        // Stale: country fails closed, naming itself.
        do {
            _ = try set.computeOnline(["spend": 150, "country": "FR"], sourceTime: 0, now: 2 * 86_400)
            Issue.record("a stale fail-closed category was served")
        } catch {
            #expect(error.code == .failClosed && error.location == "country")
        }
        let lenient = try FeatureSet(name: "lenient", version: 1, features: [try Self.definitions()[0], try Self.definitions()[2]])
        let stale = try lenient.computeOnline(["spend": 150, "plan": "p1"], sourceTime: 0, now: 2 * 86_400)
        #expect(stale.values == ["unknown", "basic"] && stale.served == [.defaultForStale, .defaultForStale])
        // A missing plan is "none" by the expression (coalesce), not the default.
        let noPlan = try lenient.computeOnline([:], sourceTime: 0, now: 1)
        #expect(noPlan.values == ["unknown", "none"] && noPlan.served == [.defaultForMissing, .fresh])
    }

    @Test("a feature set's payload contract allows a category feature's closed set (and its default), any text when open")
    func contract() throws {
        let contract = PayloadContract(featureSet: try FeatureSet(name: "risk", version: 1, features: try Self.definitions()))
        try contract.validate(["spend_band": "small", "country": "other", "tier": "p9", "zip": "10115"])
        try contract.validate(["spend_band": "unknown", "country": "de", "tier": "gold", "zip": "anything"])
        let cases: [([String: FeatureValue], String)] = [
            (["spend_band": "huge", "country": "de", "tier": "gold", "zip": "1"], "spend_band"),
            (["spend_band": "small", "country": "DE", "tier": "gold", "zip": "1"], "country"),
            (["spend_band": "small", "country": "de", "tier": 3, "zip": "1"], "tier"),
            (["spend_band": "small", "country": "de", "tier": "gold"], "zip"),
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

    @Test("categories are materialized, served from a SQL store, exported as metrics, logged, and a category skew is found")
    func servedAndChecked() async throws {
        try await withTemporaryFolder { folder in
            let database = try await SQLiteDatabase(path: folder.file("online.sqlite"))
            let store = try await SQLOnlineFeatureStore(database: database)
            let offline = try FeatureTable(columns: [
                ("user", .categorical(CategoricalColumn(["a", "b", "c"]))), ("t", .double(DoubleColumn(values: [100, 100, 100]))),
                ("spend", .double(DoubleColumn([150, nil, 5_000]))), ("country", .categorical(CategoricalColumn(["DE", "fr", nil]))),
                ("plan", .categorical(CategoricalColumn(["p1", nil, "p7"]))), ("zip", .double(DoubleColumn([10115, 75001, nil]))),
            ])
            let report = try await Materializer(view: "risk-v1", key: "user", time: "t").run(offline, upTo: 200, store: store, now: 200)
            #expect(report.rowsWritten == 3 && report.skippedColumns.isEmpty)
            let metrics = TestMetrics()
            let lenient = try FeatureSet(name: "risk", version: 1, features: [try Self.definitions()[0], try Self.definitions()[2], try Self.definitions()[3]])
            let server = OnlineFeatureServer(featureSet: lenient, view: "risk-v1", store: store, metricsFactory: metrics)
            let a = try await server.lookup(entity: "a", now: 160)
            #expect(a.values == ["small", "gold", "10115"])
            let c = try await server.lookup(entity: "c", now: 160)
            #expect(c.values == ["large", "p7", "00000"] && c.served == [.fresh, .fresh, .defaultForMissing])
            let served = try metrics.expectCounter("mlops_feature_served_total", [("feature_set", "risk"), ("feature", "zip"), ("outcome", "default_for_missing")])
            #expect(served.totalValue == 1)
            let fresh = try metrics.expectCounter("mlops_feature_served_total", [("feature_set", "risk"), ("feature", "spend_band"), ("outcome", "fresh")])
            #expect(fresh.totalValue == 2)
            let age = try metrics.expectRecorder("mlops_feature_value_age_seconds", [("feature_set", "risk"), ("feature", "spend_band")])
            #expect(age.values == [60, 60])

            // Logged (through the SQL parity log), then compared with the offline computation:
            // the served zip is skewed by a changed default, the bands agree.
            let log = try await SQLParityLogStore(database: database)
            var records: [ParityRecord] = []
            for (entity, vector) in [("a", a), ("c", c)] {
                var values: [String: FeatureValue?] = [:]
                for (feature, value) in zip(lenient.features, vector.values) { values.updateValue(value, forKey: feature.name) }
                records.append(ParityRecord(entity: entity, servedAt: 160, asOf: 100, featureSetHash: lenient.contentHash, values: values))
            }
            try await log.append(records)
            let stored = try await log.records(featureSetHash: lenient.contentHash, since: 0, limit: 10)
            #expect(stored == records)
            let online = try ParityRecord.table(stored, features: lenient.features.map(\.name))
            guard case .categorical? = online.column(named: "zip") else {
                Issue.record("served categories should form a text column")
                return
            }
            var computed = try lenient.computeOffline(offline)
            computed = try FeatureTable(columns: [("entity", offline.columns[0]), ("as_of", offline.columns[1])] + zip(computed.columnNames, computed.columns).map { ($0, $1) })
            let parity = try SkewReport(offline: computed, online: online, key: "entity", timestamp: "as_of")
            let byName = Dictionary(uniqueKeysWithValues: parity.features.map { ($0.name, $0) })
            #expect(byName["spend_band"]?.matchRate == 1 && byName["tier"]?.matchRate == 1)
            #expect(byName["zip"]?.matchRate == 0.5)  // c: served the default "00000", offline missing
            try await database.close()
        }
    }
}
