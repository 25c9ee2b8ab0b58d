// GEMM throughput benchmark (release build):
//
//     swift run -c release PerceptronGEMMBenchmark [--threads 1,2] [--min-time 0.5] [--shapes name,...]
//         [--custom m,n,k[,tA][,tB]] [--cpu-time]
//
// Times `Matrix.multiply` (the library's GEMM entry point) on the shapes of a
// 784-512-128-64-10 MLP at batch 1000 (forward X·W, weight gradient Xᵀ·dY, input
// gradient dY·Wᵀ per layer) and at batch 32 (the `…32_` shapes), a square 2048³ product,
// and the batch-1 forward shapes.
// Prints one tab-separated line per shape and thread count:
//
//     shape  m  n  k  threads  best_GFLOPs  median_GFLOPs  best_us  median_us
//
// GFLOP/s = 2·m·n·k / time. `bench/gemm_numpy.py` prints the same columns for numpy.
// `--cpu-time` times with the calling thread's CPU time instead of the wall clock: for
// A/B comparisons at 1 thread on a machine other processes share (at 2 threads it misses
// the worker's time).
import Dispatch
import Foundation
import Perceptron

struct Shape {
    let name: String
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
}

/// The GEMMs of one training step and one prediction of a 784-512-128-64-10 MLP.
func shapes() -> [Shape] {
    let sizes = [784, 512, 128, 64, 10]
    var list: [Shape] = []
    for l in 0..<(sizes.count - 1) {
        let (fanIn, fanOut) = (sizes[l], sizes[l + 1])
        list.append(Shape(name: "fwd_\(fanIn)x\(fanOut)", transposeA: false, transposeB: false, m: 1000, n: fanOut, k: fanIn))
        list.append(Shape(name: "dW_\(fanIn)x\(fanOut)", transposeA: true, transposeB: false, m: fanIn, n: fanOut, k: 1000))
        list.append(Shape(name: "dX_\(fanIn)x\(fanOut)", transposeA: false, transposeB: true, m: 1000, n: fanIn, k: fanOut))
    }
    for l in 0..<(sizes.count - 1) {  // a batch-32 step (workload 2)
        let (fanIn, fanOut) = (sizes[l], sizes[l + 1])
        list.append(Shape(name: "fwd32_\(fanIn)x\(fanOut)", transposeA: false, transposeB: false, m: 32, n: fanOut, k: fanIn))
        list.append(Shape(name: "dW32_\(fanIn)x\(fanOut)", transposeA: true, transposeB: false, m: fanIn, n: fanOut, k: 32))
        if l > 0 {  // the first layer has no input gradient
            list.append(Shape(name: "dX32_\(fanIn)x\(fanOut)", transposeA: false, transposeB: true, m: 32, n: fanIn, k: fanOut))
        }
    }
    list.append(Shape(name: "square_2048", transposeA: false, transposeB: false, m: 2048, n: 2048, k: 2048))
    for l in 0..<(sizes.count - 1) {
        list.append(Shape(name: "m1_\(sizes[l])x\(sizes[l + 1])", transposeA: false, transposeB: false, m: 1, n: sizes[l + 1], k: sizes[l]))
    }
    return list
}

/// Deterministic values in [-1, 1).
func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var state = seed | 1
    let elements = (0..<(rows * columns)).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
    return Matrix(rows: rows, columns: columns, elements: elements)
}

nonisolated(unsafe) var useCPUTime = false  // set once, before any timing

