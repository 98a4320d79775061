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
