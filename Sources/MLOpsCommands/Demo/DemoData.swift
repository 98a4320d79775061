import Foundation
import TensorCore

/// Generated data for the demo chapters, the same for the same seed on every machine.
enum DemoData {
    struct Transaction: Sendable {
        let id: Int64
        let user: String
        let amount: Double
        let country: String
    }

    struct Transactions: Sendable {
        let rows: [Transaction]
        /// The rows as CSV with a header.
        var csv: String {
            var text = "id,user_id,amount,country\n"
            for row in rows { text += "\(row.id),\(row.user),\(row.amount),\(row.country)\n" }
            return text
        }
    }

    /// Card transactions: log-normal amounts, a few hundred users, five countries.
    static func transactions(rows count: Int, seed: UInt64) -> Transactions {
        var generator = Xoshiro256StarStar(seed: seed)
        let countries = ["DE", "FR", "GB", "NL", "US"]
        var rows: [Transaction] = []
        rows.reserveCapacity(count)
        for index in 0..<count {
            let user = "u\(generator.next() % 500)"
            let amount = (exp(3 + 0.8 * generator.nextNormal()) * 100).rounded() / 100
            let country = countries[Int(generator.next() % UInt64(countries.count))]
            rows.append(Transaction(id: Int64(index + 1), user: user, amount: amount, country: country))
        }
        return Transactions(rows: rows)
    }
}

extension DemoData {
    /// Request traffic for the drift chapter: amount, country, device and hour of day.
    ///
    /// The drifted version has amounts 35 % larger, more US and a new country (BR), and 8 % of
    /// devices missing; the hour of day keeps its pattern.
    static func traffic(rows count: Int, drifted: Bool, seed: UInt64) throws -> FeatureTable {
        var generator = Xoshiro256StarStar(seed: seed)
        let countries = drifted ? ["DE", "FR", "GB", "NL", "US", "US", "US", "BR"] : ["DE", "FR", "GB", "NL", "US"]
        let devices = ["app", "web", "web", "mobile"]
        var amounts: [Double] = [], countryColumn: [String?] = [], deviceColumn: [String?] = [], hours: [Double] = []
        for _ in 0..<count {
            amounts.append((exp(3 + 0.8 * generator.nextNormal()) * (drifted ? 1.35 : 1) * 100).rounded() / 100)
            countryColumn.append(countries[Int(generator.next() % UInt64(countries.count))])
            let device = devices[Int(generator.next() % UInt64(devices.count))]
            deviceColumn.append(drifted && generator.nextUniform() < 0.08 ? nil : device)
            hours.append(Double(Int(12 + 4 * generator.nextNormal()).clamped(0, 23)))
        }
        return try FeatureTable(columns: [
            ("amount", .double(DoubleColumn(values: amounts))),
            ("country", .categorical(CategoricalColumn(countryColumn))),
            ("device", .categorical(CategoricalColumn(deviceColumn))),
            ("hour", .double(DoubleColumn(values: hours))),
        ])
    }
}

extension Int {
    func clamped(_ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(self, low), high) }
}
