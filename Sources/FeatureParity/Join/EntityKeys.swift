import TensorCore

/// Entity keys as dense codes shared by two tables: the features' distinct keys numbered
/// 0, 1, 2, …, and each event's key mapped to its code there (−1 when the features never saw it).
struct EntityKeys {
    /// The features' distinct keys.
    let dictionary: [String]
    /// Each feature row's key code (−1 where missing).
    let featureCodes: [Int32]
    /// Each event's key code in the features' numbering (−1: missing or unseen).
    let eventCodes: [Int32]
    /// Events with a time whose key the features never saw (missing keys not included).
    let unseenEvents: Int
    /// Events without a key.
    let missingEventKeys: Int

    /// Keys of `events` and `features` as codes; `eventTimes` (the events' times) decides each
    /// empty event's one reason: no key first, then no time, then an entity never seen.
    init(events: Column, features: Column, name: String, eventTimes: [Int64]) throws(FeatureParityError) {
        var (featureDictionary, featureCodes) = try Self.codes(features, name: name, side: "features")
        let (eventDictionary, eventCodes) = try Self.codes(events, name: name, side: "events")
        // Keys are compared as Strings, so canonically equivalent spellings (a composed and a
        // decomposed "é") are one entity, whose code is that of its first spelling; the reader's
        // dictionary, which tells bytes apart, may hold both.
        var index: [String: Int32] = [:]
        index.reserveCapacity(featureDictionary.count)
        var distinct: [String] = []
        distinct.reserveCapacity(featureDictionary.count)
        let canonical: [Int32] = featureDictionary.map { key in
            if let code = index[key] { return code }
            let code = Int32(distinct.count)
            index[key] = code
            distinct.append(key)
            return code
        }
        if distinct.count != featureDictionary.count {
            featureCodes = featureCodes.map { $0 < 0 ? $0 : canonical[Int($0)] }
            featureDictionary = distinct
        }
        // Each distinct event key is looked up once.
        let mapping = eventDictionary.map { index[$0] ?? -1 }
        var mapped = [Int32](repeating: -1, count: eventCodes.count)
        var unseen = 0, missing = 0
        for (i, code) in eventCodes.enumerated() {
            if code < 0 { missing += 1; continue }
            let m = mapping[Int(code)]
            if m < 0 && eventTimes[i] != TimeValues.missing { unseen += 1 }
            mapped[i] = m
        }
        dictionary = featureDictionary
        self.featureCodes = featureCodes
        self.eventCodes = mapped
        unseenEvents = unseen
        missingEventKeys = missing
    }

    /// A key column as text codes: categorical as is; numbers as their text (integers without a
    /// decimal point, so 42 and 42.0 are the same entity).
    static func codes(_ column: Column, name: String, side: String) throws(FeatureParityError) -> ([String], [Int32]) {
        switch column {
        case .categorical(let c): return (c.dictionary, c.codes)
        case .double(let c):
            let text: [String?] = (0..<c.count).map { i in
                c.validity[i] ? FeatureValue.text(ofNumber: c.values[i]) : nil
            }
            let categorical = CategoricalColumn(text)
            return (categorical.dictionary, categorical.codes)
        case .timestamp:
            throw FeatureParityError(.missingColumn, "The key column '\(name)' of the \(side) holds times", location: name, fix: "join on an entity id column.")
        }
    }
}
