import Foundation

/// A minimal SVG writer: shapes and text appended as markup, every attribute value and
/// text node escaped (``Markup/escape(_:)``), so names read from a user's file can never
/// break out of the document.
///
/// The root element carries `viewBox="0 0 width height"` and `width="100%"`, so a figure
/// scales to its container (a 1280 px page or a phone) with its text and shapes in the same
/// proportions; `max-width` keeps it from growing past its design size.
struct SVGCanvas {
    let width: Double
    let height: Double
    private(set) var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Text or an attribute value escaped for the document (``Markup/escape(_:)``).
    static func escape(_ text: String) -> String { Markup.escape(text) }

    /// A number as SVG writes it: at most 2 decimals, no trailing zeros.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int(rounded)) }
        // The nearest Double to k/100 prints as k/100's decimals (shortest round-trip form).
        return String(rounded)
    }

    /// `key="value"` pairs, values escaped.
    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    mutating func raw(_ markup: String) { body.append(markup) }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
                       extra: [(String, String)] = [], tooltip: String? = nil) {
        var a: [(String, String)] = [("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(width)),
                                     ("height", Self.number(height)), ("fill", fill)]
        if let stroke { a.append(("stroke", stroke)) }
        a += extra
        if let tooltip {
            body.append("<rect\(Self.attributes(a))><title>\(Self.escape(tooltip))</title></rect>")
        } else {
            body.append("<rect\(Self.attributes(a))/>")
        }
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil) {
        var a: [(String, String)] = [("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)),
                                     ("y2", Self.number(y2)), ("stroke", stroke), ("stroke-width", Self.number(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        body.append("<line\(Self.attributes(a))/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil,
                           extra: [(String, String)] = []) {
        guard !points.isEmpty else { return }
        let text = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        var a: [(String, String)] = [("points", text), ("fill", "none"), ("stroke", stroke),
                                     ("stroke-width", Self.number(width)), ("stroke-linejoin", "round")]
        if let dash { a.append(("stroke-dasharray", dash)) }
        body.append("<polyline\(Self.attributes(a + extra))/>")
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil, extra: [(String, String)] = []) {
        var a: [(String, String)] = [("cx", Self.number(cx)), ("cy", Self.number(cy)), ("r", Self.number(r)), ("fill", fill)]
        if let stroke { a += [("stroke", stroke), ("stroke-width", "1")] }
        body.append("<circle\(Self.attributes(a + extra))/>")
    }

    enum Anchor: String { case start, middle, end }

    /// Text at (x, y) (the baseline), escaped; `rotate` turns it about its anchor point.
    mutating func text(_ text: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
                       weight: String? = nil, fill: String = "#222", rotate: Double? = nil, extra: [(String, String)] = []) {
        var a: [(String, String)] = [("x", Self.number(x)), ("y", Self.number(y)), ("font-size", Self.number(size)),
                                     ("text-anchor", anchor.rawValue), ("fill", fill)]
        if let weight { a.append(("font-weight", weight)) }
        if let rotate { a.append(("transform", "rotate(\(Self.number(rotate)) \(Self.number(x)) \(Self.number(y)))")) }
        body.append("<text\(Self.attributes(a + extra))>\(Self.escape(text))</text>")
    }

    /// The document: `title` is the accessible name (`<title>` and `aria-label`), `id` the
    /// root element's id (the browser check finds each figure by it).
    func svg(title: String, id: String? = nil) -> String {
        var root: [(String, String)] = [("xmlns", "http://www.w3.org/2000/svg"),
                                        ("viewBox", "0 0 \(Self.number(width)) \(Self.number(height))"),
                                        ("width", "100%"), ("style", "max-width:\(Self.number(width))px;height:auto"),
                                        ("role", "img"), ("aria-label", title),
                                        ("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif")]
        if let id { root.insert(("id", id), at: 1) }
        return "<svg\(Self.attributes(root))>\n<title>\(Self.escape(title))</title>\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }

    /// The width `text` takes at `size`: 0.6 em per character, a slight overestimate for
    /// proportional sans-serif fonts, so layout that fits by this estimate fits on screen.
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.6 }

    /// `text` cut (with "…") to fit `width` at `size`.
    static func fitting(_ text: String, width: Double, size: Double) -> String {
        let most = max(Int(width / (size * 0.6)), 1)
        return text.count <= most ? text : String(text.prefix(max(most - 1, 0))) + "…"
    }
}
