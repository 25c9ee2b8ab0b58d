/// How real numbers map to unsigned bytes (ONNX's `QuantizeLinear` with a u8 zero point):
///
/// ```
/// q = clamp(round_half_even(x / scale) + zeroPoint, 0, 255)        x ≈ scale · (q − zeroPoint)
/// ```
/// From a range [min, max] (ONNX `DynamicQuantizeLinear`, so an exported model computes
/// the same bytes): the range is widened to hold 0, so that 0 is exact,
/// ```
/// rmin = min(min, 0)   rmax = max(max, 0)
/// scale = (rmax − rmin) / 255          (1 when rmax = rmin)
/// zeroPoint = round_half_even(clamp(−rmin / scale, 0, 255))
/// ```
/// Values outside the range saturate at 0 or 255.
public struct AffineQuantization: Sendable, Equatable {
    /// The real step between two adjacent bytes (> 0).
    public let scale: Float
    /// The byte that stands for 0 (0…255).
    public let zeroPoint: Int32

    /// A quantization from its two numbers.
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` for a scale
    ///   that is not finite and positive, or a zero point outside 0…255.
    public init(scale: Float, zeroPoint: Int32) throws {
        guard scale.isFinite, scale > 0 else {
            throw PerceptronError.invalidHyperparameter(name: "quantization scale", value: "\(scale)", expected: "a finite number > 0")
        }
        guard (0...255).contains(zeroPoint) else {
            throw PerceptronError.invalidHyperparameter(name: "quantization zero point", value: "\(zeroPoint)", expected: "an integer in 0…255")
        }
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The quantization of the range [min, max] (see the type's formula).
    /// - Precondition: both finite.
    public init(min: Float, max: Float) {
        precondition(min.isFinite && max.isFinite, "quantization range must be finite, got [\(min), \(max)]")
        let low = Swift.min(min, 0), high = Swift.max(max, 0)
        var scale = high == low ? 1 : (high - low) / 255
        // Extreme ranges: a step that underflows to 0 would divide by zero, one that
        // overflows to ∞ would send every value to the zero point.
        if scale == .infinity { scale = .greatestFiniteMagnitude / 255 }
        if scale < .leastNormalMagnitude { scale = .leastNormalMagnitude }
        let initial = Swift.max(0, Swift.min(255, 0 - low / scale))
        self.scale = scale
        self.zeroPoint = Int32(initial.rounded(.toNearestOrEven))
    }
}
