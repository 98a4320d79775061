import Foundation

/// Draws a report's timeline as an SVG: busy GPUs (as a share of the cluster) and queue length
/// over time, on one chart with two vertical scales.
public enum UtilizationPlot {
    /// The SVG document for a report.
    ///
    /// - Parameters:
    ///   - report: A simulation report with a timeline.
    ///   - width: The image's width in pixels.
    ///   - height: The image's height in pixels.
    public static func svg(_ report: SimulationReport, width: Int = 720, height: Int = 300) -> String {
        let points = report.utilization.timeline
        let left = 56.0
        let right = 56.0
        let top = 28.0
        let bottom = 36.0
        let w = Double(width) - left - right
        let h = Double(height) - top - bottom
        let end = max(report.makespanSeconds, 1)
        let gpus = Double(max(report.gpus, 1))
        let maxQueue = max(1, points.map(\.queuedJobs).max() ?? 1)
        func x(_ t: Double) -> Double { left + t / end * w }
        func yBusy(_ b: Double) -> Double { top + h - min(1, b / gpus) * h }
        func yQueue(_ q: Double) -> Double { top + h - q / maxQueue * h }
        func line(_ values: [(Double, Double)]) -> String {
            values.map { "\(format($0.0)),\(format($0.1))" }.joined(separator: " ")
        }
        let busy = line(points.map { (x($0.time), yBusy($0.busyGPUs)) })
        let queue = line(points.map { (x($0.time), yQueue($0.queuedJobs)) })
        let hours = end / 3600
        let title = "\(escape(report.policy)): \(report.gpus) GPUs, utilisation \(format(report.utilization.average * 100))%, average JCT \(format(report.jctSeconds.average / 3600)) h"
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="11">
            <title>\(title)</title>
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(format(left))" y="16" font-size="12">\(title)</text>
            <line x1="\(format(left))" y1="\(format(top + h))" x2="\(format(left + w))" y2="\(format(top + h))" stroke="#888"/>
            <line x1="\(format(left))" y1="\(format(top))" x2="\(format(left))" y2="\(format(top + h))" stroke="#888"/>
            <line x1="\(format(left + w))" y1="\(format(top))" x2="\(format(left + w))" y2="\(format(top + h))" stroke="#888"/>
            <text x="\(format(left - 6))" y="\(format(top + 4))" text-anchor="end" fill="#1f77b4">100%</text>
            <text x="\(format(left - 6))" y="\(format(top + h))" text-anchor="end" fill="#1f77b4">0%</text>
            <text x="\(format(left + w + 6))" y="\(format(top + 4))" fill="#d62728">\(format(maxQueue))</text>
            <text x="\(format(left + w + 6))" y="\(format(top + h))" fill="#d62728">0</text>
            <text x="\(format(left))" y="\(format(top + h + 16))">0 h</text>
            <text x="\(format(left + w))" y="\(format(top + h + 16))" text-anchor="end">\(format(hours)) h</text>
            <text x="\(format(left + w / 2))" y="\(format(top + h + 30))" text-anchor="middle">time since first submission</text>
            <polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="\(busy)"><title>busy GPUs (share of cluster)</title></polyline>
            <polyline fill="none" stroke="#d62728" stroke-width="1" points="\(queue)"><title>jobs waiting</title></polyline>
            <text x="\(format(left + 8))" y="\(format(top + 12))" fill="#1f77b4">busy GPUs</text>
            <text x="\(format(left + 80))" y="\(format(top + 12))" fill="#d62728">jobs waiting</text>
            </svg>
            """
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
