#ifndef PERCEPTRON_VECTOR_KERNELS_H
#define PERCEPTRON_VECTOR_KERNELS_H

#include <stdint.h>

/*
 * Elementwise kernels on the training hot path (optimizer updates, gradient norms),
 * with AVX-512 variants picked at run time like the GEMM kernels. Each writes every
 * element of its outputs, reads nothing past n, and takes non-aliasing arrays.
 */

/* Adam's hyperparameters for one step (t folded into step_size and inv_root_bc2). */
typedef struct {
    float beta1, beta2, epsilon;
    float step_size;     /* η / (1 − β₁ᵗ) */
    float inv_root_bc2;  /* 1 / √(1 − β₂ᵗ) */
    float coupled_decay; /* λ added to g as λ·θ (Adam); 0 for AdamW */
    float shrink;        /* θ ← shrink·θ first (AdamW: 1 − ηλ); 1 for Adam */
} pk_adam_params;

/* One Adam/AMSGrad/AdamW step over n parameters:
 *   g ← g + λθ;  θ ← shrink·θ;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
 *   AMSGrad (v_max non-null): v_max ← max(v_max, v), used in place of v
 *   θ ← θ − step_size · m / (√v · inv_root_bc2 + ε)                       */
void pk_adam_update(long n, float *theta, const float *g, float *m, float *v, float *v_max,
                    const pk_adam_params *h);

/* Σ x², accumulated in double. */
double pk_sum_squares(long n, const float *x);

/* 1 when every x[i] is finite (no NaN, no ±Inf). */
int pk_all_finite(long n, const float *x);

/* ReLU: a[i] = max(z[i], 0) (a may equal z). */
void pk_relu(long n, const float *z, float *a);

/* ReLU's vector–Jacobian product: out[i] = z[i] > 0 ? g[i] : 0. */
void pk_relu_backward(long n, const float *g, const float *z, float *out);

/* z[i, j] += b[j] for a rows × cols row-major z. */
void pk_add_row_vector(long rows, long cols, float *z, const float *b);

/* s[j] = Σᵢ x[i, j] for a rows × cols row-major x. */
void pk_sum_columns(long rows, long cols, const float *x, float *s);

/* The same sums for the cols columns of a rows × cols block of a row-major array whose
 * rows lie ld floats apart (a column range of a wider matrix): s[j] = Σᵢ x[i·ld + j],
 * each added in row order, so the bits equal pk_sum_columns's for those columns. */
void pk_sum_columns_ld(long rows, long cols, long ld, const float *x, float *s);

/* A dense layer's forward epilogue on a rows × cols block: z[i, j] += b[j] (b may be
 * null), then, when a is not null, a[i, j] = relu ? (z[i, j] > 0 ? z[i, j] : 0) : z[i, j];
 * when a is null and relu is set, z[i, j] itself gets the ReLU (an inference pass, which
 * keeps no z). Rows of z lie ldz floats apart, rows of a lda apart; z and a do not
 * overlap. The same operations as pk_add_row_vector followed by pk_relu (or a copy),
 * element by element. */
void pk_bias_activate(long rows, long cols, float *z, long ldz, const float *b, float *a, long lda, int relu);

/* The zero columns of a rows × cols block whose rows lie ld floats apart: bits[j] is the OR
 * of the magnitude bits (all but the sign) of column j's values, 0 exactly when each of them
 * is +0 or −0 (NaN and ±Inf count as non-zero). Returns how many columns are zero. */
long pk_zero_columns(long rows, long cols, const float *x, long ld, uint32_t *bits);

/* The columns of x named by run_count runs (runs[2r] the first column, runs[2r + 1] how
 * many), in run order, side by side in out: out's row i is x's row i restricted to the runs.
 * Rows of x lie ldx floats apart, rows of out ldout apart; they do not overlap. */
void pk_gather_column_runs(long rows, const float *x, long ldx, const long *runs, long run_count,
                           float *out, long ldout);

/* The same two with the instruction set named (PK_ISA_AVX512 where the CPU has it, or
 * PK_ISA_SCALAR for the portable loops), so tests can run each form on one machine. */
long pk_zero_columns_isa(int isa, long rows, long cols, const float *x, long ld, uint32_t *bits);
void pk_gather_column_runs_isa(int isa, long rows, const float *x, long ldx, const long *runs, long run_count,
                               float *out, long ldout);

/* Rows of a large matrix copied in list order: to's row r is from's row list[r] (cols floats each). */
void pk_gather_rows(const long *list, long count, long cols, const float *from, float *to);

#endif
