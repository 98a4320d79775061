/// A fitted model is stored with its baseline. Decoding checks that the stored arrays fit
/// together (d means, d positive scales, d eigenvalues, k·d component values with 1 ≤ k ≤ d), so
/// a damaged or hand-edited file is refused when it is read, not when it is first evaluated.
extension PCAReconstructionDrift: Codable {
    enum CodingKeys: String, CodingKey {
        case columnMeans, columnScales, eigenvalues, components, componentCount
        case referenceError, referenceErrorStandardDeviation, referenceQuantileLevel, referenceErrorQuantile
    }

    /// Decodes a fitted model and checks its shapes.
    ///
    /// - Throws: `DecodingError.dataCorrupted` naming the inconsistency.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let means = try container.decode([Double].self, forKey: .columnMeans)
        let scales = try container.decode([Double].self, forKey: .columnScales)
        let eigenvalues = try container.decode([Double].self, forKey: .eigenvalues)
        let components = try container.decode([Double].self, forKey: .components)
        let count = try container.decode(Int.self, forKey: .componentCount)
        let d = means.count
        func corrupted(_ message: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "A stored PCA drift model is inconsistent: \(message). Fix: fit the model again on its reference."))
        }
        guard d >= 1 else { throw corrupted("it has no columns") }
        guard scales.count == d, eigenvalues.count == d else {
            throw corrupted("\(d) column means, \(scales.count) scales and \(eigenvalues.count) eigenvalues")
        }
        guard count >= 1, count <= d, components.count == count * d else {
            throw corrupted("\(count) components of \(d) columns need \(count * d) values, \(components.count) stored")
        }
        guard scales.allSatisfy({ $0.isFinite && $0 > 0 }), means.allSatisfy(\.isFinite), components.allSatisfy(\.isFinite) else {
            throw corrupted("a mean, scale or component value is not finite (or a scale is not positive)")
        }
        self.columnMeans = means
        self.columnScales = scales
        self.eigenvalues = eigenvalues
        self.components = components
        self.componentCount = count
        self.referenceError = try container.decode(Double.self, forKey: .referenceError)
        self.referenceErrorStandardDeviation = try container.decode(Double.self, forKey: .referenceErrorStandardDeviation)
        self.referenceQuantileLevel = try container.decode(Double.self, forKey: .referenceQuantileLevel)
        self.referenceErrorQuantile = try container.decode(Double.self, forKey: .referenceErrorQuantile)
    }

    /// Encodes the fitted model.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(columnMeans, forKey: .columnMeans)
        try container.encode(columnScales, forKey: .columnScales)
        try container.encode(eigenvalues, forKey: .eigenvalues)
        try container.encode(components, forKey: .components)
        try container.encode(componentCount, forKey: .componentCount)
        try container.encode(referenceError, forKey: .referenceError)
        try container.encode(referenceErrorStandardDeviation, forKey: .referenceErrorStandardDeviation)
        try container.encode(referenceQuantileLevel, forKey: .referenceQuantileLevel)
        try container.encode(referenceErrorQuantile, forKey: .referenceErrorQuantile)
    }
}
