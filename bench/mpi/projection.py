#!/usr/bin/env python3
"""docs/distributed.md's projection: ring-allreduce time against compute time per step.

    python3 projection.py --gflops G [--latency-us A]

G is the training throughput of one machine in GFLOP/s (measured by bench/mpi/run.sh:
6 * 476,490 FLOP per sample for forward + backward of 784-512-128-64-10, times the samples
per second of a single-process epoch). Prints Markdown tables.

    gradient bytes      M = 4 * 476,490 = 1,905,960 B
    ring allreduce      R(N) = 2(N-1)/N * M / BW + 2(N-1) * alpha
    compute per step    C(N) = F * B / (N * G)     (F FLOP per sample, global batch B, N machines)
    step time           T(N) = C(N) + R(N)                   (no overlap: the first layer,
                                                              84% of the bytes, is computed last)
    adding a machine pays while T(N+1) < T(N); "stops paying" is the N that minimizes T(N),
    N* = sqrt((C(1) - M/BW ... )) found numerically, and we also give the N where R(N) = C(N)
    (parallel efficiency 50%).
"""
import argparse

def network(widths):
    """Parameters, and FLOP per sample for forward + backward (2P forward, 2P for the
    weight gradients, 2P for the input gradients except the first layer's)."""
    params = sum(a * b + b for a, b in zip(widths, widths[1:]))
    return params, 6 * params - 2 * widths[0] * widths[1]


PARAMS, FLOP_PER_SAMPLE = network([784, 512, 128, 64, 10])
BYTES = 4 * PARAMS


def step(n, batch, gflops, bw_bytes, alpha):
    compute = FLOP_PER_SAMPLE * batch / (n * gflops * 1e9)
    ring = 0.0 if n == 1 else 2 * (n - 1) / n * BYTES / bw_bytes + 2 * (n - 1) * alpha
    return compute, ring


def best_n(batch, gflops, bw, alpha, limit=4096):
    times = [sum(step(n, batch, gflops, bw, alpha)) for n in range(1, limit + 1)]
    return 1 + times.index(min(times)), min(times)


def half_efficiency(batch, gflops, bw, alpha, limit=4096):
    for n in range(2, limit + 1):
        c, r = step(n, batch, gflops, bw, alpha)
        if r >= c:
            return n
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--gflops", type=float, required=True)
    p.add_argument("--latency-us", type=float, default=20.0)
    p.add_argument("--widths", default="784,512,128,64,10")
    a = p.parse_args()
    global PARAMS, FLOP_PER_SAMPLE, BYTES
    PARAMS, FLOP_PER_SAMPLE = network([int(w) for w in a.widths.split(",")])
    BYTES = 4 * PARAMS
    alpha = a.latency_us * 1e-6
    batches = [1000, 2000, 4000, 8000, 16000, 32000, 64000]
    print(f"Network {a.widths}: {PARAMS:,} floats = {BYTES:,} bytes per step, {FLOP_PER_SAMPLE:,} FLOP per sample. One machine: {a.gflops:.1f} GFLOP/s; "
          f"latency alpha = {a.latency_us:g} us per message.\n")
    print("| network | ring allreduce, N=2 | N=8 | N→∞ (2M/BW) |")
    print("|---|---|---|---|")
    for gbps in (10, 25, 100, 1000):
        bw = gbps * 1e9 / 8
        r = [step(n, 1, 1, bw, alpha)[1] for n in (2, 8)]
        print(f"| {gbps} Gb/s | {r[0]*1e3:.2f} ms | {r[1]*1e3:.2f} ms | {2*BYTES/bw*1e3:.2f} ms (+latency) |")
    print("\n| global batch | compute, 1 machine | best N at 10 / 25 / 100 Gb/s | step time there | N at 50% efficiency, 10 / 25 / 100 | best N at 100 / 250 / 1000 Gb/s (10× the bandwidth) |")
    print("|---|---|---|---|---|---|")
    for batch in batches:
        c1 = step(1, batch, a.gflops, 1, 0)[0]
        best, times, halves, wide = [], [], [], []
        for gbps in (10, 25, 100):
            n, t = best_n(batch, a.gflops, gbps * 1e9 / 8, alpha)
            best.append(str(n))
            times.append(f"{t*1e3:.1f}")
            h = half_efficiency(batch, a.gflops, gbps * 1e9 / 8, alpha)
            halves.append(str(h) if h else ">4096")
            wide.append(str(best_n(batch, a.gflops, gbps * 10e9 / 8, alpha)[0]))
        print(f"| {batch:,} | {c1*1e3:.1f} ms | {' / '.join(best)} | {' / '.join(times)} ms | {' / '.join(halves)} | {' / '.join(wide)} |")


main()
