public import ArgumentParser
public import DriftStats

/// `--method NAME` for one method on every column; the parser lists the names on a typo.
extension DriftMethod: ExpressibleByArgument {}

/// `--season PERIOD` with `--season-column`.
extension SeasonalBaseline.Period: ExpressibleByArgument {}

/// `--method`: `auto` (each column gets the method that suits it) or one method for every column.
enum MethodChoice: ExpressibleByArgument, Hashable, Sendable {
    case auto
    case method(DriftMethod)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let method = DriftMethod(rawValue: argument) {
            self = .method(method)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { ["auto"] + DriftMethod.allCases.map(\.rawValue) }

    var defaultValueDescription: String {
        switch self {
        case .auto: "auto"
        case .method(let method): method.rawValue
        }
    }
}

/// `--dataset-rule`: `share:F`, `bh` or `bonferroni`.
struct DatasetRuleArgument: ExpressibleByArgument, Hashable, Sendable {
    let rule: DatasetRule
    let text: String

    init(_ rule: DatasetRule, text: String) {
        self.rule = rule
        self.text = text
    }

    init?(argument: String) {
        switch argument.lowercased() {
        case "bh": self.init(.anyColumn(adjustment: .benjaminiHochberg), text: argument)
        case "bonferroni": self.init(.anyColumn(adjustment: .bonferroni), text: argument)
        case let rule where rule.hasPrefix("share:"):
            guard let share = Double(rule.dropFirst("share:".count)), share > 0, share <= 1 else { return nil }
            self.init(.shareOfColumns(share), text: argument)
        default:
            return nil
        }
    }

    static var allValueStrings: [String] { ["share:F (0 < F ≤ 1)", "bh", "bonferroni"] }

    var defaultValueDescription: String { text }
}
