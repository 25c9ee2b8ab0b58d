/// The axis a reduction runs over.
public enum ReductionAxis: Sendable, Equatable {
    /// Over every element: the result is 1 × 1.
    case all
    /// Down the rows (axis 0): an m × n input gives a 1 × n row.
    case rows
    /// Across the columns (axis 1): an m × n input gives an m × 1 column.
    case columns

    /// numpy's axis numbers: nil → ``all``, 0 → ``rows``, 1 → ``columns``.
    public init?(numpyAxis: Int?) {
        switch numpyAxis {
        case nil: self = .all
        case 0: self = .rows
        case 1: self = .columns
        default: return nil
        }
    }
}

/// The sum or the mean over every element, or over one axis.
///
/// ```
/// sum    Y = Σ A            ∂A = G broadcast back to A's shape
/// mean   Y = Σ A / count    ∂A = G / count, broadcast
/// axis all: Σᵢⱼ aᵢⱼ (1 × 1)    rows: sⱼ = Σᵢ aᵢⱼ (1 × n)    columns: sᵢ = Σⱼ aᵢⱼ (m × 1)
/// ```
public struct Reduction: GraphOperation, Equatable {
    public let isMean: Bool
    public let axis: ReductionAxis
    public init(mean: Bool, axis: ReductionAxis) { self.isMean = mean; self.axis = axis }

    public var stem: String { isMean ? "reduce_mean" : "reduce_sum" }
    public var arity: Int { 1 }

    /// 1 for a sum; 1 / (elements summed into each output) for a mean.
    private func scale(for a: Matrix) -> Float {
        guard isMean else { return 1 }
        let count = axis == .all ? a.count : axis == .rows ? a.rows : a.columns
        return 1 / Float(max(count, 1))
    }

    public func forward(_ operands: [Matrix], into out: inout Matrix) throws {
        let a = operands[0]
        let scale = scale(for: a)
        switch axis {
        case .all:   // the full sum is taken in Double by Matrix.sum
            if out.rows != 1 || out.columns != 1 { out.resize(rows: 1, columns: 1) }
            out[0, 0] = a.sum() * scale
        case .rows:
            a.sumColumns(into: &out)
            if scale != 1 { out.withUnsafeMutableBufferPointer { p in for j in p.indices { p[j] *= scale } } }
        case .columns:
            if out.rows != a.rows || out.columns != 1 { out.resize(rows: a.rows, columns: 1) }
            let (r, c) = (a.rows, a.columns)
            a.withUnsafeBufferPointer { pa in
                out.withUnsafeMutableBufferPointer { po in
                    for i in 0..<r {
                        var total: Float = 0
                        for j in 0..<c { total += pa[i * c + j] }
                        po[i] = total * scale
                    }
                }
            }
        }
    }

    public func backward(slot: Int, gradient g: Matrix, operands: [Matrix], value: Matrix,
                         into t: inout Matrix, scratch: inout Matrix) {
        let scale = scale(for: operands[0])
        let (gr, gc) = Broadcast.strides(g)
        let columns = operands[0].columns
        g.withUnsafeBufferPointer { pg in
            t.withUnsafeMutableBufferPointer { pt in
                for k in pt.indices {
                    let (r, c) = (k / columns, k % columns)
                    pt[k] += scale * pg[r * gr + c * gc]
                }
            }
        }
    }
}

extension GraphOperation where Self == Reduction {
    public static func reduceSum(_ axis: ReductionAxis) -> Reduction { Reduction(mean: false, axis: axis) }
    public static func reduceMean(_ axis: ReductionAxis) -> Reduction { Reduction(mean: true, axis: axis) }
}
