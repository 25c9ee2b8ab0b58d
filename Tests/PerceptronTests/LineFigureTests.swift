import XCTest
@testable import Perceptron

/// LineFigure: every point lands where the axes say, non-finite points break the line, and
/// figures it cannot draw are typed errors.
final class LineFigureTests: XCTestCase {
    /// The value of attribute `name` in `element` (one SVG element's text).
    func attribute(_ name: String, in element: String) throws -> String {
        let start = try XCTUnwrap(element.range(of: " \(name)=\""), "no \(name) in \(element)")
        let rest = element[start.upperBound...]
        return String(rest[..<rest.firstIndex(of: "\"")!])
    }

    func number(_ name: String, in element: String) throws -> Double {
        try XCTUnwrap(Double(try attribute(name, in: element)))
    }

    /// The plot area's pixel box, from the axes group's data attributes.
    func plotArea(_ svg: String) throws -> (left: Double, top: Double, right: Double, bottom: Double) {
        let axes = try XCTUnwrap(svg.components(separatedBy: "\n").first { $0.hasPrefix("<g class=\"axes\"") })
        return (try number("data-left", in: axes), try number("data-top", in: axes),
                try number("data-right", in: axes), try number("data-bottom", in: axes))
    }

    func lines(_ svg: String, starting prefix: String, series: String) -> [String] {
        svg.components(separatedBy: "\n").filter { $0.hasPrefix(prefix) && $0.contains("data-series=\"\(series)\"") }
    }

    func testPointsMapThroughTheAxesScales() throws {
        // x and y both span exactly [0, 1], which is already whole ticks: the axes run 0 → 1, so
        // pixel x = left + x·(right − left) and pixel y = bottom − y·(bottom − top).
        let a = [(0.0, 0.2), (0.5, 0.9), (1.0, 0.4)].map { LineFigure.Point(x: $0.0, y: $0.1) }
        let b = [(0.0, 0.0), (1.0, 1.0)].map { LineFigure.Point(x: $0.0, y: $0.1) }
        let figure = try LineFigure(series: [.init(name: "a", points: a), .init(name: "b <&>", points: b, dashed: true)],
                                    references: [.init(name: "baseline", y: 0.75)],
                                    xLabel: "sparsity", yLabel: "accuracy", title: "Accuracy against sparsity")
        let svg = figure.svg()
        let area = try plotArea(svg)
        func px(_ x: Double) -> Double { area.left + x * (area.right - area.left) }
        func py(_ y: Double) -> Double { area.bottom - y * (area.bottom - area.top) }
        // Tolerance 0.01: SVGCanvas writes coordinates rounded to 2 decimals.
        let markers = lines(svg, starting: "<circle", series: "a")
        XCTAssertEqual(markers.count, 3)
        for (marker, p) in zip(markers, a) {
            XCTAssertEqual(try number("cx", in: marker), px(p.x), accuracy: 0.01)
            XCTAssertEqual(try number("cy", in: marker), py(p.y), accuracy: 0.01)
        }
        let polyline = try XCTUnwrap(lines(svg, starting: "<polyline", series: "a").first)
        let vertices = try attribute("points", in: polyline).split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        XCTAssertEqual(vertices.count, 3)
        for (v, p) in zip(vertices, a) {
            XCTAssertEqual(v[0], px(p.x), accuracy: 0.01)
            XCTAssertEqual(v[1], py(p.y), accuracy: 0.01)
        }
        // The second series is dashed and its name escaped.
        let dashed = try XCTUnwrap(lines(svg, starting: "<polyline", series: "b &lt;&amp;&gt;").first)
        XCTAssertEqual(try attribute("stroke", in: dashed), Palette.color(1))
        XCTAssertNoThrow(try attribute("stroke-dasharray", in: dashed))
        // The reference line spans the plot at its y.
        let reference = svg.components(separatedBy: "\n").drop { !$0.contains("data-reference=\"baseline\"") }.dropFirst().first ?? ""
        XCTAssertEqual(try number("y1", in: reference), py(0.75), accuracy: 0.01)
        XCTAssertEqual(try number("x1", in: reference), area.left, accuracy: 0.01)
        XCTAssertEqual(try number("x2", in: reference), area.right, accuracy: 0.01)
        XCTAssertTrue(svg.contains(">baseline</text>"), "the reference line is in the legend")
    }

    func testNonFinitePointsBreakTheLineAndAreNotDrawn() throws {
        let points = [(0.0, 0.0), (0.25, 0.5), (0.5, .nan), (0.75, 0.5), (1.0, 1.0), (.infinity, 0.3)]
            .map { LineFigure.Point(x: $0.0, y: $0.1) }
        let svg = try LineFigure(series: [.init(name: "s", points: points)], xLabel: "x", yLabel: "y", title: "t").svg()
        XCTAssertEqual(lines(svg, starting: "<polyline", series: "s").count, 2, "one line each side of the NaN")
        XCTAssertEqual(lines(svg, starting: "<circle", series: "s").count, 4, "a marker per finite point only")
        XCTAssertFalse(svg.contains("nan") || svg.contains("inf"))
        XCTAssertEqual(LineFigure.finiteRuns(points).map(\.count), [2, 2])
    }

    func testFiguresThatCannotBeDrawnAreTypedErrors() {
        func isEmptyData(_ error: Error) -> Bool {
            if case PerceptronError.emptyData = error { return true }
            return false
        }
        XCTAssertThrowsError(try LineFigure(series: [], xLabel: "x", yLabel: "y", title: "t")) { XCTAssertTrue(isEmptyData($0), "\($0)") }
        XCTAssertThrowsError(try LineFigure(series: [.init(name: "empty", points: [])], xLabel: "x", yLabel: "y", title: "t")) {
            XCTAssertTrue(isEmptyData($0), "\($0)")
        }
        XCTAssertThrowsError(try LineFigure(series: [.init(name: "nan", points: [.init(x: 1, y: .nan)])],
                                            xLabel: "x", yLabel: "y", title: "t")) { XCTAssertTrue(isEmptyData($0), "\($0)") }
        XCTAssertThrowsError(try LineFigure(series: [.init(name: "s", points: [.init(x: 0, y: 1)])],
                                            references: [.init(name: "r", y: .nan)], xLabel: "x", yLabel: "y", title: "t")) {
            guard case PerceptronError.nonFiniteValue = $0 else { return XCTFail("\($0)") }
        }
    }

    func testASinglePointSeriesDrawsItsMarker() throws {
        let svg = try LineFigure(series: [.init(name: "one", points: [.init(x: 3, y: 3)])], xLabel: "x", yLabel: "y", title: "t").svg()
        XCTAssertEqual(lines(svg, starting: "<circle", series: "one").count, 1)
    }
}
