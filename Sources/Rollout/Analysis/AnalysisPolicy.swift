public import Foundation
import MLOpsStorage

/// How a rollout is judged: the sequential test and its error rate, the minimums before any
/// decision, the sample-ratio check, guardrails, and what happens when the data run out.
///
/// A policy is checked when it is made (``validate()``, called by every consumer): an α of 1.5
/// or a minimum above the maximum is a ``RolloutError`` at configuration time, never a surprise
/// at request time. As JSON (the `--policy FILE` of `mlops rollout analyze` and `simulate`)
/// every key is optional and snake_case; an unknown key is refused, so a typo cannot silently
/// leave a default in place:
///
/// ```json
/// {"kind": "proportion", "higher_is_better": true, "alpha": 0.05, "minimum_samples": 1000,
///  "maximum_samples": 200000, "expected_split": [50, 50], "look_every": 1000}
/// ```
public struct AnalysisPolicy: Sendable, Hashable, Codable {
    /// What the metric is.
    public enum MetricKind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A 0/1 outcome per event (converted, erred, fraud caught).
        case proportion
        /// A real-valued outcome per event (revenue, latency, basket size).
        case mean
    }

    /// What to decide at the maximum sample without a conclusion, or on a sample-ratio mismatch.
    public enum Fallback: String, Sendable, Hashable, Codable, CaseIterable {
        case hold, promote, rollback
    }

    /// Proportion or mean.
    public var kind: MetricKind = .proportion
    /// Whether a larger metric is better (conversion) or worse (latency, errors).
    public var higherIsBetter: Bool = true
    /// The error rate of the always-valid test: the chance of ever promoting or rolling back
    /// on a difference that is not there, however often it looks.
    public var alpha: Double = 0.05
    /// N*: the total number of observations near which the test is most sensitive.
    public var tuningSampleSize: Double = 10_000
    /// Observations each variant needs before any decision but hold.
    public var minimumSamples: Int = 1_000
    /// Seconds since the first event before any decision but hold.
    public var minimumDurationSeconds: Double = 0
    /// Observations per variant at which the rollout stops looking; nil: never.
    public var maximumSamples: Int?
    /// What to decide at ``maximumSamples`` without a conclusion: hold unless told otherwise.
    public var atMaximum: Fallback = .hold
    /// Promote when the candidate is at worst this fraction of the control's mean worse
    /// (0.01: "not more than 1% worse"); 0 asks for proof that it is better.
    public var nonInferiorityMargin: Double = 0
    /// The intended split of traffic (control, candidate), in any positive scale.
    public var expectedSplit: [Double] = [50, 50]
    /// The p-value below which the sample ratio is a mismatch.
    public var srmAlpha: Double = 0.001
    /// What a sample-ratio mismatch decides.
    public var onSampleRatioMismatch: Fallback = .hold
    /// Whether to adjust by a pre-exposure covariate (CUPED) when observations carry one.
    public var cuped: Bool = false
    /// Events between looks when replaying or simulating.
    public var lookEvery: Int = 1_000
    /// Operational limits checked before the test (library rollouts; the command line has none).
    public var guardrails: [Guardrail] = []

    /// The default policy: proportions, higher is better, α = 0.05, 1,000 observations per
    /// variant before deciding, hold at a mismatch and never pass without evidence.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, higherIsBetter = "higher_is_better", alpha, tuningSampleSize = "tuning_sample_size"
        case minimumSamples = "minimum_samples", minimumDurationSeconds = "minimum_duration_seconds"
        case maximumSamples = "maximum_samples", atMaximum = "at_maximum", nonInferiorityMargin = "non_inferiority_margin"
        case expectedSplit = "expected_split", srmAlpha = "srm_alpha", onSampleRatioMismatch = "on_sample_ratio_mismatch"
        case cuped, lookEvery = "look_every", guardrails
    }

    /// Reads a policy; absent keys keep their defaults, unknown keys are refused.
    public init(from decoder: any Decoder) throws {
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        let any = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = any.allKeys.map(\.stringValue).first(where: { !known.contains($0) }) {
            throw RolloutError(
                .invalidPolicy, "The policy has an unknown key '\(unknown)'", location: unknown,
                fix: "use only \(CodingKeys.allCases.map(\.stringValue).joined(separator: ", ")).")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        kind = try c.decodeIfPresent(MetricKind.self, forKey: .kind) ?? kind
        higherIsBetter = try c.decodeIfPresent(Bool.self, forKey: .higherIsBetter) ?? higherIsBetter
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? alpha
        tuningSampleSize = try c.decodeIfPresent(Double.self, forKey: .tuningSampleSize) ?? tuningSampleSize
        minimumSamples = try Self.count(c, .minimumSamples) ?? minimumSamples
        minimumDurationSeconds = try c.decodeIfPresent(Double.self, forKey: .minimumDurationSeconds) ?? minimumDurationSeconds
        maximumSamples = try Self.count(c, .maximumSamples)
        atMaximum = try c.decodeIfPresent(Fallback.self, forKey: .atMaximum) ?? atMaximum
        nonInferiorityMargin = try c.decodeIfPresent(Double.self, forKey: .nonInferiorityMargin) ?? nonInferiorityMargin
        expectedSplit = try c.decodeIfPresent([Double].self, forKey: .expectedSplit) ?? expectedSplit
        srmAlpha = try c.decodeIfPresent(Double.self, forKey: .srmAlpha) ?? srmAlpha
        onSampleRatioMismatch = try c.decodeIfPresent(Fallback.self, forKey: .onSampleRatioMismatch) ?? onSampleRatioMismatch
        cuped = try c.decodeIfPresent(Bool.self, forKey: .cuped) ?? cuped
        lookEvery = try Self.count(c, .lookEvery) ?? lookEvery
        guardrails = try c.decodeIfPresent([Guardrail].self, forKey: .guardrails) ?? guardrails
    }

    /// A whole number at `key`, read as a number first: Foundation's decoder reports `10.5` or
    /// `1e30` for an `Int` as JSON that is not well formed, without the key.
    private static func count(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        guard let value = try c.decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard value.rounded() == value, abs(value) <= 0x1p53, let whole = Int(exactly: value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(value) is not a whole number of at most 2^53")
        }
        return whole
    }

    /// Reads a policy from JSON and checks it.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` naming the key or value that is wrong.
    public init(json: Data) throws(RolloutError) {
        if let twice = JSONDuplicateKeys.first(in: json) {
            throw RolloutError(
                .invalidPolicy, "The policy has the key '\(twice)' twice in one object, so which value counts is unclear", location: twice,
                fix: "keep one of the two.")
        }
        do {
            self = try JSONDecoder().decode(AnalysisPolicy.self, from: json)
        } catch let error as RolloutError {
            throw error
        } catch let error as DecodingError {
            throw RolloutError(
                .invalidPolicy, "The policy cannot be read: \(DecodingErrorText.describe(error))", location: DecodingErrorText.location(error),
                fix: "see the keys and types in Documentation/Rollout.md.")
        } catch {
            throw RolloutError(.invalidPolicy, "The policy is not a JSON object: \(error)", fix: "write it as {\"alpha\": 0.05, …}.")
        }
        try validate()
    }

    /// Checks that the policy can work.
    ///
    /// - Throws: ``RolloutError/Code/invalidPolicy`` naming the first setting that cannot.
    public func validate() throws(RolloutError) {
        func refuse(_ key: String, _ message: String, _ fix: String) -> RolloutError {
            RolloutError(.invalidPolicy, message, location: key, fix: fix)
        }
        guard alpha > 0, alpha < 1 else { throw refuse("alpha", "α \(alpha) is not between 0 and 1", "give α such as 0.05.") }
        guard srmAlpha > 0, srmAlpha < 1 else { throw refuse("srm_alpha", "The sample-ratio threshold \(srmAlpha) is not between 0 and 1", "give a small p-value such as 0.001.") }
        guard tuningSampleSize >= 1, tuningSampleSize.isFinite else {
            throw refuse("tuning_sample_size", "The tuning sample size \(tuningSampleSize) is below 1", "give the total events you expect, such as 10000.")
        }
        guard minimumSamples >= 2 else { throw refuse("minimum_samples", "A minimum of \(minimumSamples) observations per variant cannot estimate a variance", "give 2 or more (hundreds or more for proportions).") }
        guard minimumDurationSeconds >= 0, minimumDurationSeconds.isFinite else {
            throw refuse("minimum_duration_seconds", "The minimum duration \(minimumDurationSeconds) is not a number of seconds ≥ 0", "give 0 or more.")
        }
        if let maximumSamples, maximumSamples < minimumSamples {
            throw refuse(
                "maximum_samples", "The maximum of \(maximumSamples) observations per variant is below the minimum of \(minimumSamples): no decision could ever be made",
                "raise maximum_samples or lower minimum_samples.")
        }
        guard nonInferiorityMargin >= 0, nonInferiorityMargin < 1 else {
            throw refuse("non_inferiority_margin", "The non-inferiority margin \(nonInferiorityMargin) is not a fraction in [0, 1)", "give a fraction such as 0.01 (1% worse at most), or 0.")
        }
        // Their sum finite too: [1e308, 1e308] would make every share 0 (QA sweep).
        guard expectedSplit.count == 2, expectedSplit.allSatisfy({ $0 > 0 && $0.isFinite }), (expectedSplit[0] + expectedSplit[1]).isFinite else {
            throw refuse("expected_split", "The expected split \(expectedSplit) is not two positive shares (control, candidate)", "give it as [50, 50] or [95, 5].")
        }
        guard lookEvery >= 1 else { throw refuse("look_every", "Looking every \(lookEvery) events never looks", "give 1 or more.") }
        for guardrail in guardrails { try guardrail.validate() }
    }

    /// The confidence sequence this policy tests with.
    public func confidenceSequence() throws(RolloutError) -> ConfidenceSequence {
        try ConfidenceSequence(alpha: alpha, tuningSampleSize: tuningSampleSize)
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}
