public import FeatureParity
import Foundation
public import Testing
import TensorCore

@Suite("Windowed aggregations")
struct WindowedAggregationTests {
    struct Event { let entity: String; let time: Int64; let value: Double? }

    /// 20,000 events of 150 entities over 3 days, in time order, with ties and missing values.
    static let stream: [Event] = {
        var random = Xoshiro256StarStar(seed: 31)
        var events: [Event] = []
        var t: Int64 = 1_764_547_200_000_000
        for i in 0..<20_000 {
            if i % 7 != 0 { t += Int64(random.nextUniform() * 26_000_000) }  // every 7th shares its time with the one before
            let value: Double? = i % 23 == 0 ? nil : (random.nextUniform() * 100).rounded() / 4
            events.append(Event(entity: "card-\(Int(random.next() % 150))", time: t, value: value))
        }
        return events
    }()

    static let aggregations: [WindowedAggregation] = {
        let functions: [WindowedAggregation.Function] = [.count, .sum, .mean, .min, .max, .distinctCount, .last(3)]
        let windows: [(String, String?)] = [("1h", nil), ("1h", "5m"), ("1d", "1h")]
        return functions.flatMap { function in
            windows.compactMap { window, step in
                try? WindowedAggregation(
                    name: "\(function)-\(window)-\(step ?? "exact")", function: function, window: try TimeToLive(parsing: window),
                    step: try step.map { try TimeToLive(parsing: $0) })
            }
        }
    }()

    @Test("the offline backfill and the online aggregator agree exactly for every event, and both match a brute-force recomputation", arguments: aggregations)
    func offlineEqualsOnline(_ aggregation: WindowedAggregation) throws {
        let events = Self.stream
        let table = try FeatureTable(columns: [
            ("card", .categorical(CategoricalColumn(events.map(\.entity)))),
            ("t", .timestamp(TimestampColumn(microseconds: events.map(\.time)))),
            ("amount", .double(DoubleColumn(events.map(\.value)))),
        ])
        let offline = try aggregation.backfill(table, key: "card", time: "t", value: "amount")
        let online = OnlineAggregator(aggregation)
        var history: [String: [(Int, Event)]] = [:]
        for (i, event) in events.enumerated() {
            let served = online.add(entity: event.entity, time: event.time, value: event.value)
            #expect(served?.bitPattern == offline[i]?.bitPattern, "event \(i): online \(String(describing: served)), offline \(String(describing: offline[i]))")
            history[event.entity, default: []].append((i, event))
            if i % 97 == 0 {
                let expected = Self.bruteForce(aggregation, history[event.entity] ?? [], asOf: event.time)
                switch (expected, offline[i]) {
                case (nil, nil): break
                case let (e?, o?): #expect(abs(e - o) <= 1e-9 * max(1, abs(e)), "event \(i): brute force \(e), backfill \(o)")
                default: Issue.record("event \(i): brute force \(String(describing: expected)), backfill \(String(describing: offline[i]))")
                }
            }
        }
        #expect(online.entityCount == 150)
    }

    /// The aggregate over the entity's events so far (all at or before `t`) inside the window as of `t`.
    static func bruteForce(_ a: WindowedAggregation, _ history: [(Int, Event)], asOf t: Int64) -> Double? {
        func bucket(_ time: Int64) -> Int64 { time >= 0 ? time / a.step : (time - a.step + 1) / a.step }
        let inside = history.map(\.1).filter { e in
            a.step == 0 ? e.time > t - a.length : bucket(e.time) > bucket(t) - a.length / a.step
        }
        let values = inside.compactMap(\.value)
        switch a.function {
        case .count: return Double(inside.count)
        case .sum: return values.reduce(0, +)
        case .mean: return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        case .min: return values.min()
        case .max: return values.max()
        case .distinctCount: return Double(Set(values).count)
        case .last(let n): return values.count >= n ? values[values.count - n] : nil
        }
    }

    @Test("bucketed windows keep memory bounded: a burst of events does not grow the state beyond the buckets")
    func boundedBuckets() throws {
        let aggregation = try WindowedAggregation(name: "sum-1h", function: .sum, window: try TimeToLive(parsing: "1h"), step: try TimeToLive(parsing: "5m"))
        let online = OnlineAggregator(aggregation)
        for i in 0..<100_000 { online.add(entity: "hot", time: Int64(i) * 100_000, value: 1) }  // 10 events a second for ~3 hours
        // The last hour: 36,000 events in 12 buckets (the current, partial one included).
        let value = try #require(online.value(entity: "hot"))
        #expect(value >= 33_000 && value <= 36_000)
        #expect(online.value(entity: "cold") == nil)
    }

