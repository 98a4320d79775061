import Foundation

/// What a model is for and how far it can be trusted: structured fields that a promotion
/// policy can require and that render to Markdown for people.
///
/// Which fields must be filled depends on the model's risk class
/// (``requiredFields(for:)``); ``missingFields(for:)`` says which of them are empty.
public struct ModelCard: Sendable, Hashable, Codable {
    /// One slice of the evaluation data (a country, an age band) and the model's metrics on it.
    public struct EvaluationSlice: Sendable, Hashable, Codable {
        /// The slice's name.
        public var name: String
        /// Metric values on the slice.
        public var metrics: [String: Double]

        /// Creates a slice.
        public init(name: String, metrics: [String: Double]) {
            self.name = name
            self.metrics = metrics
        }
    }

    /// The uses the model was built and evaluated for.
    public var intendedUse: String
    /// Where it must not be used, and what it gets wrong.
    public var limitations: String
    /// The data it was trained on (name the data set; the lineage has its digest).
    public var trainingData: String
    /// Metrics per slice of the evaluation data.
    public var evaluationSlices: [EvaluationSlice]
    /// Who answers for the model.
    public var owners: [String]

    enum CodingKeys: String, CodingKey {
        case limitations, owners
        case intendedUse = "intended_use", trainingData = "training_data", evaluationSlices = "evaluation_slices"
    }

    /// Creates a card; every field is empty by default.
    public init(
        intendedUse: String = "", limitations: String = "", trainingData: String = "",
        evaluationSlices: [EvaluationSlice] = [], owners: [String] = []
    ) {
        self.intendedUse = intendedUse
        self.limitations = limitations
        self.trainingData = trainingData
        self.evaluationSlices = evaluationSlices
        self.owners = owners
    }

    /// The field names, as JSON and ``missingFields(for:)`` write them.
    public static let fieldNames = ["intended_use", "limitations", "training_data", "evaluation_slices", "owners"]

    /// The fields a card must fill for a model of `riskClass`: low needs intended use and
    /// owners; medium adds limitations and training data; high (and any class this release does
    /// not know) needs every field, evaluation slices included.
    public static func requiredFields(for riskClass: RiskClass) -> [String] {
        switch riskClass {
        case .low: ["intended_use", "owners"]
        case .medium: ["intended_use", "limitations", "training_data", "owners"]
        default: fieldNames
        }
    }

    /// The required fields for `riskClass` that are empty (blank text counts as empty).
    public func missingFields(for riskClass: RiskClass) -> [String] {
        Self.requiredFields(for: riskClass).filter { field in
            switch field {
            case "intended_use": intendedUse.isBlank
            case "limitations": limitations.isBlank
            case "training_data": trainingData.isBlank
            case "evaluation_slices": evaluationSlices.isEmpty
            case "owners": owners.allSatisfy(\.isBlank)
            default: false
            }
        }
    }

    /// The card as a Markdown document, headed with the model and version.
    public func markdown(model: ModelName, version: Int, riskClass: RiskClass) -> String {
        var text = "# Model card: \(model) version \(version)\n\n"
        text += "Risk class: \(riskClass)\n\n"
        text += "## Intended use\n\n\(intendedUse.isBlank ? "_not stated_" : intendedUse)\n\n"
        text += "## Limitations\n\n\(limitations.isBlank ? "_not stated_" : limitations)\n\n"
        text += "## Training data\n\n\(trainingData.isBlank ? "_not stated_" : trainingData)\n\n"
        text += "## Evaluation\n\n"
        if evaluationSlices.isEmpty {
            text += "_no slices recorded_\n\n"
        } else {
            let metrics = Set(evaluationSlices.flatMap(\.metrics.keys)).sorted()
            text += "| slice | " + metrics.joined(separator: " | ") + " |\n"
            text += "| --- |" + String(repeating: " --- |", count: metrics.count) + "\n"
            for slice in evaluationSlices {
                let cells = metrics.map { key in slice.metrics[key].map { String(format: "%.4g", $0) } ?? "" }
                text += "| \(slice.name.markdownCell) | " + cells.joined(separator: " | ") + " |\n"
            }
            text += "\n"
        }
        text += "## Owners\n\n" + (owners.isEmpty ? "_not stated_\n" : owners.map { "- \($0)\n" }.joined())
        let missing = missingFields(for: riskClass)
        if !missing.isEmpty {
            text += "\n> Incomplete for risk class \(riskClass): missing \(missing.joined(separator: ", ")).\n"
        }
        return text
    }
}

extension String {
    var isBlank: Bool { allSatisfy(\.isWhitespace) }

    /// The text with `|` and line breaks escaped, for a Markdown table cell.
    var markdownCell: String {
        replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
