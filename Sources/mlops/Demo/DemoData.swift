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