    @Test("bad windows are refused")
    func badWindows() throws {
        #expect(throws: FeatureParityError.self) { try WindowedAggregation(name: "x", function: .sum, window: try TimeToLive(microseconds: 0)) }
        #expect(throws: FeatureParityError.self) { try WindowedAggregation(name: "x", function: .sum, window: try TimeToLive(parsing: "1h"), step: try TimeToLive(parsing: "7m")) }
        #expect(throws: FeatureParityError.self) { try WindowedAggregation(name: "x", function: .last(0), window: try TimeToLive(parsing: "1h")) }
        #expect(throws: FeatureParityError.self) { try WindowedAggregation(name: "x", function: .sum, window: try TimeToLive(parsing: "1w"), step: try TimeToLive(parsing: "1s")) }
    }
}

extension WindowedAggregation: CustomTestStringConvertible {
    public var testDescription: String { name }
}

@Suite("Windowed aggregations at request time")
struct WindowedAggregationRequestTimeTests {
    @Test("an idle entity's window empties by request time, and idle entities can be forgotten")
    func requestTime() throws {
        let aggregation = try WindowedAggregation(name: "count-1h", function: .count, window: try TimeToLive(parsing: "1h"), step: try TimeToLive(parsing: "5m"))
        let online = OnlineAggregator(aggregation)
        let hour: Int64 = 3_600_000_000
        for i in 0..<10 { online.add(entity: "card", time: Int64(i) * 60_000_000, value: 1) }
        #expect(online.value(entity: "card") == 10)
        #expect(online.value(entity: "card", asOf: 24 * hour) == 0)
        #expect(online.evictIdle(before: hour) == 1)
        #expect(online.value(entity: "card") == nil)
        let exact = OnlineAggregator(try WindowedAggregation(name: "sum", function: .sum, window: try TimeToLive(parsing: "1h")))
        exact.add(entity: "e", time: Int64.min + 1, value: 1)  // no overflow trap at the edges
        exact.add(entity: "e", time: Int64.max, value: 2)
        #expect(exact.value(entity: "e") == 2)
    }

    @Test("times outside the years 1 to 9999 are errors, not traps")
    func timeRange() throws {
        #expect(throws: FeatureParityError.self) { try TimeValues(.double(DoubleColumn(values: [1e15])), name: "t") }
        #expect(throws: FeatureParityError.self) { try TimeValues(.double(DoubleColumn(values: [.infinity])), name: "t") }
        #expect(try TimeValues(.double(DoubleColumn(values: [1_765_000_000])), name: "t").microseconds == [1_765_000_000_000_000])
        // The whole last second of 9999 is in range; the first of year 10000 is not.
        #expect(try TimeValues(.double(DoubleColumn(values: [253_402_300_799.5])), name: "t").microseconds == [253_402_300_799_500_000])
        #expect(throws: FeatureParityError.self) { try TimeValues(.double(DoubleColumn(values: [253_402_300_800])), name: "t") }
    }
}

@Suite("Windowed aggregations of categories")
struct CategoryAggregationTests {
    @Test("distinct merchants per card: backfill and online agree for every event, and equal an exact count of the texts")
    func distinctCategories() throws {
        var random = Xoshiro256StarStar(seed: 77)
        var cards: [String] = [], times: [Double] = [], merchants: [String?] = []
        for i in 0..<20_000 {
            cards.append("card-\(random.next() % 40)")
            times.append(1_764_547_200 + Double(i) * 7)
            merchants.append(i % 23 == 0 ? nil : "merchant-\(random.next() % 300)")
        }
        let table = try FeatureTable(columns: [
            ("card", .categorical(CategoricalColumn(cards))), ("at", .double(DoubleColumn(values: times))), ("merchant", .categorical(CategoricalColumn(merchants))),
        ])
        for step in [nil, try TimeToLive(parsing: "5m")] {
            let aggregation = try WindowedAggregation(name: "merchants_1h", function: .distinctCount, window: try TimeToLive(parsing: "1h"), step: step)
            let offline = try aggregation.backfill(table, key: "card", time: "at", value: "merchant")
            let online = OnlineAggregator(aggregation)
            var history: [String: [(Double, String?)]] = [:]
            for row in 0..<table.rowCount {
                let value = online.add(entity: cards[row], time: Int64(times[row] * 1_000_000), category: merchants[row])
                #expect(value == offline[row], "row \(row)")
                history[cards[row], default: []].append((times[row], merchants[row]))
                if step == nil {
                    // Exact window (t − 1h, t]: the distinct texts themselves.
                    let distinct = Set(history[cards[row], default: []].filter { $0.0 > times[row] - 3_600 }.compactMap(\.1))
                    #expect(value == Double(distinct.count), "row \(row)")
                }
            }
        }
        // Text is refused where numbers are needed.
        let sum = try WindowedAggregation(name: "s", function: .sum, window: try TimeToLive(parsing: "1h"))
        #expect(throws: FeatureParityError.self) { try sum.backfill(table, key: "card", time: "at", value: "merchant") }
    }
}