func now() -> UInt64 {
    if useCPUTime {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
    return DispatchTime.now().uptimeNanoseconds
}

/// Per-call times in seconds: samples of `inner` back-to-back calls, for at least `minTime`.
func measure(minTime: Double, _ body: () -> Void) -> [Double] {
    body()  // warm-up: buffers, caches, thread pool
    var start = now()
    body()
    let single = max(1e-9, Double(now() - start) * 1e-9)
    let inner = max(1, Int(2e-3 / single))
    var samples: [Double] = []
    let deadline = now() + UInt64(minTime * 1e9)
    repeat {
        start = now()
        for _ in 0..<inner { body() }
        samples.append(Double(now() - start) * 1e-9 / Double(inner))
    } while now() < deadline || samples.count < 5
    return samples.sorted()
}

func median(_ sorted: [Double]) -> Double {
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

var threadCounts = [1, 2]
var minTime = 0.5
var only: Set<String>? = nil
var extra: [Shape] = []
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--threads": threadCounts = (arguments.next() ?? "1").split(separator: ",").compactMap { Int($0) }
    case "--min-time": minTime = Double(arguments.next() ?? "") ?? minTime
    case "--cpu-time": useCPUTime = true
    case "--shapes": only = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
    case "--custom":
        // m,n,k[,tA][,tB]: an extra shape named custom_MxNxK; implies --shapes of it unless given.
        let parts = (arguments.next() ?? "").split(separator: ",").map(String.init)
        let dims = parts.prefix(3).compactMap { Int($0) }
        guard dims.count == 3 else { FileHandle.standardError.write("--custom needs m,n,k\n".data(using: .utf8)!); exit(2) }
        let shape = Shape(name: "custom_\(dims[0])x\(dims[1])x\(dims[2])" + (parts.contains("tA") ? "_tA" : "") + (parts.contains("tB") ? "_tB" : ""),
                          transposeA: parts.contains("tA"), transposeB: parts.contains("tB"), m: dims[0], n: dims[1], k: dims[2])
        extra.append(shape)
        only = (only ?? []).union([shape.name])
    default:
        FileHandle.standardError.write("usage: PerceptronGEMMBenchmark [--threads 1,2] [--min-time s] [--shapes a,b] [--custom m,n,k[,tA][,tB]] [--cpu-time]\n".data(using: .utf8)!)
        exit(2)
    }
}

print(["shape", "m", "n", "k", "threads", "best_GFLOPs", "median_GFLOPs", "best_us", "median_us"].joined(separator: "\t"))
for threads in threadCounts {
    try ComputeSettings.setThreadCount(threads)
    for shape in shapes() + extra where only?.contains(shape.name) ?? true {
        let a = shape.transposeA ? randomMatrix(rows: shape.k, columns: shape.m, seed: 1)
                                 : randomMatrix(rows: shape.m, columns: shape.k, seed: 1)
        let b = shape.transposeB ? randomMatrix(rows: shape.n, columns: shape.k, seed: 2)
                                 : randomMatrix(rows: shape.k, columns: shape.n, seed: 2)
        var c = Matrix(rows: shape.m, columns: shape.n)
        let times = measure(minTime: minTime) {
            Matrix.multiply(a, b, transposeA: shape.transposeA, transposeB: shape.transposeB, into: &c)
        }
        let flop = 2 * Double(shape.m * shape.n * shape.k)
        let best = times[0], mid = median(times)
        print([shape.name, "\(shape.m)", "\(shape.n)", "\(shape.k)", "\(threads)",
               String(format: "%.1f", flop / best * 1e-9), String(format: "%.1f", flop / mid * 1e-9),
               String(format: "%.2f", best * 1e6), String(format: "%.2f", mid * 1e6)].joined(separator: "\t"))
    }
    if only == nil || only!.contains("predict") {
        // One batch-1 prediction's GEMMs: 784→512→128→64→10 chained (activations not included).
        let sizes = [784, 512, 128, 64, 10]
        let weights = (0..<4).map { randomMatrix(rows: sizes[$0], columns: sizes[$0 + 1], seed: UInt64(10 + $0)) }
        let input = randomMatrix(rows: 1, columns: 784, seed: 3)
        var buffers = (0..<4).map { Matrix(rows: 1, columns: sizes[$0 + 1]) }
        let times = measure(minTime: minTime) {
            Matrix.multiply(input, weights[0], into: &buffers[0])
            for l in 1..<4 { Matrix.multiply(buffers[l - 1], weights[l], into: &buffers[l]) }
        }
        let flop = 2 * Double((0..<4).map { sizes[$0] * sizes[$0 + 1] }.reduce(0, +))
        print(["predict_m1_chain", "1", "10", "784", "\(threads)",
               String(format: "%.1f", flop / times[0] * 1e-9), String(format: "%.1f", flop / median(times) * 1e-9),
               String(format: "%.2f", times[0] * 1e6), String(format: "%.2f", median(times) * 1e6)].joined(separator: "\t"))
    }
}
