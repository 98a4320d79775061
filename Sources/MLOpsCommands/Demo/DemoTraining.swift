import Foundation
import TensorCore

/// A small logistic regression trained by gradient descent on TensorCore, for the lineage chapter.
struct DemoTraining {
    struct DataSet {
        let features: [Double]   // rows × columns, row-major
        let labels: [Double]
        let rows: Int
        let columns: Int
        let featureNames: [String]

        /// The data as CSV, the bytes whose digest identifies the data set.
        var csv: String {
            var text = (featureNames + ["label"]).joined(separator: ",") + "\n"
            for row in 0..<rows {
                text += (0..<columns).map { String(format: "%.6f", features[row * columns + $0]) }.joined(separator: ",")
                text += ",\(Int(labels[row]))\n"
            }
            return text
        }
    }

    /// Seeded data: standard-normal features, labels from a fixed logistic model plus noise.
    static func dataSet(rows: Int, seed: UInt64) -> DataSet {
        let names = ["amount_z", "hour_sin", "hour_cos", "merchant_risk", "velocity_1h", "distance_km_z", "new_device", "card_age_z"]
        let trueWeights = [1.2, -0.4, 0.3, 1.8, 0.9, 0.6, 1.1, -0.7]
        var generator = Xoshiro256StarStar(seed: seed)
        var features: [Double] = []
        features.reserveCapacity(rows * names.count)
        var labels: [Double] = []
        for _ in 0..<rows {
            var score = -1.5
            for column in 0..<names.count {
                let value = generator.nextNormal()
                features.append(value)
                score += trueWeights[column] * value
            }
            labels.append(generator.nextUniform() < 1 / (1 + exp(-score)) ? 1 : 0)
        }
        return DataSet(features: features, labels: labels, rows: rows, columns: names.count, featureNames: names)
    }

    struct Step {
        let epoch: Int
        let loss: Double
        let accuracy: Double
    }

    /// Trains `epochs` full-batch gradient steps; `onStep` sees each epoch's loss and accuracy.
    static func train(
        _ data: DataSet, learningRate: Double, epochs: Int, onStep: (Step) async throws -> Void
    ) async throws -> (weights: [Double], bias: Double, scores: [Double]) {
        var weights = [Double](repeating: 0, count: data.columns)
        var bias = 0.0
        var scores = [Double](repeating: 0, count: data.rows)
        for epoch in 0..<epochs {
            // X·w on the matrix kernels, then the logistic link.
            let logits = try data.features.withUnsafeBufferPointer { x in
                try weights.withUnsafeBufferPointer { w in try LinearAlgebra.multiply(x, w, m: data.rows, k: data.columns, n: 1) }
            }
            var gradient = [Double](repeating: 0, count: data.columns)
            var biasGradient = 0.0, loss = 0.0, correct = 0
            for row in 0..<data.rows {
                let p = 1 / (1 + exp(-(logits[row] + bias)))
                scores[row] = p
                let error = p - data.labels[row]
                for column in 0..<data.columns { gradient[column] += error * data.features[row * data.columns + column] }
                biasGradient += error
                loss -= data.labels[row] == 1 ? log(max(p, 1e-12)) : log(max(1 - p, 1e-12))
                if (p >= 0.5) == (data.labels[row] == 1) { correct += 1 }
            }
            let n = Double(data.rows)
            for column in 0..<data.columns { weights[column] -= learningRate * gradient[column] / n }
            bias -= learningRate * biasGradient / n
            try await onStep(Step(epoch: epoch, loss: loss / n, accuracy: Double(correct) / n))
        }
        return (weights, bias, scores)
    }

    /// The area under the ROC curve, from average ranks (the Mann–Whitney statistic).
    static func auc(scores: [Double], labels: [Double]) -> Double {
        let ranks = scores.withUnsafeBufferPointer { Sorting.averageRanks($0) }
        let positives = labels.filter { $0 == 1 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return .nan }
        let rankSum = zip(ranks, labels).filter { $0.1 == 1 }.reduce(0.0) { $0 + $1.0 }
        return (rankSum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
    }
}
