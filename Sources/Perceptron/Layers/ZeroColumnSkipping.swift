import CPerceptronKernels

/// A dense layer's training pass without the input columns that are zero in every row of
/// the batch: an MNIST batch of 1,000 images has ~173 of its 784 pixel columns at 0 (the
/// border, where no digit of the batch reaches), a one-hot or bag-of-words batch many more.
/// With S the columns of x that hold a value other than ±0,
///
/// ```
/// z = x·W + b              = x[:, S]·W[S, :] + b
/// ∂L/∂W = xᵀ·δ:   rows S   = x[:, S]ᵀ·δ,      the other rows +0
/// ∂L/∂x = δ·Wᵀ               (unchanged: it needs every column of W)
/// ```
/// Both are exact, not approximations: a skipped term x[i, k]·W[k, j] is ±0, and adding ±0
/// to a sum that started at +0 never changes it (a round-to-nearest sum is −0 only when
/// every term is), so z has the bits of the full product whenever the kernel adds a
/// product's terms in depth order into one sum (the fp32 kernels do, for depths up to the
/// blocking's KC, which covers every layer of the benchmarks); a skipped row of ∂L/∂W is
/// the +0 the full product gives for a finite δ (a NaN or ±Inf in δ gives NaN there, and
/// +0 here, but also NaN or ±Inf in the rows kept, as x has a non-zero in every one).
///
/// Whether it pays: a zero column saves m·n multiply–adds in each of the two products
/// (~13 ps each at ~150 GFLOP/s); the costs are reading x once to find the zero columns
/// (m·k floats) and, when skipping, copying x[:, S] (~2·m·k floats read and written),
/// copying W[S, :] and spreading ∂L/∂W[S, :] back (~4·k·n), at ~200 ps a float (~20 GB/s):
///
/// ```
/// look for zero columns when  n ≥ 256, m ≥ 64      (the look costs ≤ 2 % of the layer's products)
/// skip them when               zeros · m · n > k · (16·m + 24·n)
/// ```
/// Granite Rapids, 1 thread, MNIST 784-512-128-64-10 at batch 1,000 (workload 1): only the
/// first layer qualifies; see BENCHMARKS.md for what it saved. At batch 32 (workload 2, not
/// looked at), skipping the first layer's ~41 % zero columns every step measured the same
/// 1.48 s as not skipping: the copies of W ate the saving. Inference passes do not skip:
/// with one product saved and W's inference panels to repack, the 10,000 MNIST test images
/// (116 zero columns) went from 55.1 to 53.8 ms, not worth a copy of the batch (a product
/// of up to four rows skips x's zeros in its kernel instead).
struct ZeroColumnSkipping {
    /// S as runs of consecutive kept columns, (first column, count) pairs, flattened: the
    /// columns of x, and the rows of W and ∂L/∂W, that the compact matrices hold, in order.
    private var runs: [Int] = []
    /// The input the compact matrices were made from (its storage and shape), or nil.
    private var source: (storage: ObjectIdentifier, rows: Int, columns: Int)?
    private var bits: [UInt32] = []
    /// x[:, S], batch × |S|.
    private(set) var input = Matrix(rows: 0, columns: 0)
    /// W[S, :], |S| × n.
    private(set) var weight = Matrix(rows: 0, columns: 0)
    /// ∂L/∂W[S, :] of the backward pass, |S| × n.
    var weightGradient = Matrix(rows: 0, columns: 0)

    /// Whether a batch of m rows, k columns into n units is worth looking at.
    static func worthLooking(rows m: Int, columns k: Int, units n: Int) -> Bool { n >= 256 && m >= 64 && k >= 64 }

    /// Whether skipping `zeros` of k columns pays for its copies.
    static func worthSkipping(zeros: Int, rows m: Int, columns k: Int, units n: Int) -> Bool {
        let (saved, o1) = zeros.multipliedReportingOverflow(by: m)
        let (saved2, o2) = saved.multipliedReportingOverflow(by: n)
        return o1 || o2 || saved2 > k * (16 * m + 24 * n)
    }

