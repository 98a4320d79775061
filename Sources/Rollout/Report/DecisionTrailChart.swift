import Foundation

/// Draws a rollout's decision trail as an SVG: at each look, the estimate of candidate − control
/// with its always-valid interval, the zero line, and the decision as the marker's colour
/// (grey hold, blue continue, green promote, red rollback).
public enum DecisionTrailChart {
    /// The SVG document for `looks` (in order).
    ///
    /// - Parameters:
    ///   - looks: The looks, as an analysis or a controller recorded them.
    ///   - title: The chart's title.
    ///   - width: The image's width in pixels.
    ///   - height: The image's height in pixels.
    public static func svg(_ looks: [RolloutLook], title: String, width: Int = 720, height: Int = 280) -> String {
        let (left, right, top, bottom) = (64.0, 24.0, 30.0, 40.0)
        let w = Double(width) - left - right
        let h = Double(height) - top - bottom
        let shown = looks.filter { $0.estimate != nil }
        let maxEvents = Double(max(1, looks.map(\.events).max() ?? 1))
        var low = 0.0, high = 0.0
        for look in shown {
            if let interval = look.interval, interval[0].isFinite, interval[1].isFinite {
                low = min(low, interval[0])
                high = max(high, interval[1])
            } else if let estimate = look.estimate {
                low = min(low, estimate)
                high = max(high, estimate)
            }
        }
        if high - low < 1e-12 { (low, high) = (low - 1, high + 1) }
        let pad = (high - low) * 0.05
        (low, high) = (low - pad, high + pad)
        func x(_ events: Int) -> Double { left + Double(events) / maxEvents * w }
        func y(_ value: Double) -> Double { top + (high - value) / (high - low) * h }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        func colour(_ decision: RolloutDecision) -> String {
            switch decision {
            case .hold: "#999999"
            case .continue: "#3367d6"
            case .promote: "#1e8e3e"
            case .rollback: "#d93025"
            }
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="11">
            <title>\(escape(title))</title>
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="18" font-size="12">\(escape(title))</text>
            <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(top + h))" stroke="#888"/>
            <line x1="\(f(left))" y1="\(f(top + h))" x2="\(f(left + w))" y2="\(f(top + h))" stroke="#888"/>
            <line x1="\(f(left))" y1="\(f(y(0)))" x2="\(f(left + w))" y2="\(f(y(0)))" stroke="#444" stroke-dasharray="4 3"/>
            <text x="\(f(left - 6))" y="\(f(y(0) + 4))" text-anchor="end">0</text>
            <text x="\(f(left - 6))" y="\(f(top + 8))" text-anchor="end">\(String(format: "%+.3g", high))</text>
            <text x="\(f(left - 6))" y="\(f(top + h))" text-anchor="end">\(String(format: "%+.3g", low))</text>
            <text x="\(f(left + w))" y="\(f(top + h + 16))" text-anchor="end">\(Int(maxEvents)) events</text>
            <text x="\(f(left))" y="\(f(top + h + 16))">0</text>
            <text x="\(f(left + w / 2))" y="\(f(top + h + 32))" text-anchor="middle">candidate − control, with its always-valid interval, at each look</text>

            """
        for look in shown {
            guard let estimate = look.estimate else { continue }
            let cx = x(look.events)
            let c = colour(look.decision)
            if let interval = look.interval, interval[0].isFinite, interval[1].isFinite {
                svg += "<line x1=\"\(f(cx))\" y1=\"\(f(y(max(low, interval[0]))))\" x2=\"\(f(cx))\" y2=\"\(f(y(min(high, interval[1]))))\" stroke=\"\(c)\" stroke-opacity=\"0.6\" stroke-width=\"2\"/>\n"
            }
            svg += "<circle cx=\"\(f(cx))\" cy=\"\(f(y(estimate)))\" r=\"3\" fill=\"\(c)\"><title>\(look.events) events: \(look.decision.rawValue): \(escape(look.reason))</title></circle>\n"
        }
        var legendX = left + w - 300
        for decision in RolloutDecision.allCases {
            svg += "<circle cx=\"\(f(legendX))\" cy=\"14\" r=\"4\" fill=\"\(colour(decision))\"/><text x=\"\(f(legendX + 7))\" y=\"18\">\(decision.rawValue)</text>\n"
            legendX += 72
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
