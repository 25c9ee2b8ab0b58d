"""CSV loading: Perceptron's reader beside pandas.read_csv and polars.read_csv, in one run,
on one core (taskset -c CORE; POLARS_MAX_THREADS=1), each process under /usr/bin/time -v for
its peak resident memory. Repetitions alternate the readers; the table shows the median.
On a shared machine the wall time includes waiting for the core, so the table gives the
CPU time of the read (user + system) too, and MB/s from both.

    bench/csv/run.sh [--rows 2000000] [--reps 3] [--core 0] [--out bench/results/csv_loading.json]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from cpu_name import cpu_name  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(command, env=None):
    """Runs `command` under /usr/bin/time -v; returns its JSON line and peak RSS (bytes)."""
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr[-2000:]}")
    record = json.loads(result.stdout.strip().splitlines()[-1])
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1)) * 1024
    record["peak_rss_bytes"] = rss
    return record


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--core", type=int, default=0)
    parser.add_argument("--file", default=None, help="the CSV file (default: generated under .build/csv-bench/)")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/perceptron-csv-bench"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench/results/csv_loading.json"))
    args = parser.parse_args()

    path = args.file or os.path.join(ROOT, ".build/csv-bench", f"numeric_{args.rows}.csv")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        print(f"[csv-bench] writing {path}", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench/csv/make_numeric_csv.py"), path, str(args.rows)], check=True)
    with open(path, "rb") as f:  # into the page cache, so every reader reads from memory
        while f.read(1 << 24):
            pass

    pin = ["taskset", "-c", str(args.core)]
    env = dict(os.environ, POLARS_MAX_THREADS="1", OMP_NUM_THREADS="1")
    readers = {
        "perceptron CSVTable.read": pin + [args.binary, path, "--mode", "table"],
        "perceptron read + Preprocessor fit/transform": pin + [args.binary, path, "--mode", "preprocess"],
        "pandas.read_csv": pin + [sys.executable, os.path.join(ROOT, "bench/csv/peer_read.py"), "pandas", path],
    }
    try:
        import polars  # noqa: F401
        readers["polars.read_csv"] = pin + [sys.executable, os.path.join(ROOT, "bench/csv/peer_read.py"), "polars", path]
    except ImportError:
        print("[csv-bench] polars is not installed: its rows are left out", file=sys.stderr)

    results = {name: [] for name in readers}
    for rep in range(args.reps):
        for name, command in readers.items():
            record = run(command, env=env)
            results[name].append(record)
            print(f"[csv-bench] rep {rep + 1} {name}: {record['seconds']:.3f} s ({record['cpu_seconds']:.3f} s CPU), "
                  f"{record['peak_rss_bytes'] / 2**20:.0f} MiB", file=sys.stderr)

    size = os.path.getsize(path)
    summary = []
    for name, records in results.items():
        seconds = statistics.median(r["seconds"] for r in records)
        cpu = statistics.median(r["cpu_seconds"] for r in records)
        rss = statistics.median(r["peak_rss_bytes"] for r in records)
        summary.append({"reader": name, "version": records[0]["reader"], "median_seconds": seconds,
                        "mb_per_s": size / 1e6 / seconds,
                        "median_cpu_seconds": cpu, "mb_per_cpu_s": size / 1e6 / cpu, "peak_rss_mib": rss / 2**20,
                        "peak_rss_over_file": rss / size, "rows": records[0]["rows"], "columns": records[0]["columns"],
                        "all_seconds": [r["seconds"] for r in records],
                        "all_cpu_seconds": [r["cpu_seconds"] for r in records]})
    pandas = next(s for s in summary if s["reader"] == "pandas.read_csv")
    report = {"command": "bench/csv/run.sh " + " ".join(sys.argv[1:]), "cpu": cpu_name(), "cores_used": 1,
              "file_bytes": size, "rows": args.rows, "reps": args.reps, "results": summary}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    print(f"CSV loading: {size / 1e6:.0f} MB, {summary[0]['rows']:,} rows × {summary[0]['columns']} columns, "
          f"one core of {report['cpu']}, median of {args.reps}")
    print("| reader | wall s | MB/s | CPU s | MB/CPU-s | CPU time / pandas' | peak RSS | RSS / file |")
    print("|---|---|---|---|---|---|---|---|")
    for s in summary:
        print(f"| {s['reader']} ({s['version']}) | {s['median_seconds']:.2f} | {s['mb_per_s']:.0f} | "
              f"{s['median_cpu_seconds']:.2f} | {s['mb_per_cpu_s']:.0f} | "
              f"{s['median_cpu_seconds'] / pandas['median_cpu_seconds']:.2f} | {s['peak_rss_mib']:.0f} MiB | "
              f"{s['peak_rss_over_file']:.2f} |")


if __name__ == "__main__":
    main()
