import CPerceptronKernels

/// Elementwise work split across the worker pool. Each part takes a contiguous range of
/// elements, so the result is the same bits for any thread count; arrays below
/// ``minimumElements`` stay on the calling thread, where a hand-off would cost more than
/// it saves. 32 Ki elements are 10–40 µs of work on one core; below 1 << 17 the
/// workload-1 passes on 64 Ki–128 Ki elements (Adam on the 512 × 128 weight, ReLU of the
/// 1 000 × 128 layer) ran serially while the second core waited.
enum ParallelKernels {
    static let minimumElements = 1 << 15

    /// How many parts to split `count` elements into.
    static func parts(_ count: Int) -> Int {
        count < minimumElements ? 1 : min(ComputeSettings.threadCount, count / (minimumElements / 2))
    }

    /// Part `index` of `count` split into `parts` ranges whose inner boundaries are
    /// multiples of `granule` (the GEMM's row blocks and column slices use it too).
    static func split(_ count: Int, parts: Int, granule: Int, index: Int) -> Range<Int> {
        let units = (count + granule - 1) / granule
        let lower = min(count, units * index / parts * granule)
        let upper = index == parts - 1 ? count : min(count, units * (index + 1) / parts * granule)
        return lower..<upper
    }

    /// The elements of part `part` of `parts`, in multiples of 16 (a vector register).
    static func range(_ count: Int, part: Int, parts: Int) -> Range<Int> {
        split(count, parts: parts, granule: 16, index: part)
    }

    /// a = max(z, 0).
    static func relu(_ n: Int, _ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>) {
        struct Task: ParallelTask {
            let n: Int, parts: Int, z: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>
            func run(_ part: Int) {
                let r = ParallelKernels.range(n, part: part, parts: parts)
                pk_relu(r.count, z + r.lowerBound, a + r.lowerBound)
            }
        }
        let p = parts(n)
        WorkerPool.shared.run(parts: p, Task(n: n, parts: p, z: z, a: a))
    }

    /// out = z > 0 ? g : 0.
    static func reluBackward(_ n: Int, _ g: UnsafePointer<Float>, _ z: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        struct Task: ParallelTask {
            let n: Int, parts: Int, g: UnsafePointer<Float>, z: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
            func run(_ part: Int) {
                let r = ParallelKernels.range(n, part: part, parts: parts)
                pk_relu_backward(r.count, g + r.lowerBound, z + r.lowerBound, out + r.lowerBound)
            }
        }
        let p = parts(n)
        WorkerPool.shared.run(parts: p, Task(n: n, parts: p, g: g, z: z, out: out))
    }

    /// z[i, j] += b[j], split by rows.
    static func addRowVector(rows: Int, columns: Int, _ z: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>) {
        struct Task: ParallelTask {
            let rows: Int, columns: Int, parts: Int, z: UnsafeMutablePointer<Float>, b: UnsafePointer<Float>
            func run(_ part: Int) {
                let lower = rows * part / parts, upper = rows * (part + 1) / parts
                pk_add_row_vector(upper - lower, columns, z + lower * columns, b)
            }
        }
        let p = min(parts(rows * columns), max(rows, 1))
        WorkerPool.shared.run(parts: p, Task(rows: rows, columns: columns, parts: p, z: z, b: b))
    }

    /// to[r·columns ..< (r+1)·columns] = from[list[r]·columns ..< …] for r < count, split
    /// into ranges of rows (each row index checked against `rows`).
    static func gatherRows(_ list: UnsafePointer<Int>, count: Int, rows: Int, columns: Int,
                           _ from: UnsafePointer<Float>, _ to: UnsafeMutablePointer<Float>) {
        struct Task: ParallelTask {
            let list: UnsafePointer<Int>, count: Int, rows: Int, columns: Int, parts: Int
            let from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>
            func run(_ part: Int) {
                let range = (count * part / parts)..<(count * (part + 1) / parts)
                for r in range {
                    let i = list[r]
                    precondition(i >= 0 && i < rows, "Row index \(i) out of range for \(rows) rows")
                }
                pk_gather_rows(list + range.lowerBound, range.count, columns, from, to + range.lowerBound * columns)
            }
        }
        let p = min(parts(count * columns), max(count, 1))
        WorkerPool.shared.run(parts: p, Task(list: list, count: count, rows: rows, columns: columns, parts: p, from: from, to: to))
    }

    /// One Adam step over n parameters (pk_adam_update), split into ranges.
    static func adam(_ n: Int, _ theta: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                     _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ vMax: UnsafeMutablePointer<Float>?,
                     _ hyper: UnsafePointer<pk_adam_params>) {
        struct Task: ParallelTask {
            let n: Int, parts: Int
            let theta: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>
            let v: UnsafeMutablePointer<Float>, vMax: UnsafeMutablePointer<Float>?, hyper: UnsafePointer<pk_adam_params>
            func run(_ part: Int) {
                let r = ParallelKernels.range(n, part: part, parts: parts)
                pk_adam_update(r.count, theta + r.lowerBound, g + r.lowerBound, m + r.lowerBound, v + r.lowerBound,
                               vMax.map { $0 + r.lowerBound }, hyper)
            }
        }
        let p = parts(n)
        WorkerPool.shared.run(parts: p, Task(n: n, parts: p, theta: theta, g: g, m: m, v: v, vMax: vMax, hyper: hyper))
    }

    /// s[j] = Σᵢ x[i, j] of a rows × columns matrix, split by column ranges: every column
    /// is still added in row order, so the bits equal the one-thread sum's.
    static func sumColumns(rows: Int, columns: Int, _ x: UnsafePointer<Float>, _ s: UnsafeMutablePointer<Float>) {
        struct Task: ParallelTask {
            let rows: Int, columns: Int, parts: Int, x: UnsafePointer<Float>, s: UnsafeMutablePointer<Float>
            func run(_ part: Int) {
                let r = ParallelKernels.range(columns, part: part, parts: parts)
                if r.isEmpty { return }
                pk_sum_columns_ld(rows, r.count, columns, x + r.lowerBound, s + r.lowerBound)
            }
        }
        let p = min(parts(rows * columns), max(1, columns / 16))
        WorkerPool.shared.run(parts: p, Task(rows: rows, columns: columns, parts: p, x: x, s: s))
    }

    /// Whether every x[i] is finite, the ranges checked side by side.
    static func allFinite(_ n: Int, _ x: UnsafePointer<Float>) -> Bool {
        struct Task: ParallelTask {
            let n: Int, parts: Int, x: UnsafePointer<Float>, flags: UnsafeMutablePointer<Bool>
            func run(_ part: Int) {
                let r = ParallelKernels.range(n, part: part, parts: parts)
                flags[part] = pk_all_finite(r.count, x + r.lowerBound) != 0
            }
        }
        let p = min(parts(n), 8)
        if p == 1 { return pk_all_finite(n, x) != 0 }
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: p) { flags in
            let base = flags.baseAddress!
            base.initialize(repeating: true, count: p)
            WorkerPool.shared.run(parts: p, Task(n: n, parts: p, x: x, flags: base))
            return flags.allSatisfy { $0 }
        }
    }
}
