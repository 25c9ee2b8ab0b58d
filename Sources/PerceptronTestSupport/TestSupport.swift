import Foundation
import XCTest
import Perceptron

/// Asserts `|actual − expected| ≤ tolerance · max(1, scale)` element by element, where
/// `scale` defaults to the largest |expected| in the matrix: a relative tolerance on the
/// tensor as a whole, so entries near zero are judged against the tensor's magnitude.
public func assertClose(_ actual: Matrix, _ expected: Matrix, tolerance: Float, scale: Float? = nil,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.rows == expected.rows, actual.columns == expected.columns else {
        XCTFail("shape \(actual.rows)×\(actual.columns) != \(expected.rows)×\(expected.columns) \(message())", file: file, line: line)
        return
    }
    let (actualElements, expectedElements) = (actual.elements, expected.elements)  // each a copy
    let magnitude = scale ?? expectedElements.map { abs($0) }.max() ?? 0
    let bound = tolerance * max(magnitude, 1e-12)
    for i in 0..<actual.count {
        let (a, e) = (actualElements[i], expectedElements[i])
        if !(abs(a - e) <= bound) {
            XCTFail("element \(i) (row \(i / max(actual.columns, 1)), column \(i % max(actual.columns, 1))): \(a) vs \(e), |Δ| = \(abs(a - e)) > \(bound) \(message())",
                    file: file, line: line)
            return
        }
    }
}

/// Asserts two scalars agree to `tolerance` relative to max(|expected|, floor).
public func assertClose(_ actual: Float, _ expected: Float, relative tolerance: Float, floor: Float = 1e-6,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    let bound = tolerance * max(abs(expected), floor)
    XCTAssert(abs(actual - expected) <= bound, "\(actual) vs \(expected), |Δ| = \(abs(actual - expected)) > \(bound) \(message())",
              file: file, line: line)
}

/// Central finite differences of `f` with respect to every element of `point`:
///
/// ```
/// ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h
/// ```
/// `f` is evaluated in Float32 but the difference is formed in Double.
public func numericalGradient(of f: (Matrix) throws -> Float, at point: Matrix, step h: Float) rethrows -> Matrix {
    var gradient = Matrix(rows: point.rows, columns: point.columns)
    var probe = point
    for i in 0..<point.rows {
        for j in 0..<point.columns {
            let original = point[i, j]
            probe[i, j] = original + h
            let plus = Double(try f(probe))
            probe[i, j] = original - h
            let minus = Double(try f(probe))
            probe[i, j] = original
            gradient[i, j] = Float((plus - minus) / (2 * Double(h)))
        }
    }
    return gradient
}

/// Loads a JSON fixture from the test bundle's `Fixtures` folder.
public func fixtureURL(_ relativePath: String, bundle: Bundle) throws -> URL {
    guard let root = bundle.url(forResource: "Fixtures", withExtension: nil) else {
        throw NSError(domain: "Fixtures", code: 1, userInfo: [NSLocalizedDescriptionKey: "Fixtures folder not in test bundle"])
    }
    return root.appendingPathComponent(relativePath)
}
