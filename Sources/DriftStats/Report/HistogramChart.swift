import Foundation

/// An inline SVG bar chart of a column's ``ColumnHistogram``: reference and current share side by
/// side per bin or category, a legend, a y axis in percent and x labels that are thinned or
/// rotated when there are many.
///
/// Every coordinate goes through ``HTMLWriter/coordinate(_:)`` and every share is cleaned first
/// (non-finite or negative shares count as 0), so no "nan" or "inf" reaches the SVG.
struct HistogramChart {
    /// One label per bin (numeric: the bin's lower edge) or category.
    let labels: [String]
    /// Reference share per bin, finite and non-negative.
    let reference: [Double]
    /// Current share per bin, finite and non-negative.
    let current: [Double]
    /// Whether the bins are numeric (labels mark bin edges) rather than categories.
    let numeric: Bool
    /// The column's name, for the chart's accessible name.
    let columnName: String

    /// Labels longer than this are cut, with the full text in a tooltip.
    static let labelLimit = 14

    /// Creates a chart, or nil when the histogram has no bins.
    init?(_ histogram: ColumnHistogram, columnName: String) {
        let count = max(histogram.labels.count, histogram.reference.count, histogram.current.count)
        guard count > 0 else { return nil }
        func clean(_ shares: [Double]) -> [Double] {
            (0..<count).map { index in
                guard index < shares.count, shares[index].isFinite, shares[index] > 0 else { return 0 }
                return shares[index]
            }
        }
        labels = (0..<count).map { $0 < histogram.labels.count ? histogram.labels[$0] : "bin \($0 + 1)" }
        reference = clean(histogram.reference)
        current = clean(histogram.current)
        numeric = histogram.edges != nil
        self.columnName = columnName
    }

    /// Whether any share is above zero.
    var hasValues: Bool { reference.contains { $0 > 0 } || current.contains { $0 > 0 } }

    // MARK: Geometry

    private static let width = 800.0
    private static let minimumMarginLeft = 54.0
    private static let marginRight = 16.0
    private static let marginTop = 32.0
    private static let plotHeight = 190.0
    /// An estimate of one character's width in the 12 px label font.
    private static let characterWidth = 6.9
    /// The angle of turned x labels, in degrees.
    private static let labelAngle = 40.0
    private static let referenceColour = "#8c959f"
    private static let currentColour = "#0969da"
    private static let axisColour = "#8c959f"
    private static let mutedTextColour = "#57606a"
    private static let textColour = "#1d1d1f"

    /// Where things go: the plot area, one slot per bin, the y scale and the x labels' layout.
    private struct Frame {
        /// The plot's left edge (room for the y labels and the first turned x label).
        var left: Double
        /// The width of one bin's slot.
        var slot: Double
        /// The y axis' top, in percent.
        var top: Double
        /// The distance between y ticks, in percent.
        var step: Double
        /// Draw every `stride`-th x label.
        var stride: Int
        /// Whether the x labels are turned.
        var rotated: Bool
        /// The chart's height, labels included.
        var height: Double

        var plotBottom: Double { HistogramChart.marginTop + HistogramChart.plotHeight }
        var plotWidth: Double { HistogramChart.width - left - HistogramChart.marginRight }
        var right: Double { HistogramChart.width - HistogramChart.marginRight }

        /// The y coordinate of a percentage.
        func y(percent: Double) -> Double { plotBottom - percent / top * HistogramChart.plotHeight }
    }

