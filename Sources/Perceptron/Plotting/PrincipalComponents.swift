import Foundation

/// The two leading principal components of a set of rows, for drawing wide inputs on a
/// plane: the mean, two orthonormal directions of largest variance, and their share of the
/// total variance.
///
/// ```
/// C = (1/(n−1)) Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ      u₁, u₂ = leading eigenvectors of C (power iteration)
/// projection of x: (u₁·(x − μ), u₂·(x − μ));   back: x = μ + a·u₁ + b·u₂
/// ```
/// Power iteration multiplies by Xᶜᵀ(Xᶜv) and never forms C; u₂ is kept orthogonal to u₁.
/// Rows beyond `sampleLimit` are sampled evenly (the directions of a large set are well
/// estimated from a few thousand rows).
struct PrincipalComponents {
    let mean: [Double]
    let components: [[Double]]
    /// The share of the total variance along each component.
    let explained: [Double]

    init(_ x: Matrix, sampleLimit: Int = 3000, iterations: Int = 200) {
        let d = x.columns
        let rows = scatterSample(count: x.rows, limit: sampleLimit)
        var mean = [Double](repeating: 0, count: d)
        for r in rows { for j in 0..<d { mean[j] += Double(x[r, j]) } }
        for j in 0..<d { mean[j] /= Double(max(rows.count, 1)) }
        let centered: [[Double]] = rows.map { r in (0..<d).map { Double(x[r, $0]) - mean[$0] } }
        let total = centered.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }
        func multiply(_ v: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: d)
            for row in centered {
                var dot = 0.0
                for j in 0..<d { dot += row[j] * v[j] }
                if dot != 0 { for j in 0..<d { out[j] += dot * row[j] } }
            }
            return out
        }
        func normalize(_ v: [Double]) -> [Double] {
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return n > 0 ? v.map { $0 / n } : v
        }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        var components: [[Double]] = []
        var explained: [Double] = []
        for k in 0..<min(2, d) {
            // A fixed, uneven start so the iteration is deterministic and not orthogonal to the answer.
            var v = normalize((0..<d).map { 1 + Double(($0 * 7 + k * 3) % 11) / 10 })
            for previous in components { let p = dot(v, previous); v = normalize(zip(v, previous).map { $0 - p * $1 }) }
            var eigenvalue = 0.0
            for _ in 0..<iterations {
                var w = multiply(v)
                for previous in components { let p = dot(w, previous); w = zip(w, previous).map { $0 - p * $1 } }
                eigenvalue = dot(w, v)
                let next = normalize(w)
                let change = zip(next, v).reduce(0) { $0 + abs($1.0 - $1.1) }
                v = next
                if change < 1e-10 { break }
            }
            components.append(v)
            explained.append(total > 0 ? eigenvalue / total : 0)
        }
        if d == 1 { components.append([0]); explained.append(0) }
        self.mean = mean
        self.components = components
        self.explained = explained
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
