import Foundation
import Lineage
import MLOpsStorage
import Testing
import TensorCore

@testable import Registry

/// The registry's canonical encoder must write exactly the bytes Foundation's `JSONEncoder`
/// (sorted keys, unescaped slashes, millisecond dates, base64 data) writes: digests and
/// signatures of stored records depend on them.
@Suite("Canonical JSON encoder")
struct CanonicalJSONEncoderTests {
    /// Text with what JSON escapes, what it does not, and characters beyond ASCII.
    static func text(_ random: inout SplitMix64, maximumLength: Int = 12) -> String {
        let pieces: [String] = [
            "a", "Z", "0", " ", "/", "\\", "\"", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}",
            "é", "e\u{301}", "ß", "日本", "🙂", "\u{2028}", "_", "-", ".", "@", "#", "{", "}", "[", "]", ":", ",",
        ]
        let count = Int(random.next() % UInt64(maximumLength + 1))
        return (0..<count).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
    }

    /// Finite doubles of every kind: bit patterns (subnormals and extremes included), integers,
    /// short decimals, ±0.
    static func number(_ random: inout SplitMix64) -> Double {
        switch random.next() % 5 {
        case 0:
            let value = Double(bitPattern: random.next())
            return value.isFinite ? value : 1.5
        case 1: return Double(Int64(bitPattern: random.next()) >> Int64(random.next() % 63))
        case 2: return Double(Int(random.next() % 2_000_001) - 1_000_000) / 1_000
        case 3: return [0.0, -0.0, 1e-7, 1e21, 1e22, 123_456_789_012_345_680_000.0, 0.1, 1e-5, 5e-324, .greatestFiniteMagnitude][Int(random.next() % 10)]
        default: return Double(random.next() % 1_000_000) * 1e-9
        }
    }

    static func dictionary(_ random: inout SplitMix64, _ value: (inout SplitMix64) -> Double) -> [String: Double] {
        var result: [String: Double] = [:]
        for _ in 0..<Int(random.next() % 6) { result[text(&random, maximumLength: 5)] = value(&random) }
        return result
    }

    static func tags(_ random: inout SplitMix64) -> [String: String] {
        var result: [String: String] = [:]
        for _ in 0..<Int(random.next() % 5) { result[text(&random, maximumLength: 4)] = text(&random) }
        return result
    }

    static func date(_ random: inout SplitMix64) -> Date {
        // Arbitrary instants, not only whole milliseconds: both encoders round the same way.
        Date(timeIntervalSince1970: Double(Int64(random.next() % 4_000_000_000_000)) / 1_000 + Double(random.next() % 1000) * 1e-7)
    }

    static func version(_ random: inout SplitMix64) throws -> ModelVersion {
        let card: ModelCard? = random.next() % 2 == 0 ? nil : ModelCard(
            intendedUse: text(&random), limitations: text(&random), trainingData: text(&random),
            evaluationSlices: (0..<Int(random.next() % 3)).map { _ in ModelCard.EvaluationSlice(name: text(&random), metrics: dictionary(&random, number)) },
            owners: (0..<Int(random.next() % 3)).map { _ in text(&random) })
        let signature: ModelSignature? = random.next() % 2 == 0 ? nil : ModelSignature(
            inputs: [ModelSignature.Field(name: text(&random), type: "float64", shape: random.next() % 2 == 0 ? nil : [-1, Int(random.next() % 100)])],
            outputs: [ModelSignature.Field(name: text(&random), type: text(&random))])
        var version = ModelVersion(
            model: try ModelName("team\(random.next() % 10)/model-\(random.next() % 100)"), version: Int(random.next() % 100_000),
            runID: random.next() % 2 == 0 ? nil : try RunID((0..<2).map { _ in String(random.next() | 1 << 63, radix: 16) }.joined()),
            artifactDigest: Digest(of: Array(text(&random).utf8)), source: random.next() % 2 == 0 ? nil : "/models/" + text(&random),
            featureSetHash: random.next() % 2 == 0 ? nil : text(&random), signature: signature, metrics: dictionary(&random, number),
            description: text(&random), tags: tags(&random), card: card, author: text(&random), createdAt: date(&random),
            status: [.ready, .quarantined, .purged][Int(random.next() % 3)], statusReason: random.next() % 2 == 0 ? nil : text(&random),
            digest: Digest(of: [UInt8(random.next() % 256)]))
        version.digest = try version.identityDigest()
        return version
    }

    /// The identity a version's digest is taken over.
    static func identity(of version: ModelVersion) -> ModelVersion.Identity {
        ModelVersion.Identity(
            model: version.model.value, version: version.version, runID: version.runID?.value, artifactDigest: version.artifactDigest.description,
            source: version.source, featureSetHash: version.featureSetHash, signature: version.signature, metrics: version.metrics,
            author: version.author, createdAt: version.createdAt.millisecondsSince1970)
    }

    static func alias(_ random: inout SplitMix64, of model: ModelName) -> AliasAssignment {
        AliasAssignment(
            model: model, alias: text(&random), version: Int(random.next() % 1000) - 10, revision: Int(random.next() % 1000),
            assignedAt: date(&random), assignedBy: text(&random))
    }

    static func aliasHistory(_ random: inout SplitMix64) -> AliasHistoryEntry {
        AliasHistoryEntry(
            revision: Int(random.next() % 1000), version: Int(random.next() % 1000),
            previousVersion: random.next() % 2 == 0 ? nil : Int(random.next() % 1000), action: [.promote, .rollback][Int(random.next() % 2)],
            principal: text(&random), reason: text(&random), at: date(&random))
    }

    @Test("Every registry record type, 2,000 random values each: the same bytes as Foundation's JSONEncoder")
    func sameBytesAsFoundation() throws {
        var random = SplitMix64(seed: 20_261_206)
        func same(_ value: some Encodable, _ what: String) throws {
            let ours = try RegistryCoding.canonicalJSON(value)
            let reference = try RegistryCoding.foundationCanonicalJSON(value)
            #expect(ours == reference, "\(what): ours \(String(decoding: ours, as: UTF8.self)) against \(String(decoding: reference, as: UTF8.self))")
        }
        for _ in 0..<2_000 {
            let version = try Self.version(&random)
            try same(version, "version")
            try same(Self.identity(of: version), "identity")
            let model = RegisteredModel(
                name: version.model, description: Self.text(&random), owner: Self.text(&random), tags: Self.tags(&random),
                riskClass: [.low, .medium, .high][Int(random.next() % 3)], createdAt: Self.date(&random), createdBy: Self.text(&random),
                latestVersion: Int(random.next() % 1000))
            try same(model, "model")
            try same(Self.alias(&random, of: version.model), "alias")
            try same(Self.aliasHistory(&random), "alias history")
            try same(
                Principal(
                    id: Self.text(&random), roles: Set([Role.admin, .register, .approve, .promote].filter { _ in random.next() % 2 == 0 }),
                    publicKey: random.next() % 2 == 0 ? nil : Data((0..<Int(random.next() % 40)).map { _ in UInt8(random.next() % 256) }),
                    createdAt: Self.date(&random), createdBy: random.next() % 2 == 0 ? nil : Self.text(&random)),
                "principal")
            try same(
                Approval(
                    model: version.model, version: version.version, versionDigest: version.digest, alias: Self.text(&random),
                    policyHash: Digest(of: [1, 2, 3]), principal: Self.text(&random), signedAt: Self.date(&random), expiresAt: Self.date(&random),
                    signature: Data((0..<64).map { _ in UInt8(random.next() % 256) })),
                "approval")
            try same(
                PromotionPolicy(
                    alias: Self.text(&random), riskClass: random.next() % 2 == 0 ? nil : .high,
                    metricMinimums: [PromotionPolicy.MetricRule(metric: Self.text(&random), value: Self.number(&random), lowerIsBetter: random.next() % 2 == 0)],
                    marginsOverHolder: [], requireReproducibleLineage: random.next() % 2 == 0, requireCompleteCard: true,
                    requiredApprovals: Int(random.next() % 5)),
                "policy")
            try same(version.card ?? ModelCard(), "model card")
            try same(StatusRecord(status: version.status, reason: random.next() % 2 == 0 ? nil : Self.text(&random)), "status")
            let run = Run(
                id: try RunID((0..<2).map { _ in String(random.next() | 1 << 63, radix: 16) }.joined()), experiment: Self.text(&random),
                name: Self.text(&random), status: [.running, .finished, .failed][Int(random.next() % 3)], startTime: Self.date(&random),
                endTime: random.next() % 2 == 0 ? nil : Self.date(&random), owner: random.next() % 2 == 0 ? nil : Self.text(&random),
                tags: Self.tags(&random),
                parameters: Dictionary(
                    [
                        ("int", ParameterValue.int(Int64(bitPattern: random.next()))), ("double", .double(Self.number(&random))),
                        ("bool", .bool(random.next() % 2 == 0)), (Self.text(&random, maximumLength: 4), .string(Self.text(&random))),
                    ],
                    uniquingKeysWith: { _, last in last }),
                latestMetrics: ["loss": MetricPoint(key: "loss", value: Self.number(&random), step: Int64(random.next() % 1000), timestamp: Self.date(&random))])
            try same(
                ModelBundleManifest(
                    exportedAt: Self.date(&random), model: model, version: version, lineageRun: random.next() % 2 == 0 ? nil : run,
                    approvals: [], approvers: [BundledApprover(principal: Self.text(&random), publicKey: Data((0..<32).map { _ in UInt8(random.next() % 256) }))],
                    aliases: [Self.text(&random)], sourceAuditHead: AuditHead(sequence: Int64(random.next() % 1000), hash: Self.text(&random))),
                "bundle manifest")
            try same(Self.dictionary(&random, Self.number), "dictionary")
            try same([Self.text(&random), Self.text(&random)], "array of strings")
        }
    }

    @Test("The records that write their JSON themselves (version, identity, alias, alias history) write what their Encodable conformance writes, 2,000 random values each")
    func writtenRecordsMatchTheirEncodable() throws {
        var random = SplitMix64(seed: 20_261_207)
        func same(_ value: some CanonicalJSONRecord, _ what: String) throws {
            var json = CanonicalJSONWriter()
            try value.writeCanonicalJSON(to: &json)
            let codable = try CanonicalJSONEncoder().encodeThroughCodable(value)
            #expect(json.bytes == codable, "\(what): written \(String(decoding: json.bytes, as: UTF8.self)) against \(String(decoding: codable, as: UTF8.self))")
            #expect(try RegistryCoding.canonicalJSON(value) == json.bytes, "\(what): the encoder does not take the written path")
        }
        for _ in 0..<2_000 {
            let version = try Self.version(&random)
            try same(version, "version")
            try same(Self.identity(of: version), "identity")
            try same(Self.alias(&random, of: version.model), "alias")
            try same(Self.aliasHistory(&random), "alias history")
        }
        // A metric JSON cannot hold is refused on both paths, with the same coding path.
        var random2 = SplitMix64(seed: 7)
        var version = try Self.version(&random2)
        version.metrics = ["auc": 0.9, "f1": .nan]
        for encode in [{ try RegistryCoding.canonicalJSON(version) }, { try CanonicalJSONEncoder().encodeThroughCodable(version) }] {
            do {
                _ = try encode()
                Issue.record("a NaN metric was encoded")
            } catch EncodingError.invalidValue(_, let context) {
                #expect(context.codingPath.map(\.stringValue) == ["metrics", "f1"])
            }
        }
    }

    @Test("A version or alias with times in whole milliseconds reads back from its canonical text exactly (what the SQL store's cache relies on when it files a record under the text it stored)")
    func roundTrip() throws {
        var random = SplitMix64(seed: 7)
        for _ in 0..<1_000 {
            var version = try Self.version(&random)
            version.createdAt = version.createdAt.registryRounded
            let decoded = try RegistryCoding.decode(ModelVersion.self, from: try RegistryCoding.canonicalText(version), what: "version")
            #expect(decoded == version)
            // `==` takes -0.0 for +0.0: the metrics' bits must come back too.
            #expect(decoded.metrics.mapValues(\.bitPattern) == version.metrics.mapValues(\.bitPattern))
            let assignment = AliasAssignment(
                model: version.model, alias: Self.text(&random), version: version.version, revision: Int(random.next() % 100),
                assignedAt: Self.date(&random).registryRounded, assignedBy: Self.text(&random))
            #expect(try RegistryCoding.decode(AliasAssignment.self, from: try RegistryCoding.canonicalText(assignment), what: "alias") == assignment)
        }
    }

    @Test("Keys sort by their UTF-8 bytes; a key encoded twice keeps its last value; nested containers and super encoders land where Foundation puts them")
    func structure() throws {
        struct Tricky: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyKey.self)
                for key in ["b", "B", "a", "_", "é", "e", "10", "9", "aa", ""] { try container.encode(key, forKey: AnyKey(key)) }
                try container.encode(1, forKey: AnyKey("twice"))
                try container.encode(2, forKey: AnyKey("twice"))
                var nested = container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("nested"))
                try nested.encode(true, forKey: AnyKey("z"))
                try nested.encodeNil(forKey: AnyKey("y"))
                var list = container.nestedUnkeyedContainer(forKey: AnyKey("list"))
                try list.encode(1.0)
                try list.encode(Float(0.1))
                try list.encodeNil()
                var inner = list.nestedContainer(keyedBy: AnyKey.self)
                try inner.encode(Int8(-3), forKey: AnyKey("int8"))
                try inner.encode(UInt64.max, forKey: AnyKey("max"))
                let parent = container.superEncoder()
                var single = parent.singleValueContainer()
                try single.encode("from super")
            }
        }
        let ours = try RegistryCoding.canonicalJSON(Tricky())
        #expect(ours == (try RegistryCoding.foundationCanonicalJSON(Tricky())))
        #expect(String(decoding: ours, as: UTF8.self).hasPrefix(#"{"":"","10":"10","9":"9","B":"B","_":"_","a":"a","aa":"aa","b":"b","e":"e","#))
        #expect(String(decoding: ours, as: UTF8.self).contains(#""twice":2"#))
    }

    @Test("Edge cases of the Encoder protocol come out as Foundation writes them: a value that encodes nothing, a container asked for twice, an array's super encoder, a Decimal")
    func encoderEdgeCases() throws {
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        struct Holder: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyKey.self)
                try container.encode(Nothing(), forKey: AnyKey("nothing"))
                var first = container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("twice"))
                try first.encode(1, forKey: AnyKey("a"))
                var second = container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("twice"))
                try second.encode(2, forKey: AnyKey("b"))
                var list = container.nestedUnkeyedContainer(forKey: AnyKey("list"))
                try list.encode("first")
                var parent = list.superEncoder().singleValueContainer()
                try parent.encode(Decimal(string: "12.5") ?? 0)
                _ = list.superEncoder()
                try container.encode(Decimal(string: "-0.001") ?? 0, forKey: AnyKey("decimal"))
            }
        }
        let ours = try RegistryCoding.canonicalJSON(Holder())
        let reference = try RegistryCoding.foundationCanonicalJSON(Holder())
        #expect(ours == reference, "ours \(String(decoding: ours, as: UTF8.self)) against \(String(decoding: reference, as: UTF8.self))")
        #expect(String(decoding: ours, as: UTF8.self).contains(#""nothing":{}"#))
        #expect(String(decoding: ours, as: UTF8.self).contains(#""twice":{"a":1,"b":2}"#))
        // A top-level value that encodes nothing is refused by both.
        #expect(throws: EncodingError.self) { try RegistryCoding.canonicalJSON(Nothing()) }
        #expect(throws: EncodingError.self) { try RegistryCoding.foundationCanonicalJSON(Nothing()) }
    }

    @Test("A NaN or infinite number is refused with the path to it, as Foundation refuses it")
    func nonFiniteNumbers() throws {
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try RegistryCoding.canonicalJSON(["f1": bad]) }
            #expect(throws: EncodingError.self) { try RegistryCoding.foundationCanonicalJSON(["f1": bad]) }
        }
        do {
            _ = try RegistryCoding.canonicalJSON(["metrics": ["f1": Double.nan]])
            Issue.record("a NaN was encoded")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["metrics", "f1"])
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ text: String) { stringValue = text }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension RegistryCoding {
    /// The canonical JSON through Foundation's `JSONEncoder`: the reference the registry's own
    /// encoder is tested against (the encoder the registry used before it).
    static func foundationCanonicalJSON(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.millisecondsSince1970)
        }
        encoder.dataEncodingStrategy = .base64
        encoder.nonConformingFloatEncodingStrategy = .throw
        return Array(try encoder.encode(value))
    }
}
