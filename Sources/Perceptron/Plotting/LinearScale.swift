import Foundation

/// A linear map from data values to pixels, with "nice" tick positions.
///
/// ```
/// pixel(v) = r₀ + (v − d₀)·(r₁ − r₀)/(d₁ − d₀)
/// ```
/// Ticks are the multiples of a step of 1, 2 or 5 × 10ᵏ (the smallest such step giving at
/// most `count` intervals over the domain) that fall inside the domain.
struct LinearScale {
    var domain: (lower: Double, upper: Double)
    var range: (lower: Double, upper: Double)

    init(domain: (Double, Double), range: (Double, Double)) {
        var d = domain
        if !(d.0.isFinite && d.1.isFinite) { d = (0, 1) }
        if d.1 < d.0 { d = (d.1, d.0) }
        if d.1 - d.0 < 1e-12 * max(abs(d.0), 1) {
            // A constant series: a window of ±10% around it (±0.5 around 0), so it draws mid-height.
            let pad = d.0 == 0 ? 0.5 : abs(d.0) * 0.1
            d = (d.0 - pad, d.1 + pad)
        }
        self.domain = (d.0, d.1)
        self.range = (range.0, range.1)
    }

    func callAsFunction(_ value: Double) -> Double {
        range.lower + (value - domain.lower) * (range.upper - range.lower) / (domain.upper - domain.lower)
    }

    /// The tick step for at most `count` intervals over `span`: 1, 2 or 5 × 10ᵏ.
    static func step(span: Double, count: Int) -> Double {
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw * (1 - 1e-9) { return factor * magnitude }
        return 10 * magnitude
    }

    /// The domain widened outward to whole tick steps, so the axis starts and ends on a tick.
    func niced(count: Int = 5) -> LinearScale {
        let s = Self.step(span: domain.upper - domain.lower, count: count)
        let lower = floor(domain.lower / s + 1e-9) * s, upper = ceil(domain.upper / s - 1e-9) * s
        return LinearScale(domain: (lower, upper), range: (range.lower, range.upper))
    }

    /// Tick values inside the domain.
    func ticks(count: Int = 5) -> [Double] {
        let s = Self.step(span: domain.upper - domain.lower, count: count)
        let first = ceil(domain.lower / s - 1e-9)
        var values: [Double] = []
        var k = first
        while k * s <= domain.upper + s * 1e-9 && values.count < 100 {
            values.append(abs(k * s) < s * 1e-9 ? 0 : k * s)
            k += 1
        }
        return values
    }

    /// A tick label: as many decimals as the step needs (0.25 → "0.25", 20 → "20"), or
    /// exponent notation for very large or very small magnitudes.
    static func label(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = max(abs(value), step)
        if magnitude >= 1e6 || magnitude < 1e-4 { return String(format: "%.2g", value) }
        let decimals = max(0, min(6, Int(-floor(log10(step) + 1e-9))))
        return String(format: "%.\(decimals)f", value)
    }

    /// The labels of ``ticks(count:)``.
    func tickLabels(count: Int = 5) -> [(value: Double, label: String)] {
        let s = Self.step(span: domain.upper - domain.lower, count: count)
        return ticks(count: count).map { ($0, Self.label($0, step: s)) }
    }
}
