/// Reverse-mode backpropagation over an ``ExecutionPlan`` whose forward values are set.
///
/// Seeded with ∂L/∂L = 1 at the loss, the plan visits nodes in reverse topological order;
/// each operation adds its inputs' shares of the chain rule into their gradient buffers:
///
/// ```
/// ∂L/∂x = Σ over consumers y of x:  (∂y/∂x)ᵀ · ∂L/∂y
/// ```
/// so a node used by several consumers (fan-out) gets the sum of their contributions, and
/// every gradient is complete before it is passed on. Each node's gradient is computed
/// once. Branches that lead to no node in `withRespectTo` are skipped (e.g. no ∂L/∂X for
/// the input batch). The per-operation formulas are listed at ``OperationKind``.
extension ExecutionPlan {
    func backward(from loss: Int, withRespectTo targets: [Int]) {
        for i in nodes.indices { hasGradient[i] = false; needsGradient[i] = false }
        for t in targets { needsGradient[t] = true }
        for i in nodes.indices where !needsGradient[i] {
            needsGradient[i] = inputPositions[i].contains { needsGradient[$0] }
        }
        guard needsGradient[loss] else { return }
        var seed = takeGradient(loss)
        seed.resize(rows: 1, columns: 1)
        seed[0, 0] = 1
        gradients[loss] = seed
        hasGradient[loss] = true
        for i in stride(from: loss, through: 0, by: -1) where hasGradient[i] && needsGradient[i] {
            guard let op = nodes[i] as? OperationNode else { continue }
            propagate(op.kind, at: i)
        }
    }

    /// Moves gradient buffer `j` out, zero-filled in `shape` if this is its first
    /// contribution, so the caller can add into it; `first` says which.
    private func openGradient(_ j: Int, like shape: Matrix) -> (buffer: Matrix, first: Bool) {
        var buffer = takeGradient(j)
        let first = !hasGradient[j]
        if first {
            if buffer.rows != shape.rows || buffer.columns != shape.columns { buffer.resize(rows: shape.rows, columns: shape.columns) }
            buffer.withUnsafeMutableBufferPointer { p in for k in p.indices { p[k] = 0 } }
            hasGradient[j] = true
        }
        return (buffer, first)
    }

    /// Adds the contributions of operation `i` (upstream gradient G, value Y) to its inputs.
    private func propagate(_ kind: OperationKind, at i: Int) {
        let g = gradients[i]
        let y = values[i]
        let inputs = inputPositions[i]
        let operands = inputs.map { values[$0] }
        for (slot, j) in inputs.enumerated() where needsGradient[j] {
            var (t, _) = openGradient(j, like: operands[slot])
            switch kind {
            case .matmul:
                let (a, b) = (operands[0], operands[1])
                if slot == 0 {
                    Matrix.multiply(g, b, transposeB: true, beta: 1, into: &t)   // ∂A += G·Bᵀ
                } else {
                    Matrix.multiply(a, g, transposeA: true, beta: 1, into: &t)   // ∂B += Aᵀ·G
                }
            case .add, .subtract, .multiply, .divide:
                let shape = Broadcast(operands[0], operands[1])!
                // `other` is the operand not being differentiated; for ∂B of a divide it is B itself.
                let other = kind == .divide ? operands[1] : operands[1 - slot]
                let (or, oc) = Broadcast.strides(other)
                g.withUnsafeBufferPointer { pg in
                    other.withUnsafeBufferPointer { po in
                        y.withUnsafeBufferPointer { py in
                            switch (kind, slot) {
                            case (.add, _), (.subtract, 0):
                                shape.accumulate(into: &t) { _, _, k in pg[k] }
                            case (.subtract, _):
                                shape.accumulate(into: &t) { _, _, k in -pg[k] }
                            case (.multiply, _):
                                shape.accumulate(into: &t) { r, c, k in pg[k] * po[r * or + c * oc] }
                            case (.divide, 0):
                                shape.accumulate(into: &t) { r, c, k in pg[k] / po[r * or + c * oc] }
                            default: // ∂B = −G ⊙ Y ⊘ B
                                shape.accumulate(into: &t) { r, c, k in -pg[k] * py[k] / po[r * or + c * oc] }
                            }
                        }
                    }
                }
            case .negative:
                Self.addElementwise(into: &t, g, g) { gk, _ in -gk }
            case .log:
                Self.addElementwise(into: &t, g, operands[0]) { gk, ak in gk / ak }
            case .exp:
                Self.addElementwise(into: &t, g, y) { gk, yk in gk * yk }
            case .square:
                Self.addElementwise(into: &t, g, operands[0]) { gk, ak in 2 * ak * gk }
            case .activation(let f):
                // The derivative comes from the Activation table shared with the layers.
                f.backward(outputGradient: g, input: operands[0], output: y, into: &scratch)
                Self.addElementwise(into: &t, scratch, scratch) { sk, _ in sk }
            case .reduceSum(let axis), .reduceMean(let axis):
                let a = operands[0]
                var scale: Float = 1
                if case .reduceMean = kind {
                    let count = axis == .all ? a.count : axis == .rows ? a.rows : a.columns
                    scale = 1 / Float(max(count, 1))
                }
                let (gr, gc) = Broadcast.strides(g)
                let columns = a.columns
                g.withUnsafeBufferPointer { pg in
                    t.withUnsafeMutableBufferPointer { pt in
                        for k in pt.indices {
                            let (r, c) = (k / columns, k % columns)
                            pt[k] += scale * pg[r * gr + c * gc]
                        }
                    }
                }
            }
            gradients[j] = t
        }
    }

    /// t[k] += f(x[k], z[k]) for every element.
    private static func addElementwise(into t: inout Matrix, _ x: Matrix, _ z: Matrix, _ f: (Float, Float) -> Float) {
        x.withUnsafeBufferPointer { px in
            z.withUnsafeBufferPointer { pz in
                t.withUnsafeMutableBufferPointer { pt in
                    for k in pt.indices { pt[k] += f(px[k], pz[k]) }
                }
            }
        }
    }
}
