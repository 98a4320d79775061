import FeatureParity
import Foundation
import TensorCore

/// Chapter 7: the fraud model's training set is built with a point-in-time join of chargeback
/// labels against per-user features logged at each transaction (spend and count over 7 days, last
/// country); then the serving path's log, which carries one injected skew (spend sent in cents
/// instead of euros), is compared with the offline values, and the parity report names the feature.
struct FeaturesChapter: DemoChapter {
    let slug = "features"
    let title = "7. Features: a point-in-time training set, and a unit change caught between training and serving"

    /// The demo's transactions, timed over 30 days, with each user's rolling features at every one.
    static func featureLog(seed: UInt64) throws -> FeatureTable {
        let transactions = DemoData.transactions(rows: 20_000, seed: seed).rows
        var generator = Xoshiro256StarStar(seed: seed &+ 7)
        let start = 1_764_547_200.0  // 2025-12-01T00:00:00Z
        let times = transactions.map { _ in (start + 30 * 86_400 * generator.nextUniform()).rounded() }
        let order = transactions.indices.sorted { (times[$0], $0) < (times[$1], $1) }
        var windows: [String: [(time: Double, amount: Double)]] = [:]
        var users: [String] = [], stamps: [Double] = [], spend: [Double] = [], counts: [Double] = [], countries: [String] = []
        for i in order {
            let t = transactions[i]
            var window = windows[t.user, default: []]
            window.append((times[i], t.amount))
            window.removeAll { $0.time <= times[i] - 7 * 86_400 }
            windows[t.user] = window
            users.append(t.user)
            stamps.append(times[i])
            spend.append((window.reduce(0) { $0 + $1.amount } * 100).rounded() / 100)
            counts.append(Double(window.count))
            countries.append(t.country)
        }
        return try FeatureTable(columns: [
            ("user_id", .categorical(CategoricalColumn(users))), ("feature_time", .double(DoubleColumn(values: stamps))),
            ("spend_7d", .double(DoubleColumn(values: spend))), ("txn_count_7d", .double(DoubleColumn(values: counts))),
            ("last_country", .categorical(CategoricalColumn(countries))),
        ])
    }

    /// `count` (user, time) rows at seeded times over the 30 days (some for users never seen).
    static func requests(_ count: Int, seed: UInt64, extra: [(String, [Double])] = []) throws -> FeatureTable {
        var generator = Xoshiro256StarStar(seed: seed)
        var users: [String] = [], times: [Double] = [], labels: [Double] = []
        for _ in 0..<count {
            users.append("u\(generator.next() % 520)")  // u500–u519 never transacted
            times.append((1_764_547_200 + 31 * 86_400 * generator.nextUniform()).rounded())
            labels.append(generator.nextUniform() < 0.05 ? 1 : 0)
        }
        return try FeatureTable(columns: [
            ("user_id", .categorical(CategoricalColumn(users))), ("request_time", .double(DoubleColumn(values: times))),
            ("chargeback", .double(DoubleColumn(values: labels))),
        ])
    }

