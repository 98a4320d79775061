/// A sample is stored as its shape and its row-major values; decoding checks them again, so a
/// stored baseline that was edited by hand cannot bypass the validation.
extension MultivariateSample: Codable {
    enum CodingKeys: String, CodingKey {
        case rowCount, columnCount, values
    }

    /// Decodes a sample and validates it as ``init(rowCount:columnCount:values:)`` does.
    ///
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``DriftError`` description when the
    ///   stored shape and values do not make a valid sample.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rowCount = try container.decode(Int.self, forKey: .rowCount)
        let columnCount = try container.decode(Int.self, forKey: .columnCount)
        let values = try container.decode([Double].self, forKey: .values)
        do {
            try self.init(rowCount: rowCount, columnCount: columnCount, values: values)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the shape and the values.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rowCount, forKey: .rowCount)
        try container.encode(columnCount, forKey: .columnCount)
        try container.encode(values, forKey: .values)
    }
}
