import Foundation

/// What a model takes and returns: named fields with a type and, for tensors, a shape (MLflow's
/// model signature, in the same terms).
public struct ModelSignature: Sendable, Hashable, Codable {
    /// One input or output.
    public struct Field: Sendable, Hashable, Codable {
        /// The field's name.
        public var name: String
        /// Its type (`double`, `long`, `string`, `boolean`, `tensor<float32>`).
        public var type: String
        /// Its shape for tensors (-1 for a free dimension), nil for scalars.
        public var shape: [Int]?

        /// Creates a field.
        public init(name: String, type: String, shape: [Int]? = nil) {
            self.name = name
            self.type = type
            self.shape = shape
        }
    }

    /// The inputs, in order.
    public var inputs: [Field]
    /// The outputs, in order.
    public var outputs: [Field]

    /// Creates a signature.
    public init(inputs: [Field], outputs: [Field]) {
        self.inputs = inputs
        self.outputs = outputs
    }
}

extension ModelSignature {
    /// The scalar types a field may have (MLflow's column types).
    public static let scalarTypes: Set<String> = ["double", "float", "long", "integer", "string", "boolean", "binary", "datetime"]
    /// The element types a `tensor<…>` field may have.
    public static let tensorElementTypes: Set<String> = [
        "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "string",
    ]

    /// Checks that every field has a name, unique among the inputs (and among the outputs), a
    /// known type (one of ``scalarTypes`` or ``tensorElementTypes``, or `tensor<E>` with E in
    /// ``tensorElementTypes``), and a shape
    /// of positive sizes or -1 (a free dimension).
    ///
    /// - Throws: ``RegistryError/Code/invalidArgument`` naming the field and what is wrong.
    public func validate() throws(RegistryError) {
        for (side, fields) in [("input", inputs), ("output", outputs)] {
            var seen = Set<String>()
            for (index, field) in fields.enumerated() {
                let place = "\(side) \(index + 1)"
                guard !field.name.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw RegistryError(.invalidArgument, "The signature's \(place) has no name", fix: "name every input and output.")
                }
                guard seen.insert(field.name).inserted else {
                    throw RegistryError(.invalidArgument, "The signature names the \(side) '\(field.name)' twice", fix: "give each \(side) its own name.")
                }
                guard Self.isKnownType(field.type) else {
                    throw RegistryError(
                        .invalidArgument, "The signature's \(side) '\(field.name)' has the type '\(field.type)', which is not a known type",
                        fix: "use one of \(Self.scalarTypes.sorted().joined(separator: ", ")), a NumPy element type such as float32, or tensor<float32>.")
                }
                if let shape = field.shape, let bad = shape.first(where: { $0 != -1 && $0 < 1 }) {
                    throw RegistryError(
                        .invalidArgument, "The signature's \(side) '\(field.name)' has a dimension of \(bad) in its shape \(shape)",
                        fix: "give each dimension as a positive size, or -1 for a free one.")
                }
            }
        }
    }

    /// Whether `type` is a scalar type (MLflow's, or a NumPy element type such as `float32`) or
    /// `tensor<E>` with a known element type.
    static func isKnownType(_ type: String) -> Bool {
        if scalarTypes.contains(type) || tensorElementTypes.contains(type) { return true }
        guard type.hasPrefix("tensor<"), type.hasSuffix(">") else { return false }
        return tensorElementTypes.contains(String(type.dropFirst("tensor<".count).dropLast()))
    }
}
