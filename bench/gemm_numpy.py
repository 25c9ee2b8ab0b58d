#!/usr/bin/env python3
"""Times numpy float32 matmul (OpenBLAS sgemm) on the shapes of PerceptronGEMMBenchmark.

    python3 bench/gemm_numpy.py --threads 1 [--min-time 0.5] [--coretype SkylakeX] [--cpu-time]

The thread count and OpenBLAS core type must be fixed before numpy loads OpenBLAS, so
this script sets OPENBLAS_NUM_THREADS (and OPENBLAS_CORETYPE when asked) and then
imports numpy; run it once per thread count. Prints the same tab-separated columns as
the Swift benchmark:

    shape  m  n  k  threads  best_GFLOPs  median_GFLOPs  best_us  median_us

GFLOP/s = 2*m*n*k / time; the operands are C-contiguous float32 arrays and the
transposed operands are `.T` views, so numpy calls sgemm with the transpose flags
instead of copying. The output array is preallocated (`out=`), like the Swift side.
`--cpu-time` times with the calling thread's CPU time (time.thread_time) instead of the
wall clock, as the Swift benchmark's flag: for 1 thread on a shared machine.
"""
import argparse
import os
import sys
import time


def shapes():
    sizes = [784, 512, 128, 64, 10]
    out = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        out.append((f"fwd_{fan_in}x{fan_out}", False, False, 1000, fan_out, fan_in))
        out.append((f"dW_{fan_in}x{fan_out}", True, False, fan_in, fan_out, 1000))
        out.append((f"dX_{fan_in}x{fan_out}", False, True, 1000, fan_in, fan_out))
    for fan_in, fan_out in zip(sizes, sizes[1:]):  # a batch-32 step (workload 2)
        out.append((f"fwd32_{fan_in}x{fan_out}", False, False, 32, fan_out, fan_in))
        out.append((f"dW32_{fan_in}x{fan_out}", True, False, fan_in, fan_out, 32))
        if fan_in != 784:  # the first layer has no input gradient
            out.append((f"dX32_{fan_in}x{fan_out}", False, True, 32, fan_in, fan_out))
    out.append(("square_2048", False, False, 2048, 2048, 2048))
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        out.append((f"m1_{fan_in}x{fan_out}", False, False, 1, fan_out, fan_in))
    return out


CLOCK = time.perf_counter


def measure(body, min_time):
    body()
    start = CLOCK()
    body()
    single = max(1e-9, CLOCK() - start)
    inner = max(1, int(2e-3 / single))
    samples = []
    deadline = CLOCK() + min_time
    while CLOCK() < deadline or len(samples) < 5:
        start = CLOCK()
        for _ in range(inner):
            body()
        samples.append((CLOCK() - start) / inner)
    samples.sort()
    return samples


def median(sorted_values):
    n = len(sorted_values)
    return sorted_values[n // 2] if n % 2 else (sorted_values[n // 2 - 1] + sorted_values[n // 2]) / 2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--min-time", type=float, default=0.5)
    parser.add_argument("--coretype", default=None, help="OPENBLAS_CORETYPE, e.g. SkylakeX")
    parser.add_argument("--shapes", default=None, help="comma-separated shape names")
    parser.add_argument("--custom", action="append", default=[], help="m,n,k[,tA][,tB]: an extra shape "
                        "named custom_MxNxK (as the Swift benchmark's); implies --shapes of it unless given")
    parser.add_argument("--cpu-time", action="store_true", help="time with the thread's CPU time")
    args = parser.parse_args()
    global CLOCK
    if args.cpu_time:
        CLOCK = time.thread_time

    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    if args.coretype:
        os.environ["OPENBLAS_CORETYPE"] = args.coretype
    import numpy as np  # after the environment is set

    try:  # which OpenBLAS kernels numpy really runs (the core type decides AVX2 or AVX-512)
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get("internal_api") == "openblas":
                print(f"# openblas {pool.get('version')} architecture {pool.get('architecture')} "
                      f"threads {pool.get('num_threads')}", file=sys.stderr)
    except ImportError:
        print("# threadpoolctl not installed: OpenBLAS core type not checked", file=sys.stderr)

    rng = np.random.default_rng(0)
    only = set(args.shapes.split(",")) if args.shapes else None
    extra = []
    for text in args.custom:
        parts = text.split(",")
        m, n, k = (int(v) for v in parts[:3])
        ta, tb = "tA" in parts, "tB" in parts
        name = f"custom_{m}x{n}x{k}" + ("_tA" if ta else "") + ("_tB" if tb else "")
        extra.append((name, ta, tb, m, n, k))
        only = (only or set()) | {name}
    print("\t".join(["shape", "m", "n", "k", "threads", "best_GFLOPs", "median_GFLOPs", "best_us", "median_us"]))
    rows = []
    for name, ta, tb, m, n, k in shapes() + extra:
        if only is not None and name not in only:
            continue
        a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
        opa = a.T if ta else a
        opb = b.T if tb else b
        c = np.empty((m, n), dtype=np.float32)
        times = measure(lambda: np.matmul(opa, opb, out=c), args.min_time)
        rows.append((name, m, n, k, times))
    if only is None or "predict" in only:
        sizes = [784, 512, 128, 64, 10]
        weights = [rng.uniform(-1, 1, (i, o)).astype(np.float32) for i, o in zip(sizes, sizes[1:])]
        outs = [np.empty((1, o), dtype=np.float32) for o in sizes[1:]]
        x = rng.uniform(-1, 1, (1, 784)).astype(np.float32)

        def chain():
            np.matmul(x, weights[0], out=outs[0])
            for layer in range(1, 4):
                np.matmul(outs[layer - 1], weights[layer], out=outs[layer])

        flops_k = sum(i * o for i, o in zip(sizes, sizes[1:]))
        rows.append(("predict_m1_chain", 1, 1, flops_k, measure(chain, args.min_time)))
    for name, m, n, k, times in rows:
        flop = 2.0 * m * n * k
        best, mid = times[0], median(times)
        disp_n, disp_k = (10, 784) if name == "predict_m1_chain" else (n, k)
        print("\t".join([name, str(m), str(disp_n), str(disp_k), str(args.threads),
                         f"{flop / best * 1e-9:.1f}", f"{flop / mid * 1e-9:.1f}",
                         f"{best * 1e6:.2f}", f"{mid * 1e6:.2f}"]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
