/// Single-precision general matrix multiply on row-major data:
///
/// ```
/// C ← α·op(A)·op(B) + β·C,   op(X) = X or Xᵀ
/// ```
///
/// `op(A)` is m × k, `op(B)` is k × n, C is m × n. `lda`, `ldb`, `ldc` are the row strides
/// (in elements) of A, B and C as stored. When `beta == 0`, C is not read (NaNs in it are
/// overwritten).
///
/// PLACEHOLDER: a naive triple loop. Replaced by the packed, blocked, multi-threaded
/// driver over the C micro-kernels.
enum GEMM {
    static func sgemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += av * bv
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }
}