    func run(in context: DemoContext) async throws -> (ChapterReport, String) {
        let log = try Self.featureLog(seed: context.seed)
        let labels = try Self.requests(5_000, seed: context.seed &+ 11)
        let join = PointInTimeJoin(key: "user_id", eventTime: "request_time", featureTime: "feature_time", ttl: try TimeToLive(parsing: "2d"))
        let (training, report) = try join.join(events: labels, features: log)
        try Self.write(training, to: try context.path("features-training.csv"))
        try Self.write(log, to: try context.path("features-offline.csv"))

        // The serving path: 2,000 requests, each served the user's latest features, but the
        // online code sends spend in cents (the injected skew).
        let requests = try Self.requests(2_000, seed: context.seed &+ 13)
        let (served, _) = try PointInTimeJoin(key: "user_id", eventTime: "request_time", featureTime: "feature_time").join(events: requests, features: log)
        guard case .double(let spend)? = served.column(named: "spend_7d"), let time = served.column(named: "request_time"),
            let users = served.column(named: "user_id"), let count = served.column(named: "txn_count_7d"), let country = served.column(named: "last_country")
        else {
            throw CommandFailure.problem("error: the served features lack a column")
        }
        let cents = DoubleColumn(zip(spend.values, spend.validity).map { $1 ? $0 * 100 : nil })
        let online = try FeatureTable(columns: [
            ("user_id", users), ("feature_time", time), ("spend_7d", .double(cents)), ("txn_count_7d", count), ("last_country", country),
        ])
        try Self.write(online, to: try context.path("features-served.csv"))
        let skew = try SkewReport(offline: log, online: online, key: "user_id", timestamp: "feature_time")
        try context.write(Array(ParityCommand.html(skew, offline: "features-offline.csv", online: "features-served.csv").utf8), to: "parity.html")
        try context.write(try Terminal.jsonEncoder().encode(skew), to: "parity.json")

        let skewed = skew.features.filter(\.skewed)
        let empty = report.events - report.matchedEvents
        let joined = "training set: \(report.events) labelled requests joined point in time against \(report.featureRows) feature rows (TTL 2d): "
            + "\(report.matchedEvents) with values, \(empty) kept empty (\(report.eventsWithoutEntity) unseen users, "
            + "\(report.eventsOutsideTTL) older than 2 days, \(report.eventsWithoutEarlierValue) before any transaction)"
        var found: [String] = []
        for f in skewed {
            let rate = String(format: "%.1f%%", f.matchRate * 100)
            let distance = String(format: "%.3f", f.distributionDistance ?? .nan)
            found.append("\(f.name) skewed (match rate \(rate), Jensen–Shannon distance \(distance))")
        }
        let agreeing = skew.features.filter { !$0.skewed }.map(\.name).joined(separator: ", ")
        let parity = "parity: " + (found.isEmpty ? "no skew found" : found.joined(separator: ", ")) + "; " + agreeing + " agree"
        let highlights = [joined, parity]
        var body = """
            <p>The fraud model's training set pairs each chargeback label with the user's features as they were at the request: \
            the latest of the rolling features logged at each transaction (spend and count over 7 days, last country), no older \
            than 2 days. No value from after the request can leak in, and every label row is kept (<a href="features-training.csv">features-training.csv</a>).</p>
            """
        body += HTML.table(
            headers: ["", "rows"],
            rows: [
                ["labelled requests (all kept)", "\(report.events)"], ["with feature values", "\(report.matchedEvents)"],
                ["user never seen offline", "\(report.eventsWithoutEntity)"], ["latest value older than 2 days", "\(report.eventsOutsideTTL)"],
                ["before the user's first transaction", "\(report.eventsWithoutEarlierValue)"], ["feature rows", "\(report.featureRows)"],
            ])
        body += "<h2>Training against serving</h2><p>The serving path logged what it sent with 2,000 requests (<a href=\"features-served.csv\">features-served.csv</a>); \(HTML.escape("mlops parity")) compares it with the offline values as of each request (<a href=\"parity.html\">parity.html</a>).</p>"
        body += HTML.table(
            headers: ["feature", "match rate", "mean |diff|", "distance", "skewed"],
            rows: skew.features.map {
                [$0.name, String(format: "%.1f%%", $0.matchRate * 100), ParityCommand.number($0.meanAbsDiff), ParityCommand.number($0.distributionDistance), $0.skewed ? "yes: \($0.reason)" : "no"]
            })
        body += "<p>Try <code>mlops parity features-offline.csv features-served.csv --key user_id --timestamp feature_time</code> (exit 1: skew).</p>"
        let facts: [ChapterReport.Fact] = [
            .init(label: "training rows with values", value: "\(report.matchedEvents) of \(report.events)"),
            .init(label: "skewed features", value: skewed.map(\.name).joined(separator: ", ")),
        ]
        let files = ["features-training.csv", "features-offline.csv", "features-served.csv", "parity.html", "parity.json"]
        return (ChapterReport(slug: slug, title: title, highlights: highlights, facts: facts, files: files), body)
    }

    static func write(_ table: FeatureTable, to path: String) throws {
        do { try TableWriter.write(table, to: path) } catch { throw CommandFailure.usage("error: cannot write \(path): \(error)") }
    }
}
