#!/usr/bin/env bash
# GEMM shapes: Perceptron against numpy's OpenBLAS (default core type and forced SkylakeX,
# i.e. its AVX-512 kernels, skipped on a CPU without AVX-512), 1 and 2 threads,
# alternating, in one run.
#   bench/gemm_compare.sh [--rounds N] [--min-time S] [--out bench/results/gemm-<cpu>.tsv] [--cpu-time]
# --cpu-time: 1 thread only, timed by the calling thread's CPU time (both benchmarks'
# --cpu-time), for a machine other processes share.
# Writes every run's rows (tab-separated, with impl and round columns) to --out and prints
# a Markdown table: best over rounds, the median of the per-run medians, and ratios of
# Perceptron's best to each peer's best. Uses .venv-bench (bench/run.sh creates it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROUNDS=1; MIN_TIME=0.3; OUT=""; CPU_TIME=(); THREADS=(1 2)
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --min-time) MIN_TIME="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --cpu-time) CPU_TIME=(--cpu-time); THREADS=(1); shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
PY="${BENCH_VENV:-$ROOT/.venv-bench}/bin/python"
if [[ -z "${GEMM_BENCH_BIN:-}" ]]; then  # GEMM_BENCH_BIN: an already built benchmark binary
    swift build -c release --product PerceptronGEMMBenchmark >&2
fi
BIN="${GEMM_BENCH_BIN:-$(swift build -c release --show-bin-path)/PerceptronGEMMBenchmark}"
# OpenBLAS's SkylakeX kernels need AVX-512: on a CPU without it (/proc/cpuinfo lacks
# avx512f) that peer is skipped and its columns read nan.
SKX=1
if [[ -r /proc/cpuinfo ]] && ! grep -qw avx512f /proc/cpuinfo; then
    SKX=0
    echo "gemm_compare.sh: this CPU has no AVX-512 (no avx512f in /proc/cpuinfo): skipping numpy-SKX (OPENBLAS_CORETYPE=SkylakeX)" >&2
fi
RAW="$(mktemp)"
for round in $(seq "$ROUNDS"); do
    "$BIN" --threads "$(IFS=,; echo "${THREADS[*]}")" --min-time "$MIN_TIME" ${CPU_TIME[@]+"${CPU_TIME[@]}"} | tail -n +2 | sed "s/^/perceptron\t$round\t/" >> "$RAW"
    for threads in "${THREADS[@]}"; do
        "$PY" bench/gemm_numpy.py --threads "$threads" --min-time "$MIN_TIME" ${CPU_TIME[@]+"${CPU_TIME[@]}"} | tail -n +2 | sed "s/^/numpy\t$round\t/" >> "$RAW"
        if [[ "$SKX" == 1 ]]; then
            "$PY" bench/gemm_numpy.py --threads "$threads" --min-time "$MIN_TIME" --coretype SkylakeX ${CPU_TIME[@]+"${CPU_TIME[@]}"} | tail -n +2 | sed "s/^/numpy-SKX\t$round\t/" >> "$RAW"
        fi
    done
done
if [[ -n "$OUT" ]]; then
    { printf 'impl\tround\tshape\tm\tn\tk\tthreads\tbest_GFLOPs\tmedian_GFLOPs\tbest_us\tmedian_us\n'; cat "$RAW"; } > "$OUT"
fi
"$PY" - "$RAW" <<'PYEOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
cells = {}
order = []
for impl, rnd, shape, m, n, k, threads, best, med, best_us, med_us in rows:
    key = (shape, threads)
    if key not in order:
        order.append(key)
    c = cells.setdefault(key, {"dims": f"{m}×{n}×{k}"}).setdefault(impl, {"best": [], "med": [], "us": []})
    c["best"].append(float(best)); c["med"].append(float(med)); c["us"].append(float(best_us))
print("| shape | m×n×k | thr | ours best | ours med | numpy best | numpy med | numpy-SKX best | numpy-SKX med | ours/numpy | ours/SKX |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for key in sorted(order, key=lambda key: (key[1], order.index(key))):
    c = cells[key]
    def get(impl, what):
        v = c.get(impl, {}).get(what, [])
        return (max(v) if what == "best" else statistics.median(v)) if v else float("nan")
    if key[0] == "predict_m1_chain":
        us = {i: min(c[i]["us"]) if i in c else float("nan") for i in ("perceptron", "numpy", "numpy-SKX")}
        print(f"| predict_m1_chain (µs, best) | 4 GEMMs | {key[1]} | {us['perceptron']:.1f} µs | – | {us['numpy']:.1f} µs | – | "
              f"{us['numpy-SKX']:.1f} µs | – | {us['numpy'] / us['perceptron']:.2f}× | {us['numpy-SKX'] / us['perceptron']:.2f}× |")
        continue
    ob, nb, sb = get("perceptron", "best"), get("numpy", "best"), get("numpy-SKX", "best")
    print(f"| {key[0]} | {c['dims']} | {key[1]} | {ob:.1f} | {get('perceptron', 'med'):.1f} | {nb:.1f} | {get('numpy', 'med'):.1f} | "
          f"{sb:.1f} | {get('numpy-SKX', 'med'):.1f} | {ob / nb:.2f} | {ob / sb:.2f} |")
PYEOF
rm -f "$RAW"
