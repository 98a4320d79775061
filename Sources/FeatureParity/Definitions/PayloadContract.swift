/// What a serving payload must look like for a feature set: required fields, types, ranges and
/// allowed categories. A violation is a typed error that names the field, before the model sees it.
public struct PayloadContract: Sendable, Hashable, Codable {
    /// One field's rule.
    public struct Field: Sendable, Hashable, Codable {
        /// The field's name.
        public let name: String
        /// Whether the payload must have it.
        public let required: Bool
        /// For a number: the smallest and largest allowed (inclusive).
        public let minimum: Double?
        public let maximum: Double?
        /// For text: the allowed values (empty: any text); nil for a number.
        public let categories: [String]?

        /// A numeric field (`categories` nil) or a text field (`categories` given; empty allows any text).
        public init(name: String, required: Bool = true, minimum: Double? = nil, maximum: Double? = nil, categories: [String]? = nil) {
            self.name = name
            self.required = required
            self.minimum = minimum
            self.maximum = maximum
            self.categories = categories
        }
    }

    /// A payload value: a number or text.
    public typealias Value = FeatureValue

    /// The fields.
    public let fields: [Field]

    /// A contract over `fields`.
    public init(fields: [Field]) { self.fields = fields }

    /// The contract of a feature set: each feature required; a number feature a number, a
    /// category feature text, limited to the categories its expression can give when that set is
    /// closed (``CategoryExpression/categories``) and, under a default, to the default too. Add
    /// ranges with ``init(fields:)``.
    public init(featureSet: FeatureSet) {
        fields = featureSet.features.map { feature in
            guard case .category(let expression) = feature.transformation else { return Field(name: feature.name) }
            // Text of any kind where the expression passes categories through; at least a text field.
            var allowed = expression.categories
            if var known = allowed, case .defaultValue(.text(let fallback)) = feature.missing, !known.contains(fallback) {
                known.append(fallback)
                allowed = known
            }
            return Field(name: feature.name, categories: allowed ?? [])
        }
    }

    /// Checks `payload`.
    ///
    /// - Throws: ``FeatureParityError/Code/contractViolation`` naming the first field that breaks
    ///   its rule (missing, wrong type, out of range, not an allowed category, or not in the contract).
    public func validate(_ payload: [String: Value]) throws(FeatureParityError) {
        for field in fields {
            guard let value = payload[field.name] else {
                if field.required {
                    throw FeatureParityError(.contractViolation, "The payload has no '\(field.name)', which is required", location: field.name, fix: "send it.")
                }
                continue
            }
            switch (value, field.categories) {
            case (.number(let x), nil):
                guard x.isFinite else {
                    throw FeatureParityError(.contractViolation, "'\(field.name)' is \(x), not a finite number", location: field.name, fix: "send a finite number.")
                }
                if let minimum = field.minimum, x < minimum {
                    throw FeatureParityError(.contractViolation, "'\(field.name)' is \(x), below its minimum \(minimum)", location: field.name, fix: "check the unit and the source.")
                }
                if let maximum = field.maximum, x > maximum {
                    throw FeatureParityError(.contractViolation, "'\(field.name)' is \(x), above its maximum \(maximum)", location: field.name, fix: "check the unit and the source.")
                }
            case (.text(let s), let categories?):
                // An empty list: any text.
                guard categories.isEmpty || categories.contains(s) else {
                    throw FeatureParityError(
                        .contractViolation, "'\(field.name)' is '\(s)', not one of \(categories.joined(separator: ", "))", location: field.name,
                        fix: "send an allowed category, or extend the contract.")
                }
            case (.text, nil):
                throw FeatureParityError(.contractViolation, "'\(field.name)' is text where a number is expected", location: field.name, fix: "send a number.")
            case (.number, _?):
                throw FeatureParityError(.contractViolation, "'\(field.name)' is a number where a category is expected", location: field.name, fix: "send one of its categories.")
            }
        }
        let known = Set(fields.map(\.name))
        if let extra = payload.keys.sorted().first(where: { !known.contains($0) }) {
            throw FeatureParityError(.contractViolation, "The payload has '\(extra)', which the contract does not know", location: extra, fix: "drop it, or add it to the contract.")
        }
    }
}
