"""Machine-state probe: times a 1000x784 @ 784x512 float32 matmul (numpy).

Runs for about --seconds (default 0.3) and prints one JSON line with the best
and median GFLOP/s. Run before and after every benchmark run so runs made
while the machine was slow (e.g. the second vCPU collapsing, a neighbour's
build) are visible. Threads come from OPENBLAS_NUM_THREADS / --threads.
"""
import argparse
import json
import os
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seconds", type=float, default=0.3)
a = p.parse_args()
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = str(a.threads)

import numpy as np  # noqa: E402

rng = np.random.default_rng(0)
x = rng.random((1000, 784), dtype=np.float32)
w = rng.random((784, 512), dtype=np.float32)
out = np.empty((1000, 512), dtype=np.float32)
np.matmul(x, w, out=out)
flop = 2.0 * 1000 * 784 * 512
times = []
t_end = time.perf_counter() + a.seconds
while time.perf_counter() < t_end or len(times) < 3:
    t0 = time.perf_counter()
    np.matmul(x, w, out=out)
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"probe": "gemm_1000x784x512_f32", "threads": a.threads,
                  "gflops_best": round(flop / times[0] / 1e9, 1),
                  "gflops_median": round(flop / times[len(times) // 2] / 1e9, 1),
                  "iters": len(times), "loadavg_1m": os.getloadavg()[0]}))