    private func frame() -> Frame {
        let count = Double(labels.count)
        var left = Self.minimumMarginLeft
        var slot = (Self.width - left - Self.marginRight) / count
        let longest = labels.map { min($0.count, Self.labelLimit) }.max() ?? 0
        let labelWidth = Double(longest) * Self.characterWidth
        let (top, step) = Self.scale(maximumShare: max(reference.max() ?? 0, current.max() ?? 0))
        let horizontalStride = max(1, Int(((labelWidth + 8) / slot).rounded(.up)))
        // Numbers read best level, so numeric edges may skip up to three labels in four; every
        // category keeps its label where it can and turns instead.
        if horizontalStride == 1 || (numeric && horizontalStride <= 4) {
            return Frame(left: left, slot: slot, top: top, step: step, stride: horizontalStride, rotated: false,
                         height: Self.marginTop + Self.plotHeight + 30)
        }
        let angle = Self.labelAngle * .pi / 180
        // A turned label reaches left of its anchor by its width × cos(angle); the first one must
        // stay inside the chart.
        left = min(max(left, labelWidth * cos(angle) - slot / 2 + 8), Self.width / 3)
        slot = (Self.width - left - Self.marginRight) / count
        return Frame(left: left, slot: slot, top: top, step: step, stride: max(1, Int((14 / slot).rounded(.up))), rotated: true,
                     height: Self.marginTop + Self.plotHeight + 24 + labelWidth * sin(angle))
    }

    /// The top of the y axis in percent and the distance between ticks: about four ticks at
    /// 1, 2, 2.5 or 5 times a power of ten.
    private static func scale(maximumShare: Double) -> (top: Double, step: Double) {
        let peak = maximumShare * 100
        guard peak.isFinite, peak > 0 else { return (10, 2.5) }
        let rough = peak / 4
        let magnitude = pow(10, log10(rough).rounded(.down))
        let step = ([1.0, 2, 2.5, 5, 10].first { $0 * magnitude >= rough * 0.999 } ?? 10) * magnitude
        let top = max(step, (peak / step - 1e-9).rounded(.up) * step)
        guard top.isFinite, step.isFinite, step > 0 else { return (10, 2.5) }
        return (top, step)
    }

    /// Decimals needed to print multiples of `step` exactly (at most 4).
    private static func decimals(for step: Double) -> Int {
        (0...4).first { digits in
            let scaled = step * pow(10, Double(digits))
            return abs(scaled - scaled.rounded()) < 1e-6
        } ?? 4
    }

    // MARK: Drawing

    /// Writes the `<svg>` element.
    ///
    /// - Complexity: O(*n*) for *n* bins.
    func write(into svg: inout HTMLWriter) {
        let frame = frame()
        let c = HTMLWriter.coordinate
        // Inline SVG in an HTML5 page needs no namespace declaration (and so no http URL). The
        // first <title> is the chart's accessible name.
        svg.open("svg", [
            "viewBox": "0 0 \(c(Self.width)) \(c(frame.height))", "width": c(Self.width), "height": c(frame.height),
            "role": "img", "font-size": "12",
        ])
        svg.element("title", text: "\(columnName): share of rows per \(numeric ? "bin" : "category"), reference and current")
        writeLegend(into: &svg)
        writeYAxis(into: &svg, frame)
        writeBars(into: &svg, frame)
        writeXLabels(into: &svg, frame)
        if !hasValues {
            svg.element("text", [
                "x": c(frame.left + frame.plotWidth / 2), "y": c(Self.marginTop + Self.plotHeight / 2),
                "text-anchor": "middle", "fill": Self.mutedTextColour, "font-size": "13",
            ], text: "Every share is zero: neither sample has values to plot.")
        }
        svg.close("svg")
    }

    private func writeLegend(into svg: inout HTMLWriter) {
        let c = HTMLWriter.coordinate
        svg.element("text", ["x": "4", "y": "14", "fill": Self.mutedTextColour], text: "% of rows")
        let x = Self.width - Self.marginRight - 168
        for (offset, name, colour) in [(0.0, "Reference", Self.referenceColour), (94, "Current", Self.currentColour)] {
            svg.empty("rect", ["x": c(x + offset), "y": "5", "width": "11", "height": "11", "rx": "2", "fill": colour])
            svg.element("text", ["x": c(x + offset + 16), "y": "14", "fill": Self.textColour], text: name)
        }
    }

