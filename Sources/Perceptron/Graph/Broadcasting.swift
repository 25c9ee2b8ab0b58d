/// numpy-style broadcasting of 2-D shapes: each dimension must agree, or one side must be 1.
///
/// ```
/// (m × n) ⊕ (1 × n) → m × n      (m × n) ⊕ (m × 1) → m × n      (m × n) ⊕ (1 × 1) → m × n
/// ```
/// An operand stretched along a dimension gets its gradient summed along it.
struct Broadcast {
    let rows: Int
    let columns: Int

    /// The broadcast shape of `a` and `b`, or nil when they are incompatible.
    init?(_ a: Matrix, _ b: Matrix) {
        func dimension(_ x: Int, _ y: Int) -> Int? {
            if x == y { return x }
            if x == 1 { return y }
            if y == 1 { return x }
            return nil
        }
        guard let r = dimension(a.rows, b.rows), let c = dimension(a.columns, b.columns) else { return nil }
        rows = r
        columns = c
    }

    /// The element strides that read `m` as if stretched to this shape: element (i, j) of
    /// the broadcast view is `m[i·rowStride + j·columnStride]`.
    static func strides(_ m: Matrix) -> (row: Int, column: Int) {
        (m.rows == 1 ? 0 : m.columns, m.columns == 1 ? 0 : 1)
    }

    /// out(i, j) = f(a(i, j), b(i, j)) over the broadcast view.
    func combine(_ a: Matrix, _ b: Matrix, into out: inout Matrix, _ f: (Float, Float) -> Float) {
        if a.rows == b.rows && a.columns == b.columns {
            a.zip(b, into: &out, f)
            return
        }
        if out.rows != rows || out.columns != columns { out.resize(rows: rows, columns: columns) }
        let (ar, ac) = Broadcast.strides(a)
        let (br, bc) = Broadcast.strides(b)
        let (r, c) = (rows, columns)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    for i in 0..<r {
                        for j in 0..<c { po[i * c + j] = f(pa[i * ar + j * ac], pb[i * br + j * bc]) }
                    }
                }
            }
        }
    }

    /// Adds `term(i, j, k)` (k = i·columns + j, the flat index in the broadcast shape)
    /// into `target` at the element it was broadcast from: the reverse of broadcasting.
    func accumulate(into target: inout Matrix, _ term: (Int, Int, Int) -> Float) {
        let (tr, tc) = Broadcast.strides(target)
        let (r, c) = (rows, columns)
        target.withUnsafeMutableBufferPointer { pt in
            for i in 0..<r {
                for j in 0..<c { pt[i * tr + j * tc] += term(i, j, i * c + j) }
            }
        }
    }
}
