import CPerceptronKernels

/// What a product does to each block of C once the block is final, while it is still in
/// cache (a dense layer's bias and activation, instead of two more passes over C); both
/// ``GEMM`` (fp32) and ``BF16GEMM`` take one:
///
/// ```
/// C[i, j] ← C[i, j] + bias[j]                 (bias not nil)
/// activated[i, j] ← relu ? max(C[i, j], 0) : C[i, j]     (activated not nil)
/// C[i, j] ← max(C[i, j], 0)                   (activated nil, relu: an inference pass)
/// ```
/// (`pk_bias_activate`: the operations of a separate bias pass and ReLU pass, so the bits
/// are the same.) `activated` has rows `ldActivated` floats apart and does not overlap C.
struct GEMMEpilogue: @unchecked Sendable {
    let bias: UnsafePointer<Float>?
    let activated: UnsafeMutablePointer<Float>?
    let ldActivated: Int
    let relu: Bool

    /// The same epilogue for the block of C that starts at row `rows`, column `columns` (a
    /// slice of the product is a product of its own, with C's origin moved there).
    func shifted(rows: Int, columns: Int) -> GEMMEpilogue {
        GEMMEpilogue(bias: bias.map { $0 + columns }, activated: activated.map { $0 + rows * ldActivated + columns },
                     ldActivated: ldActivated, relu: relu)
    }

    /// Applies the epilogue to C[rows, columns].
    func apply(rows: Range<Int>, columns: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if rows.isEmpty || columns.isEmpty { return }
        let block = shifted(rows: rows.lowerBound, columns: columns.lowerBound)
        pk_bias_activate(rows.count, columns.count, c + rows.lowerBound * ldc + columns.lowerBound, ldc,
                         block.bias, block.activated, ldActivated, relu ? 1 : 0)
    }
}