    /// Looks for x's zero columns and, when skipping them pays, makes x[:, S] and W[S, :];
    /// true when it did (then ``input`` and ``weight`` are the forward pass's operands).
    /// The look splits x's columns, the copies x's rows and W's, across the worker pool.
    mutating func prepare(input x: Matrix, weight w: Matrix) -> Bool {
        source = nil
        let (m, k, n) = (x.rows, x.columns, w.columns)
        guard Self.worthLooking(rows: m, columns: k, units: n) else { return false }
        if bits.count != k { bits = [UInt32](repeating: 0, count: k) }
        let zeros = x.withUnsafeBufferPointer { xp in
            bits.withUnsafeMutableBufferPointer { Self.countZeroColumns(rows: m, columns: k, xp.baseAddress!, $0.baseAddress!) }
        }
        guard zeros > 0, zeros < k, Self.worthSkipping(zeros: zeros, rows: m, columns: k, units: n) else { return false }
        runs.removeAll(keepingCapacity: true)
        var j = 0
        while j < k {
            guard bits[j] != 0 else { j += 1; continue }
            let first = j
            while j < k && bits[j] != 0 { j += 1 }
            runs.append(first)
            runs.append(j - first)
        }
        let kept = k - zeros
        if input.rows != m || input.columns != kept { input.resize(rows: m, columns: kept) }
        if weight.rows != kept || weight.columns != n { weight.resize(rows: kept, columns: n) }
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                input.withUnsafeMutableBufferPointer { xs in
                    weight.withUnsafeMutableBufferPointer { ws in
                        runs.withUnsafeBufferPointer { r in
                            let task = CompactTask(m: m, k: k, n: n, kept: kept, x: xp.baseAddress!, w: wp.baseAddress!,
                                                   runs: r.baseAddress!, runCount: r.count / 2,
                                                   xs: xs.baseAddress!, ws: ws.baseAddress!,
                                                   parts: ParallelKernels.parts(m * kept))
                            WorkerPool.shared.run(parts: task.parts, task)
                        }
                    }
                }
            }
        }
        source = (ObjectIdentifier(x.storage), m, k)
        return true
    }

    /// `pk_zero_columns` over x's columns, split across the worker pool.
    private static func countZeroColumns(rows m: Int, columns k: Int, _ x: UnsafePointer<Float>,
                                         _ bits: UnsafeMutablePointer<UInt32>) -> Int {
        struct Task: ParallelTask {
            let m: Int, k: Int, parts: Int, x: UnsafePointer<Float>, bits: UnsafeMutablePointer<UInt32>
            let zeros: UnsafeMutablePointer<Int>
            func run(_ part: Int) {
                let r = ParallelKernels.range(k, part: part, parts: parts)
                zeros[part] = pk_zero_columns(m, r.count, x + r.lowerBound, k, bits + r.lowerBound)
            }
        }
        let parts = min(ParallelKernels.parts(m * k), max(1, k / 16))
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: parts) { zeros in
            zeros.initialize(repeating: 0)
            WorkerPool.shared.run(parts: parts, Task(m: m, k: k, parts: parts, x: x, bits: bits, zeros: zeros.baseAddress!))
            return zeros.reduce(0, +)
        }
    }

    /// x[:, S] (split by x's rows) and W[S, :] (split by runs, one copy of rows each).
    private struct CompactTask: ParallelTask {
        let m: Int, k: Int, n: Int, kept: Int, x: UnsafePointer<Float>, w: UnsafePointer<Float>
        let runs: UnsafePointer<Int>, runCount: Int
        let xs: UnsafeMutablePointer<Float>, ws: UnsafeMutablePointer<Float>, parts: Int
        func run(_ part: Int) {
            let rows = ParallelKernels.split(m, parts: parts, granule: 1, index: part)
            pk_gather_column_runs(rows.count, x + rows.lowerBound * k, k, runs, runCount, xs + rows.lowerBound * kept, kept)
            let mine = ParallelKernels.split(runCount, parts: parts, granule: 1, index: part)
            var row = ZeroColumnSkipping.compactRow(ofRun: mine.lowerBound, runs)
            for r in mine {
                let (first, count) = (runs[2 * r], runs[2 * r + 1])
                (ws + row * n).update(from: w + first * n, count: count * n)
                row += count
            }
        }
    }

    /// The row of the compact matrices where run `r` starts: the counts of the runs before it.
    private static func compactRow(ofRun r: Int, _ runs: UnsafePointer<Int>) -> Int {
        (0..<r).reduce(0) { $0 + runs[2 * $1 + 1] }
    }

    /// Whether ``input`` was made from `x` by the last ``prepare(input:weight:)``.
    func holds(_ x: Matrix) -> Bool {
        guard let source else { return false }
        return source.storage == ObjectIdentifier(x.storage) && source.rows == x.rows && source.columns == x.columns
    }

    /// Forgets the last input (an inference pass, or a pass that did not skip).
    mutating func clear() { source = nil }

    /// ∂L/∂W (k × n) from ``weightGradient``: its rows where S puts them, +0 elsewhere
    /// (split by rows across the worker pool).
    func expandWeightGradient(into full: inout Matrix, columns k: Int) {
        struct Task: ParallelTask {
            let k: Int, n: Int, parts: Int, runs: UnsafePointer<Int>, runCount: Int
            let compact: UnsafePointer<Float>, full: UnsafeMutablePointer<Float>
            func run(_ part: Int) {
                // This part's runs, and the full rows from the end of the run before them
                // (or row 0) to the end of their last run (or row k, for the last part).
                let mine = ParallelKernels.split(runCount, parts: parts, granule: 1, index: part)
                func end(_ r: Int) -> Int { runs[2 * r] + runs[2 * r + 1] }
                var next = mine.lowerBound == 0 ? 0 : end(mine.lowerBound - 1)
                let stop = part == parts - 1 ? k : (mine.isEmpty ? next : end(mine.upperBound - 1))
                var row = ZeroColumnSkipping.compactRow(ofRun: mine.lowerBound, runs)
                for r in mine {
                    let (first, count) = (runs[2 * r], runs[2 * r + 1])
                    (full + next * n).update(repeating: 0, count: (first - next) * n)
                    (full + first * n).update(from: compact + row * n, count: count * n)
                    row += count
                    next = first + count
                }
                (full + next * n).update(repeating: 0, count: (stop - next) * n)
            }
        }
        let n = weightGradient.columns
        if full.rows != k || full.columns != n { full.resize(rows: k, columns: n) }
        weightGradient.withUnsafeBufferPointer { gp in
            full.withUnsafeMutableBufferPointer { out in
                runs.withUnsafeBufferPointer { r in
                    let parts = ParallelKernels.parts(k * n)
                    WorkerPool.shared.run(parts: parts, Task(k: k, n: n, parts: parts, runs: r.baseAddress!, runCount: r.count / 2,
                                                             compact: gp.baseAddress!, full: out.baseAddress!))
                }
            }
        }
    }
}
