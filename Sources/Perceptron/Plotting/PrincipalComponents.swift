import Foundation

/// The two leading principal components of a set of rows, for drawing wide inputs on a
/// plane: the mean, two orthonormal directions of largest variance, and their share of the
/// total variance.
///
/// ```
/// C = (1/(n−1)) Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ      u₁, u₂ = leading eigenvectors of C
/// projection of x: (u₁·(x − μ), u₂·(x − μ));   back: x = μ + a·u₁ + b·u₂
/// share of variance of uₖ = uₖᵀ C uₖ / trace C
/// ```
/// C is one GEMM (`Xᶜᵀ·Xᶜ`); u₁, u₂ come from subspace iteration (V ← orthonormalize(V·C),
/// each product a GEMM) until V stops moving. Rows beyond `sampleLimit` are sampled evenly:
/// the two leading directions of a large set are well estimated from a thousand rows.
struct PrincipalComponents {
    let mean: [Double]
    /// Two rows of `d` numbers (the second all zero for d = 1).
    let components: [[Double]]
    /// The share of the total variance along each component.
    let explained: [Double]

    init(_ x: Matrix, sampleLimit: Int = 1000, iterations: Int = 500) {
        let d = x.columns
        let rows = scatterSample(count: x.rows, limit: sampleLimit)
        var mean = [Double](repeating: 0, count: d)
        for r in rows { for j in 0..<d { mean[j] += Double(x[r, j]) } }
        for j in 0..<d { mean[j] /= Double(max(rows.count, 1)) }
        var centered = Matrix(rows: rows.count, columns: d)
        for (i, r) in rows.enumerated() { for j in 0..<d { centered[i, j] = Float(Double(x[r, j]) - mean[j]) } }
        var covariance = Matrix(rows: 0, columns: 0)
        Matrix.multiply(centered, centered, transposeA: true, alpha: 1 / Float(max(rows.count - 1, 1)), into: &covariance)
        let trace = (0..<d).reduce(0.0) { $0 + Double(covariance[$1, $1]) }

        let k = min(2, d)
        // A fixed, uneven start, so the result is deterministic and not orthogonal to the answer.
        var basis = Matrix(rows: k, columns: d, elements: (0..<(k * d)).map { 1 + Float(($0 * 7 + ($0 / d) * 3) % 11) / 10 })
        Self.orthonormalize(&basis)
        var product = Matrix(rows: 0, columns: 0)
        for _ in 0..<iterations {
            Matrix.multiply(basis, covariance, into: &product)
            Self.orthonormalize(&product)
            let change = zip(product.elements, basis.elements).reduce(0.0) { max($0, Double(abs($1.0 - $1.1))) }
            basis = product
            if change < 1e-6 { break }
        }
        Matrix.multiply(basis, covariance, into: &product)
        var components = (0..<k).map { basis.row($0).map(Double.init) }
        var explained = (0..<k).map { c in trace > 0 ? zip(basis.row(c), product.row(c)).reduce(0.0) { $0 + Double($1.0 * $1.1) } / trace : 0 }
        if d == 1 { components.append([0]); explained.append(0) }
        self.mean = mean
        self.components = components
        self.explained = explained
    }

    /// Gram–Schmidt on the rows of `m` (in Double), each row then of unit length.
    private static func orthonormalize(_ m: inout Matrix) {
        var rows = (0..<m.rows).map { m.row($0).map(Double.init) }
        for i in rows.indices {
            for j in 0..<i {
                let p = zip(rows[i], rows[j]).reduce(0) { $0 + $1.0 * $1.1 }
                rows[i] = zip(rows[i], rows[j]).map { $0 - p * $1 }
            }
            let norm = rows[i].reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { rows[i] = rows[i].map { $0 / norm } }
        }
        m = Matrix(rows: m.rows, columns: m.columns, elements: rows.flatMap { $0.map(Float.init) })
    }

    /// (a, b) of each row of `x`.
    func project(_ x: Matrix) -> [(Double, Double)] {
        (0..<x.rows).map { r in
            var a = 0.0, b = 0.0
            for j in 0..<x.columns {
                let c = Double(x[r, j]) - mean[j]
                a += c * components[0][j]
                b += c * components[1][j]
            }
            return (a, b)
        }
    }

    /// The input row at plane coordinates (a, b).
    func point(_ a: Double, _ b: Double) -> [Float] {
        (0..<mean.count).map { Float(mean[$0] + a * components[0][$0] + b * components[1][$0]) }
    }
}
