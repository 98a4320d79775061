public import MLOpsStorage

/// What differs between two runs, ranked by how likely each difference explains a difference in
/// their metrics.
///
/// The ranking is a documented heuristic, most likely first: the data read (different training
/// data changes everything), the feature set, the code commit (and uncommitted changes),
/// parameters, random seeds, then the software and hardware environment. Within a category,
/// differences keep a stable alphabetical order.
public struct RunDiff: Sendable, Hashable, Codable {
    /// Where a difference lies.
    public enum Category: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case data, featureSet = "feature_set", code, parameter, seed, environment

        /// The rank of the category (data first).
        var rank: Int { Category.allCases.firstIndex(of: self) ?? 0 }

        /// Orders categories by how likely they explain a metric difference.
        public static func < (lhs: Category, rhs: Category) -> Bool { lhs.rank < rhs.rank }
    }

    /// One difference.
    public struct Difference: Sendable, Hashable, Codable {
        /// Where it lies.
        public var category: Category
        /// What differs: a role, a parameter key, a seed name, an environment field.
        public var name: String
        /// The value in the first run (nil when absent there; `null` in JSON).
        @ExplicitNull public var left: String?
        /// The value in the second run (nil when absent there; `null` in JSON).
        @ExplicitNull public var right: String?
    }

    /// A metric in both runs and its change.
    public struct MetricChange: Sendable, Hashable, Codable {
        /// The metric.
        public var key: String
        /// Its latest value in the first run.
        public var left: Double
        /// Its latest value in the second run.
        public var right: Double
        /// right - left.
        public var delta: Double { right - left }
    }

    /// The first run.
    public var left: RunID
    /// The second run.
    public var right: RunID
    /// The differences, most likely explanation first.
    public var differences: [Difference]
    /// The metrics both runs logged, and how they moved.
    public var metricChanges: [MetricChange]

    /// Compares two runs.
    public init(_ a: Run, _ b: Run) {
        left = a.id
        right = b.id
        var differences: [Difference] = []
        func compare(_ category: Category, _ x: [String: String], _ y: [String: String]) {
            for name in Set(x.keys).union(y.keys).sorted() where x[name] != y[name] {
                differences.append(Difference(category: category, name: name, left: x[name], right: y[name]))
            }
        }
        /// Input digests by role: feature sets in their own category, all other inputs as data.
        /// A role a run reads several artifacts in (shards of a data set) lists them all, sorted,
        /// so one more or one fewer is a difference too.
        func inputs(_ run: Run, featureSets: Bool) -> [String: String] {
            var digests: [String: [String]] = [:]
            for edge in run.inputs where (edge.kind == .featureSet) == featureSets {
                digests[edge.role, default: []].append("sha256:" + edge.digest.hex)
            }
            return digests.mapValues { Set($0).sorted().joined(separator: ", ") }
        }
        compare(.data, inputs(a, featureSets: false), inputs(b, featureSets: false))
        compare(.featureSet, inputs(a, featureSets: true), inputs(b, featureSets: true))
        func code(_ run: Run) -> [String: String] {
            var result: [String: String] = [:]
            if let commit = run.environment?.gitCommit { result["commit"] = commit }
            if let dirty = run.environment?.gitDirty { result["uncommitted changes"] = dirty ? "yes" : "no" }
            return result
        }
        compare(.code, code(a), code(b))
        // Parameters by their text; where the two runs typed one differently ("1" against 1), the
        // type is shown too, so a type change is a difference even when the text is the same.
        func parameters(_ run: Run, against other: Run) -> [String: String] {
            run.parameters.reduce(into: [:]) { result, entry in
                let (name, value) = entry
                let retyped = other.parameters[name].map { $0.typeName != value.typeName } ?? false
                result[name] = retyped ? "\(value.description) (\(value.typeName))" : value.description
            }
        }
        compare(.parameter, parameters(a, against: b), parameters(b, against: a))
        compare(.seed, (a.environment?.seeds ?? [:]).mapValues { String($0) }, (b.environment?.seeds ?? [:]).mapValues { String($0) })
        func environment(_ run: Run) -> [String: String] {
            guard let environment = run.environment else { return [:] }
            var result: [String: String] = [:]
            result["swift"] = environment.swiftVersion
            result["os"] = environment.operatingSystem
            result["cpu"] = environment.cpu
            if !environment.gpus.isEmpty { result["gpus"] = environment.gpus.joined(separator: ", ") }
            for (name, version) in environment.packages { result["package \(name)"] = version }
            for (name, value) in environment.variables { result["env \(name)"] = value }
            return result
        }
        compare(.environment, environment(a), environment(b))
        self.differences = differences.enumerated().sorted { ($0.element.category, $0.offset) < ($1.element.category, $1.offset) }.map(\.element)
        metricChanges = Set(a.latestMetrics.keys).intersection(b.latestMetrics.keys).sorted().compactMap { key in
            guard let x = a.latestMetrics[key]?.value, let y = b.latestMetrics[key]?.value else { return nil }
            return MetricChange(key: key, left: x, right: y)
        }
    }

    /// The most likely explanation of a metric difference, if the runs differ at all.
    public var likeliestExplanation: Difference? { differences.first }
}
