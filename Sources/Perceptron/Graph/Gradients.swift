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
/// the input batch). Each operation's formula sits beside its forward pass (``GraphOperation``, `Graph/Operations/`).
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
            propagate(op.operation, at: i)
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

    /// Adds the contributions of operation node `i` (upstream gradient G, value Y) to its
    /// inputs' gradients, each by the operation's own backward rule.
    private func propagate(_ operation: any GraphOperation, at i: Int) {
        let inputs = inputPositions[i]
        let operands = inputs.map { values[$0] }
        for (slot, j) in inputs.enumerated() where needsGradient[j] {
            var (t, _) = openGradient(j, like: operands[slot])
            operation.backward(slot: slot, gradient: gradients[i], operands: operands, value: values[i],
                               into: &t, scratch: &scratch)
            gradients[j] = t
        }
    }
}
