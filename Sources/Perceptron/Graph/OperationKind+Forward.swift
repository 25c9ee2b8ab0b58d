import Foundation

extension OperationKind {
    /// Computes the operation's value from its operands' values into `out`.
    /// - Throws: ``GraphError/shapeMismatch(node:operation:shapes:)`` naming `node`.
    func forward(_ operands: [Matrix], into out: inout Matrix, node: String) throws {
        func shapes() -> String { operands.map { "\($0.rows)×\($0.columns)" }.joined(separator: " and ") }
        switch self {
        case .matmul:
            let (a, b) = (operands[0], operands[1])
            guard a.columns == b.rows else {
                throw GraphError.shapeMismatch(node: node, operation: stem,
                                               shapes: "\(shapes()): inner dimensions \(a.columns) and \(b.rows) differ")
            }
            Matrix.multiply(a, b, into: &out)
        case .add, .subtract, .multiply, .divide:
            let (a, b) = (operands[0], operands[1])
            guard let shape = Broadcast(a, b) else {
                throw GraphError.shapeMismatch(node: node, operation: stem, shapes: "\(shapes()) do not broadcast")
            }
            switch self {
            case .add: shape.combine(a, b, into: &out, +)
            case .subtract: shape.combine(a, b, into: &out, -)
            case .multiply: shape.combine(a, b, into: &out, *)
            default: shape.combine(a, b, into: &out, /)
            }
        case .negative: operands[0].map(into: &out) { -$0 }
        case .log: operands[0].map(into: &out) { Foundation.log($0) }
        case .exp: operands[0].map(into: &out) { Foundation.exp($0) }
        case .square: operands[0].map(into: &out) { $0 * $0 }
        case .activation(let f): f.apply(operands[0], into: &out)
        case .reduceSum(let axis): Self.reduce(operands[0], axis: axis, scale: 1, into: &out)
        case .reduceMean(let axis):
            let a = operands[0]
            let count = axis == .all ? a.count : axis == .rows ? a.rows : a.columns
            Self.reduce(a, axis: axis, scale: 1 / Float(max(count, 1)), into: &out)
        }
    }

    /// Sums `a` over `axis` (in Double for the full sum), times `scale`.
    static func reduce(_ a: Matrix, axis: ReductionAxis, scale: Float, into out: inout Matrix) {
        switch axis {
        case .all:
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
}