    private func writeYAxis(into svg: inout HTMLWriter, _ frame: Frame) {
        let c = HTMLWriter.coordinate
        let ticks = max(1, min(20, Int((frame.top / frame.step).rounded())))
        let decimals = Self.decimals(for: frame.step)
        for tick in 0...ticks {
            let percent = Double(tick) * frame.step
            let y = frame.y(percent: percent)
            svg.empty("line", [
                "x1": c(frame.left), "x2": c(frame.right), "y1": c(y), "y2": c(y),
                "stroke": tick == 0 ? Self.axisColour : "#eaeef2", "stroke-width": "1",
            ])
            svg.element("text", ["x": c(frame.left - 6), "y": c(y + 3.5), "text-anchor": "end", "fill": Self.mutedTextColour],
                        text: HTMLWriter.percent(percent / 100, decimals: decimals))
        }
    }

    /// One group per bin: a tooltip, a hover area and the two bars.
    private func writeBars(into svg: inout HTMLWriter, _ frame: Frame) {
        let c = HTMLWriter.coordinate
        // Few categories would make slabs of bars; a group's width stops at 96.
        let groupWidth = min(frame.slot * (numeric ? 0.86 : 0.78), 96)
        let barWidth = groupWidth / 2
        for index in labels.indices {
            let slotX = frame.left + Double(index) * frame.slot
            let groupX = slotX + (frame.slot - groupWidth) / 2
            svg.open("g", ["class": "bin"])
            svg.element("title", text: tooltip(index))
            svg.empty("rect", ["class": "hit", "x": c(slotX), "y": c(Self.marginTop), "width": c(frame.slot), "height": c(Self.plotHeight)])
            let bars = [(0.0, reference[index], Self.referenceColour), (barWidth, current[index], Self.currentColour)]
            for (offset, share, colour) in bars where share > 0 {
                // At least a pixel, so that a small share is seen.
                let height = max(min(share * 100, frame.top) / frame.top * Self.plotHeight, 1)
                svg.empty("rect", [
                    "x": c(groupX + offset), "y": c(frame.plotBottom - height),
                    "width": c(max(barWidth - 0.5, 0.5)), "height": c(height), "fill": colour,
                ])
            }
            svg.close("g")
        }
    }

    private func writeXLabels(into svg: inout HTMLWriter, _ frame: Frame) {
        let c = HTMLWriter.coordinate
        let y = frame.plotBottom + (frame.rotated ? 12 : 16)
        for index in stride(from: 0, to: labels.count, by: frame.stride) {
            // A numeric label is a bin's lower edge, so it sits on the bin's left boundary.
            let x = frame.left + Double(index) * frame.slot + (numeric ? 0 : frame.slot / 2)
            if numeric {
                svg.empty("line", ["x1": c(x), "x2": c(x), "y1": c(frame.plotBottom), "y2": c(frame.plotBottom + 4), "stroke": Self.axisColour])
            }
            let full = labels[index]
            let shown = HTMLWriter.truncate(full, to: Self.labelLimit)
            let attributes: KeyValuePairs<String, String> = frame.rotated
                ? ["x": c(x), "y": c(y), "text-anchor": "end", "fill": Self.textColour, "transform": "rotate(-\(c(Self.labelAngle)) \(c(x)) \(c(y)))"]
                : ["x": c(x), "y": c(y), "text-anchor": "middle", "fill": Self.textColour]
            svg.element("text", attributes) { text in
                if shown != full { text.element("title", text: full) }
                text.text(shown)
            }
        }
    }

    /// "12.5 to 25: reference 12.30%, current 15.10%"; the end bins also hold the values beyond
    /// the plotted range, so they read "below 12.5" and "237.5 and above".
    private func tooltip(_ index: Int) -> String {
        var bin = labels[index]
        if numeric && labels.count > 1 {
            if index == 0 {
                bin = "below \(labels[1])"
            } else {
                bin = index + 1 < labels.count ? "\(labels[index]) to \(labels[index + 1])" : "\(labels[index]) and above"
            }
        }
        let shares = "reference \(HTMLWriter.percent(reference[index], decimals: 2)), current \(HTMLWriter.percent(current[index], decimals: 2))"
        return "\(bin): \(shares)"
    }
}
