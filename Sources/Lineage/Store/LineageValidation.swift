import MLOpsStorage

/// The rules a ``LineageStore`` applies before it writes, and the errors it throws, in one place.
///
/// ``SQLLineageStore`` and ``InMemoryLineageStore`` both call these, so that every store refuses
/// the same calls with the same words. A store of your own can call them too.
///
/// The rules: a run has a non-empty experiment and name; metric keys are not empty; no text
/// (names, keys, values, roles) holds a NUL character, which PostgreSQL cannot store; a run
/// finishes with a terminal status.
public enum LineageValidation {
    /// Checks a new run's description.
    ///
    /// - Parameter start: the run to start.
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) naming what is wrong.
    public static func checkStart(_ start: RunStart) throws(LineageError) {
        try checkNames(experiment: start.experiment, name: start.name)
        try checkText(start.owner ?? "", "The owner of run \(start.id)")
        try checkTags(start.tags, on: start.id)
    }

    /// Checks parameters before they are logged.
    ///
    /// - Parameters:
    ///   - parameters: the parameters, by key.
    ///   - run: the run they are logged to.
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) for a NUL character.
    public static func checkParameters(_ parameters: [String: ParameterValue], of run: RunID) throws(LineageError) {
        for (key, value) in parameters {
            try checkText(key, "A parameter key of run \(run)")
            if case .string(let text) = value { try checkText(text, "Parameter '\(shown(key))' of run \(run)") }
        }
    }

    /// Checks metric points before they are logged.
    ///
    /// - Parameters:
    ///   - points: the points.
    ///   - run: the run they are logged to.
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) for an empty key or a
    ///   NUL character.
    public static func checkMetrics(_ points: [MetricPoint], of run: RunID) throws(LineageError) {
        var previous: String? = nil
        for point in points where point.key != previous {
            try checkMetricKey(point.key, of: run)
            previous = point.key
        }
    }

    /// Checks one metric key: not empty, no NUL character.
    ///
    /// - Parameters:
    ///   - key: the metric's name.
    ///   - run: the run it is logged to.
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``).
    public static func checkMetricKey(_ key: String, of run: RunID) throws(LineageError) {
        guard !key.isEmpty else {
            throw LineageError(.invalidArgument, "A metric point of run \(run) has an empty key", fix: "name every metric.")
        }
        try checkText(key, "Metric '\(shown(key))' of run \(run)")
    }

    /// Checks tags before they are set.
    ///
    /// - Parameters:
    ///   - tags: the tags, by key.
    ///   - run: the run they are set on.
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) for a NUL character.
    public static func checkTags(_ tags: [String: String], on run: RunID) throws(LineageError) {
        for (key, value) in tags {
            try checkText(key, "A tag key of run \(run)")
            try checkText(value, "Tag '\(shown(key))' of run \(run)")
        }
    }

    /// Checks an artifact record and the role a run gives it.
    ///
    /// - Parameters:
    ///   - artifact: the artifact.
    ///   - role: the role, e.g. `training-data`.
    ///   - run: the run that read or wrote it.
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) for a NUL character.
    public static func checkArtifact(_ artifact: LineageArtifact, role: String, run: RunID) throws(LineageError) {
        try checkText(artifact.name, "The name of artifact sha256:\(artifact.digest.hex)")
        try checkText(artifact.uri ?? "", "The URI of artifact sha256:\(artifact.digest.hex)")
        try checkText(role, "The role of artifact sha256:\(artifact.digest.hex) in run \(run)")
    }

    /// Checks the status a run finishes with.
    ///
    /// - Parameter status: the final status.
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) for `running`.
    public static func checkFinish(status: RunStatus) throws(LineageError) {
        guard status.isTerminal else {
            throw LineageError(.invalidArgument, "A run cannot finish with status 'running'", fix: "finish it as finished, failed or killed.")
        }
    }

    /// Checks a whole run before an import writes it.
    ///
    /// - Parameters:
    ///   - run: the run, with its parameters, tags and edges.
    ///   - metrics: its metric history.
    /// - Throws: ``LineageError`` (``LineageError/Code/invalidArgument``) naming what is wrong.
    public static func checkImport(_ run: Run, metrics: [MetricPoint]) throws(LineageError) {
        try checkNames(experiment: run.experiment, name: run.name)
        try checkText(run.owner ?? "", "The owner of run \(run.id)")
        try checkTags(run.tags, on: run.id)
        try checkParameters(run.parameters, of: run.id)
        try checkMetrics(metrics, of: run.id)
        for edge in run.edges { try checkText(edge.role, "The role of artifact sha256:\(edge.digest.hex) in run \(run.id)") }
    }

    // MARK: Errors

    /// No run with this id (``LineageError/Code/notFound``).
    ///
    /// - Parameter run: the id that was asked for.
    public static func notFound(_ run: RunID) -> LineageError {
        LineageError(.notFound, "No run \(run) in this store", fix: "check the id with `mlops runs list`, or start the run first.")
    }

    /// The run has ended (``LineageError/Code/runFinished``).
    ///
    /// - Parameters:
    ///   - run: the run.
    ///   - status: its status, as stored.
    public static func runFinished(_ run: RunID, status: String) -> LineageError {
        LineageError(.runFinished, "Run \(run) is \(status); nothing more can be logged to it", fix: "start a new run for new results.")
    }

    /// A run with this id exists already (``LineageError/Code/invalidArgument``).
    ///
    /// - Parameter run: the id.
    public static func runExists(_ run: RunID) -> LineageError {
        LineageError(.invalidArgument, "Run \(run) exists already", fix: "start a new run with a new id.")
    }

    /// A parameter was logged before with another value (``LineageError/Code/conflictingParameter``).
    ///
    /// - Parameters:
    ///   - key: the parameter's key.
    ///   - run: the run.
    ///   - previous: the value stored.
    ///   - value: the value refused.
    public static func conflictingParameter(_ key: String, of run: RunID, previous: ParameterValue, value: ParameterValue) -> LineageError {
        LineageError(
            .conflictingParameter,
            "Parameter '\(key)' of run \(run) is \(previous) (\(previous.typeName)); it cannot also be \(value) (\(value.typeName))",
            fix: "parameters are fixed once logged: log the new value under another key, or start a new run.")
    }

    // MARK: Rules

    static func checkNames(experiment: String, name: String) throws(LineageError) {
        guard !experiment.isEmpty, !name.isEmpty else {
            throw LineageError(.invalidArgument, "A run needs an experiment name and a run name", fix: "pass non-empty names.")
        }
        try checkText(experiment, "The experiment name '\(shown(experiment))'")
        try checkText(name, "The run name '\(shown(name))'")
    }

    /// Up to 60 characters of caller text for a message, NUL shown as `\0`.
    static func shown(_ text: String) -> String {
        text.prefix(60).map { $0 == "\0" ? "\\0" : String($0) }.joined()
    }

    /// Refuses text with a NUL character, which PostgreSQL cannot store in a text column.
    static func checkText(_ text: String, _ what: @autoclosure () -> String) throws(LineageError) {
        guard text.utf8.contains(0) else { return }
        throw LineageError(.invalidArgument, "\(what()) contains a NUL character", fix: "remove the NUL (\\0) characters; every store keeps text without them.")
    }
}
