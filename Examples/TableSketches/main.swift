// table-sketches: TensorCore on its own.
//
// Writes a seeded CSV of card transactions, reads it back in chunks as a serving process or a
// batch job would see shards of data, sketches every numeric column of every shard (KLL
// quantiles, moments) and the category column (HyperLogLog distinct count, heavy hitters),
// merges the shards' sketches, and prints the merged quantiles next to the exact ones with the
// sketch's documented error bound.
//
//   swift run table-sketches [rows]      (default 200000)

import Foundation
import TensorCore

let rows = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 200_000
let path = NSTemporaryDirectory() + "table-sketches-\(UUID().uuidString).csv"
defer { try? FileManager.default.removeItem(atPath: path) }

// 1. A seeded data set: the same numbers on every machine.
var generator = Xoshiro256StarStar(seed: 2026)
let merchants = ["grocer", "fuel", "travel", "online", "pharmacy", "cinema"]
var csv = "amount,latency_ms,merchant\n"
for _ in 0..<rows {
    let amount = exp(3 + 0.9 * generator.nextNormal())
    let latency = try generator.nextGamma(shape: 2, scale: 15)
    let merchant = merchants[try generator.nextCategorical(weights: [40, 25, 5, 20, 7, 3])]
    // Every 500th amount is missing, as a real feed would have.
    csv += "\(generator.next() % 500 == 0 ? "NA" : String(format: "%.2f", amount)),\(String(format: "%.1f", latency)),\(merchant)\n"
}
try csv.write(toFile: path, atomically: true, encoding: .utf8)

// 2. Read it in shards of 25,000 rows; sketch each shard on its own.
struct ShardSketches {
    var amount = KLLSketch()
    var latency = KLLSketch()
    var amountMoments = MomentSketch()
    var merchants = HyperLogLog()
    var topMerchants: HeavyHitters<String>
}
let reader = try CSVReader(path: path)
var shards: [ShardSketches] = []
var exactAmounts: [Double] = []
while let chunk = try reader.nextChunk(maxRows: 25_000) {
    var shard = ShardSketches(topMerchants: try HeavyHitters(capacity: 16))
    let amount = try chunk.doubleColumn(named: "amount")
    for row in 0..<amount.count {
        if let value = amount[row] {
            shard.amount.update(value)
            shard.amountMoments.update(value)
            exactAmounts.append(value)
        }
    }
    let latency = try chunk.doubleColumn(named: "latency_ms")
    for row in 0..<latency.count { if let value = latency[row] { shard.latency.update(value) } }
    let merchant = try chunk.categoricalColumn(named: "merchant")
    for row in 0..<merchant.count {
        if let name = merchant[row] {
            shard.merchants.update(name)
            shard.topMerchants.update(name)
        }
    }
    shards.append(shard)
}
print("read \(reader.report.rowsRead) rows in \(shards.count) shards (missing amounts: \(rows - exactAmounts.count))")

// 3. Merge the shards' sketches: the bound for the merge is the bound of one sketch.
var merged = shards[0]
for shard in shards.dropFirst() {
    try merged.amount.merge(shard.amount)
    try merged.latency.merge(shard.latency)
    try merged.amountMoments.merge(shard.amountMoments)
    try merged.merchants.merge(shard.merchants)
    try merged.topMerchants.merge(shard.topMerchants)
}

// 4. Merged quantiles next to the exact ones.
let qs = [0.01, 0.25, 0.5, 0.75, 0.99]
let exact = try Tensor(exactAmounts).quantiles(qs)
let estimated = try merged.amount.quantiles(qs)
let bound = merged.amount.rankErrorBound
print(String(format: "amount: KLL k=%d keeps %d of %d values; rank error bound ±%.2f%% (99%% confidence)",
             merged.amount.k, merged.amount.retainedCount, merged.amount.count, bound * 100))
for (index, q) in qs.enumerated() {
    let rankOfEstimate = Double(exactAmounts.filter { $0 <= estimated[index] }.count) / Double(exactAmounts.count)
    print(String(format: "  q=%.2f  sketch %9.2f  exact %9.2f  true rank of the sketch's answer %.4f (|error| %.4f ≤ %.4f)",
                 q, estimated[index], exact[index], rankOfEstimate, abs(rankOfEstimate - q), bound))
}
print(String(format: "amount moments: mean %.3f, sd %.3f, skewness %.3f (exact mean %.3f)",
             merged.amountMoments.mean, merged.amountMoments.standardDeviation, merged.amountMoments.skewness,
             Tensor(exactAmounts).summary().mean))
print(String(format: "merchant: about %.0f distinct (HyperLogLog ±%.1f%%)", merged.merchants.cardinality, merged.merchants.relativeStandardError * 100))
for item in merged.topMerchants.topK(3) {
    print("  \(item.key): about \(item.estimate) transactions (at most \(item.maxOverestimate) too many)")
}
