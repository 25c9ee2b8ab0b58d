#!/usr/bin/env python3
"""Benchmark runner: Perceptron vs PyTorch, JAX, Keras/TensorFlow and NumPy.

Normally started through bench/run.sh (which prepares the virtualenv). Uses
only the standard library; the peers run as subprocesses in the venv.

    bench/run.sh [--reps N] [--workloads 1,2,3,4] [--threads 1,2]
                 [--peers perceptron,pytorch,jax,keras,numpy] [--no-cli]
                 (bf16 mixed precision, workloads 1 and 2, only when named in --peers:
                  perceptron_bf16 = perceptron-bench --precision bf16,
                  pytorch_bf16 = PyTorch under torch.autocast("cpu", torch.bfloat16))
                 [--update-benchmarks] [--peer-args "--epochs 1 --limit 5000"]
    bench/run.py --render RAW.jsonl [--update-benchmarks]   # table only

Every run is bracketed by a GEMM probe (bench/peers/gemm_probe.py) so runs
made while the machine was slow can be recognised. Raw records go to
bench/results/raw/<timestamp>.jsonl, the table to bench/results/latest.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PEERS_DIR = os.path.join(BENCH, "peers")
sys.path.insert(0, os.path.join(BENCH, "tools"))
from cpu_name import cpu_name  # noqa: E402  (names the CPU by family/model, not "AMD EPYC" alone)
RESULTS = os.path.join(BENCH, "results")
RAW_DIR = os.path.join(RESULTS, "raw")
OURS = "perceptron"
OURS_BF16 = "perceptron_bf16"
# Run (and table) order; the bf16 variants run only when --peers names them.
ALL_IMPLS = [OURS, OURS_BF16, "pytorch", "pytorch_bf16", "jax", "keras", "numpy"]
DEFAULT_IMPLS = [OURS, "pytorch", "jax", "keras", "numpy"]
OURS_IMPLS = {OURS, OURS_BF16}
# Mixed-precision implementations: not "fp32 peers" for the ÷ fastest peer column, and
# run for the training workloads only.
BF16_IMPLS = {OURS_BF16, "pytorch_bf16"}
BF16_WORKLOADS = {1, 2}
PEER_MODULES = {"pytorch": "torch", "pytorch_bf16": "torch", "jax": "jax", "keras": "keras",
                "numpy": "numpy"}
VERSION_PACKAGES = ["torch", "jax", "jaxlib", "optax", "tensorflow-cpu", "keras",
                    "numpy", "threadpoolctl"]
WORKLOAD_NAMES = {
    1: "MNIST 784-512-128-64-10, Adam, batch 1000, 10 epochs (training loop)",
    2: "MNIST same network, batch 32, 1 epoch = 1,875 steps (training loop)",
    3: "MNIST inference: 10,000 images in one batch / one image at a time",
    4: "Titanic 7-15-1, Adam lr 0.02, batch 100, 1000 epochs (training loop)",
    "cli": "Whole process: `perceptron train ...` vs `python bench/peers/pytorch_cli.py` "
           "(imports + MNIST .gz loading + workload 1 + test accuracy)",
}
# ../shared beside the repository, as the team lays it out.
MNIST_DIR = os.path.join(os.path.dirname(ROOT), "shared", "data", "mnist")



def shown_command(cmd):
    """The command as the results record it: absolute paths made relative to the repository,
    so a results file names no folder of the machine that ran it."""
    return " ".join(shlex.quote(os.path.relpath(c, ROOT) if os.path.isabs(c) else c) for c in cmd)

def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def thread_env(threads):
    env = dict(os.environ)
    t = str(threads)
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
              "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "PERCEPTRON_NUM_THREADS"):
        env[v] = t
    if threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    else:
        env.pop("XLA_FLAGS", None)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["KERAS_BACKEND"] = "tensorflow"
    env["JAX_PLATFORMS"] = "cpu"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_timed(cmd, env, timeout):
    """Run cmd; returns rc, stdout, stderr, wall seconds, child max RSS MiB."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, cwd=ROOT, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return 124, out, err + "\n[bench] TIMEOUT", time.perf_counter() - t0, None
    wall = time.perf_counter() - t0
    # communicate() reaped the child; its rusage is not available per child
    # here, so the peers report ru_maxrss themselves and the CLI runs use
    # wait4 (see run_wait4).
    return p.returncode, out, err, wall, None


def run_wait4(cmd, env, timeout):
    """Like run_timed but reaps with os.wait4 to get the child's max RSS."""
    t0 = time.perf_counter()
    with open(os.devnull, "rb") as devnull:
        p = subprocess.Popen(cmd, stdin=devnull, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, cwd=ROOT)
    import threading
    bufs = {"out": b"", "err": b""}

    def pump(stream, key):
        bufs[key] = stream.read()
    th = [threading.Thread(target=pump, args=(p.stdout, "out")),
          threading.Thread(target=pump, args=(p.stderr, "err"))]
    for t in th:
        t.start()
    deadline = t0 + timeout
    timed_out = False
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            p.kill()
            timed_out = True
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.005)
    wall = time.perf_counter() - t0
    for t in th:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    rc = 124 if timed_out else p.returncode
    return (rc, bufs["out"].decode(errors="replace"), bufs["err"].decode(errors="replace"),
            wall, ru.ru_maxrss / 1024.0)


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def probe(py, threads, seconds):
    rc, out, err, _, _ = run_timed(
        [py, os.path.join(PEERS_DIR, "gemm_probe.py"), "--threads", str(threads),
         "--seconds", str(seconds)], thread_env(threads), 60)
    return last_json(out) if rc == 0 else {"error": err.strip()[-300:]}


# ------------------------------------------------------------------ setup

def swift_build(scratch, product):
    cmd = ["swift", "build", "-c", "release", "--product", product, "--scratch-path", scratch]
    log("building: " + " ".join(cmd))
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    binary = os.path.join(ROOT, scratch, "release", product)
    if p.returncode != 0 or not os.path.exists(binary):
        tail = (p.stdout + p.stderr).strip().splitlines()[-5:]
        log(f"SKIP {product}: `{' '.join(cmd)}` failed (rc {p.returncode}): " + " | ".join(tail))
        return None
    return binary


def peer_available(py, impl):
    mod = PEER_MODULES[impl]
    p = subprocess.run([py, "-c", f"import {mod}"], capture_output=True, text=True,
                       cwd="/", env=thread_env(1))
    if p.returncode != 0:
        log(f"SKIP {impl}: `import {mod}` fails in {py}: "
            + (p.stderr.strip().splitlines() or ["?"])[-1])
        return False
    return True


def cli_supports_train(binary):
    if not binary:
        return False, False
    p = subprocess.run([binary, "train", "--help"], capture_output=True, text=True)
    text = p.stdout + p.stderr
    needed = ["--dataset", "--data-dir", "--layers", "--optimizer", "--batch-size",
              "--epochs", "--json"]
    missing = [o for o in needed if o not in text]
    if p.returncode != 0 or missing:
        log(f"SKIP perceptron CLI comparison: `perceptron train --help` rc {p.returncode}, "
            f"missing options {missing}")
        return False, False
    return True, "--threads" in text


def versions(py):
    code = ("import json, importlib.metadata as m\nout = {}\n"
            f"for n in {VERSION_PACKAGES!r}:\n"
            "    try: out[n] = m.version(n)\n"
            "    except Exception: pass\n"
            "print(json.dumps(out))")
    p = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd="/")
    v = last_json(p.stdout) or {}
    v["python"] = subprocess.run([py, "-c", "import platform;print(platform.python_version())"],
                                 capture_output=True, text=True).stdout.strip()
    sv = subprocess.run(["swift", "--version"], capture_output=True, text=True)
    v["swift"] = (sv.stdout + sv.stderr).strip().splitlines()[0] if sv.returncode == 0 else "?"
    return v


def machine_info():
    model, flags = cpu_name(), ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1]
    except OSError:
        pass
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
                       "avx512_bf16", "amx_tile") if f" {f} " in f" {flags} "]
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True).stdout.strip()
    return {"cpu_model": model, "cores": os.cpu_count(), "isa": isa, "memory": mem,
            "kernel": platform.release(), "git_head": git}


# ------------------------------------------------------------------ main loop

def main_run(a):
    py = sys.executable
    os.makedirs(RAW_DIR, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    raw_path = os.path.join(RAW_DIR, f"{stamp}.jsonl")
    raw = open(raw_path, "a")

    def record(rec):
        raw.write(json.dumps(rec) + "\n")
        raw.flush()

    impls = [i for i in a.peers.split(",") if i]
    for i in impls:
        if i not in ALL_IMPLS:
            sys.exit(f"unknown peer {i!r}; known: {','.join(ALL_IMPLS)}")
    workloads = [int(w) for w in a.workloads.split(",") if w]
    thread_counts = [int(t) for t in a.threads.split(",") if t]

    ours_bench, ours_cli = None, None
    wants_ours = bool(OURS_IMPLS & set(impls))  # perceptron and/or perceptron_bf16
    if wants_ours and not a.skip_build:
        ours_bench = swift_build(a.scratch_path, "perceptron-bench")
    elif wants_ours:
        cand = os.path.join(ROOT, a.scratch_path, "release", "perceptron-bench")
        ours_bench = cand if os.path.exists(cand) else None
        if not ours_bench:
            log(f"SKIP perceptron: {cand} not found (--skip-build)")
    if not a.no_cli:
        if a.skip_build:
            cand = os.path.join(ROOT, a.scratch_path, "release", "perceptron")
            ours_cli = cand if os.path.exists(cand) else None
        else:
            ours_cli = swift_build(a.scratch_path, "perceptron")
    active = []
    for i in impls:
        if i in BF16_IMPLS and "avx512_bf16" not in machine_info()["isa"]:
            log(f"SKIP {i}: this CPU lacks AVX512_BF16")
        elif i in OURS_IMPLS:
            if ours_bench:
                active.append(i)
        elif peer_available(py, i):
            active.append(i)
    cli_ok, cli_threads = cli_supports_train(ours_cli) if not a.no_cli else (False, False)

    meta = {"kind": "meta", "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": a.command_line, "machine": machine_info(), "versions": versions(py),
            "impls": active, "requested": impls, "workloads": workloads, "threads": thread_counts, "reps": a.reps,
            "peer_args": a.peer_args, "probe_seconds": a.probe_seconds,
            "scratch_path": a.scratch_path}
    record(meta)
    log(f"raw records -> {raw_path}; impls {active}")
    extra_args = shlex.split(a.peer_args) if a.peer_args else []

    for threads in thread_counts:
        env = thread_env(threads)
        for w in workloads:
            for rep in range(1, a.reps + 1):
                for order, impl in enumerate(active):
                    if impl in BF16_IMPLS and w not in BF16_WORKLOADS:
                        continue
                    if impl in OURS_IMPLS:
                        cmd = [ours_bench, "--workload", str(w), "--threads", str(threads),
                               "--data-dir", a.data_dir]
                        if impl == OURS_BF16:
                            cmd += ["--precision", "bf16"]
                    else:
                        cmd = [py, os.path.join(PEERS_DIR, f"{impl}.py"), "--workload", str(w),
                               "--threads", str(threads), "--data-dir", a.data_dir] + extra_args
                    pb = probe(py, threads, a.probe_seconds)
                    rc, out, err, wall, _ = run_timed(cmd, env, a.timeout)
                    pa = probe(py, threads, a.probe_seconds)
                    res = last_json(out) if rc == 0 else None
                    rec = {"kind": "run", "impl": impl, "workload": w, "threads": threads,
                           "rep": rep, "order": order, "rc": rc, "wall_seconds": round(wall, 3),
                           "result": res, "probe_before": pb, "probe_after": pa,
                           "cmd": shown_command(cmd)}
                    if res is None:
                        rec["stderr_tail"] = err.strip()[-2000:]
                        rec["stdout_tail"] = out.strip()[-500:]
                    record(rec)
                    shown = (f"{res.get('seconds')} s" if res and res.get("seconds") is not None
                             else f"{res.get('batch_ms')} ms / {res.get('single_us')} us" if res
                             else f"FAILED rc {rc}: {err.strip().splitlines()[-1:] }")
                    log(f"T={threads} w{w} rep{rep} {impl}: {shown} "
                        f"(probe {gf(pb)}->{gf(pa)} GFLOP/s)")
        if not a.no_cli:
            for rep in range(1, a.reps + 1):
                runs = []
                if cli_ok:
                    c = [ours_cli, "train", "--dataset", "mnist", "--data-dir", a.data_dir,
                         "--layers", "512,128,64", "--activation", "relu", "--optimizer", "adam",
                         "--lr", "0.001", "--batch-size", "1000", "--epochs", "10", "--json"]
                    if cli_threads:
                        c += ["--threads", str(threads)]
                    runs.append((OURS, c))
                runs.append(("pytorch_cli", [py, os.path.join(PEERS_DIR, "pytorch_cli.py"),
                                             "--threads", str(threads), "--data-dir", a.data_dir]))
                for order, (impl, c) in enumerate(runs):
                    pb = probe(py, threads, a.probe_seconds)
                    rc, out, err, wall, rss = run_wait4(c, env, a.timeout)
                    pa = probe(py, threads, a.probe_seconds)
                    res = last_json(out) if rc == 0 else None
                    rec = {"kind": "cli", "impl": impl, "workload": "cli", "threads": threads,
                           "rep": rep, "order": order, "rc": rc, "wall_seconds": round(wall, 3),
                           "max_rss_mib": round(rss, 1) if rss else None, "result": res,
                           "probe_before": pb, "probe_after": pa,
                           "cmd": shown_command(c)}
                    if rc != 0:
                        rec["stderr_tail"] = err.strip()[-2000:]
                    record(rec)
                    log(f"T={threads} cli rep{rep} {impl}: wall {wall:.2f} s rc {rc} "
                        f"(probe {gf(pb)}->{gf(pa)})")
    raw.close()
    return raw_path


def gf(p):
    return p.get("gflops_best", "?") if isinstance(p, dict) else "?"


# ------------------------------------------------------------------ report

def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    s = sorted(vals)
    n = len(s)
    med = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    return med, s[0], s[-1]


def fmt_range(st, digits=3):
    if st is None:
        return "–"
    med, lo, hi = st
    f = lambda x: f"{x:.{digits}f}" if x < 100 else f"{x:.1f}"
    return f"{f(med)} [{f(lo)}–{f(hi)}]" if hi > lo else f(med)


def fmt_ratio(v, best):
    if v is None or best is None:
        return "–"
    return f"{v / best:.2f}×"


def probe_cell(rs):
    b = stats([gfv(r.get("probe_before")) for r in rs])
    af = stats([gfv(r.get("probe_after")) for r in rs])
    if b is None or af is None:
        return "–"
    lo = min(b[1], af[1])
    return f"{b[0]:.0f} → {af[0]:.0f} (min {lo:.0f})"


def gfv(p):
    return p.get("gflops_best") if isinstance(p, dict) else None


def render(raw_path):
    metas, runs = [], []
    with open(raw_path) as f:
        for line in f:
            r = json.loads(line)
            (metas if r.get("kind") == "meta" else runs).append(r)
    meta = metas[0] if metas else {}
    m = meta.get("machine", {})
    v = meta.get("versions", {})
    out = []
    out.append(f"Date: {meta.get('date', '?')}  ")
    out.append(f"Command: `{meta.get('command', '?')}`  ")
    out.append(f"CPU: {m.get('cpu_model', '?')}, {m.get('cores', '?')} cores "
               f"({', '.join(m.get('isa', []))}), {m.get('memory', '?')} RAM, "
               f"Linux {m.get('kernel', '?')}, git {m.get('git_head', '?')}  ")
    out.append("Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + "  ")
    out.append(f"Reps per cell: {meta.get('reps', '?')}, run order alternating "
               f"({', '.join(meta.get('impls', []))}) within each rep. Raw: "
               f"`bench/results/raw/{os.path.basename(raw_path)}` (not committed).  ")
    if meta.get("peer_args"):
        out.append(f"**Debug peer arguments `{meta['peer_args']}`: NOT the real workloads.**  ")
    out.append("")
    out.append("Cells: median [min–max] over reps. \"÷ fastest peer\" = this row's median / "
               "the fastest non-Perceptron fp32 median (below 1.00× for Perceptron means it wins; "
               "`_bf16` rows are mixed precision and never the reference). "
               "Probe: numpy 1000×784×512 f32 GEMM GFLOP/s (best of ~0.3 s) before → after "
               "each run, median over reps, with the minimum seen; a low probe marks a run "
               "made while the machine was slow. Peak RSS from `ru_maxrss` inside the process.")
    out.append("")
    order = [i for i in ALL_IMPLS]
    keys = sorted({(r["workload"], r["threads"]) for r in runs if r["kind"] == "run"},
                  key=lambda k: (k[0], k[1]))
    for w, t in keys:
        rs = [r for r in runs if r["kind"] == "run" and r["workload"] == w and r["threads"] == t]
        by = {}
        for r in rs:
            by.setdefault(r["impl"], []).append(r)
        out.append(f"### Workload {w}, {t} thread{'s' if t > 1 else ''}: {WORKLOAD_NAMES.get(w, '')}")
        out.append("")
        impls = [i for i in order if i in by]
        def res_vals(i, key):
            return [(r.get("result") or {}).get(key) for r in by[i]]
        if w == 3:
            med_b = {i: (stats(res_vals(i, "batch_ms")) or (None,))[0] for i in impls}
            med_s = {i: (stats(res_vals(i, "single_us")) or (None,))[0] for i in impls}
            peers_b = [x for i, x in med_b.items() if i not in OURS_IMPLS | BF16_IMPLS and x is not None]
            peers_s = [x for i, x in med_s.items() if i not in OURS_IMPLS | BF16_IMPLS and x is not None]
            bb, bs = (min(peers_b) if peers_b else None), (min(peers_s) if peers_s else None)
            out.append("| impl | 10k batch ms | ÷ fastest peer | 1 image µs | ÷ fastest peer "
                       "| peak RSS MiB | probe GFLOP/s | failed |")
            out.append("|---|---|---|---|---|---|---|---|")
            for i in impls:
                fails = sum(1 for r in by[i] if r.get("result") is None)
                rss = stats(res_vals(i, "peak_rss_mib"))
                out.append(f"| {i} | {fmt_range(stats(res_vals(i, 'batch_ms')), 2)} | "
                           f"{fmt_ratio(med_b[i], bb)} | "
                           f"{fmt_range(stats(res_vals(i, 'single_us')), 1)} | "
                           f"{fmt_ratio(med_s[i], bs)} | "
                           f"{'–' if rss is None else f'{rss[0]:.0f}'} | {probe_cell(by[i])} | "
                           f"{fails or ''} |")
        else:
            med = {i: (stats(res_vals(i, "seconds")) or (None,))[0] for i in impls}
            peers = [x for i, x in med.items() if i not in OURS_IMPLS | BF16_IMPLS and x is not None]
            best = min(peers) if peers else None
            out.append("| impl | seconds | ÷ fastest peer | test accuracy | peak RSS MiB "
                       "| probe GFLOP/s | failed |")
            out.append("|---|---|---|---|---|---|---|")
            for i in impls:
                fails = sum(1 for r in by[i] if r.get("result") is None)
                acc = stats(res_vals(i, "test_accuracy"))
                rss = stats(res_vals(i, "peak_rss_mib"))
                out.append(f"| {i} | {fmt_range(stats(res_vals(i, 'seconds')))} | "
                           f"{fmt_ratio(med[i], best)} | "
                           f"{'–' if acc is None else f'{acc[0]:.4f}'} | "
                           f"{'–' if rss is None else f'{rss[0]:.0f}'} | {probe_cell(by[i])} | "
                           f"{fails or ''} |")
        out.append("")
    cli = [r for r in runs if r["kind"] == "cli"]
    for t in sorted({r["threads"] for r in cli}):
        rs = [r for r in cli if r["threads"] == t]
        by = {}
        for r in rs:
            by.setdefault(r["impl"], []).append(r)
        out.append(f"### Whole process, {t} thread{'s' if t > 1 else ''}: {WORKLOAD_NAMES['cli']}")
        out.append("")
        out.append("| impl | wall seconds | ÷ pytorch_cli | in-process training s | test accuracy "
                   "| max RSS MiB | probe GFLOP/s | failed |")
        out.append("|---|---|---|---|---|---|---|---|")
        ref = stats([r["wall_seconds"] for r in by.get("pytorch_cli", []) if r["rc"] == 0])
        for i in [OURS, "pytorch_cli"]:
            if i not in by:
                continue
            ok = [r for r in by[i] if r["rc"] == 0]
            wall = stats([r["wall_seconds"] for r in ok])
            res = [r.get("result") or {} for r in ok]
            tr = stats([x.get("train_seconds", x.get("seconds")) for x in res])
            acc = stats([x.get("test_accuracy", x.get("accuracy", (x.get("test") or {}).get("accuracy")))
                         for x in res])
            rss = stats([r.get("max_rss_mib") for r in ok])
            out.append(f"| {i} | {fmt_range(wall)} | "
                       f"{fmt_ratio(wall[0] if wall else None, ref[0] if ref else None)} | "
                       f"{fmt_range(tr)} | {'–' if acc is None else f'{acc[0]:.4f}'} | "
                       f"{'–' if rss is None else f'{rss[0]:.0f}'} | {probe_cell(by[i])} | "
                       f"{(len(by[i]) - len(ok)) or ''} |")
        out.append("")
    skipped = [i for i in meta.get("requested", DEFAULT_IMPLS) if i not in meta.get("impls", ALL_IMPLS)]
    if skipped:
        out.append(f"Not run (skipped: not built / not installed): {', '.join(skipped)}.")
        out.append("")
    return "\n".join(out)


def write_reports(raw_path, update_benchmarks):
    body = render(raw_path)
    latest = os.path.join(RESULTS, "latest.md")
    with open(latest, "w") as f:
        f.write("# Training benchmark: Perceptron vs peers\n\n")
        f.write("Generated by `bench/run.sh` (see bench/README.md). Do not edit by hand.\n\n")
        f.write(body + "\n")
    log(f"table -> {latest}")
    if update_benchmarks:
        path = os.path.join(ROOT, "BENCHMARKS.md")
        section = ("## Training benchmark\n\n"
                   "Generated by `bench/run.sh --update-benchmarks` (see bench/README.md).\n\n"
                   + body.rstrip() + "\n")
        text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
        pat = re.compile(r"^## Training benchmark[ \t]*\n.*?(?=^## |\Z)", re.M | re.S)
        if pat.search(text):
            text = pat.sub(lambda _: section + "\n", text, count=1)
        else:
            text = text.rstrip("\n") + "\n\n" + section
        with open(path, "w") as f:
            f.write(text.rstrip("\n") + "\n")
        log(f"section '## Training benchmark' -> {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--workloads", default="1,2,3,4")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--peers", default=",".join(DEFAULT_IMPLS),
                    help="comma list from " + ",".join(ALL_IMPLS))
    ap.add_argument("--no-cli", action="store_true", help="skip the whole-process comparison")
    ap.add_argument("--update-benchmarks", action="store_true",
                    help="replace the '## Training benchmark' section of BENCHMARKS.md")
    ap.add_argument("--scratch-path", default=".build",
                    help="SwiftPM scratch path for the release build (default .build)")
    ap.add_argument("--skip-build", action="store_true",
                    help="use existing binaries under --scratch-path/release")
    ap.add_argument("--data-dir", default=MNIST_DIR)
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per run")
    ap.add_argument("--probe-seconds", type=float, default=0.3)
    ap.add_argument("--peer-args", default="",
                    help="extra arguments for the Python peers (debug, e.g. '--epochs 1 --limit 5000')")
    ap.add_argument("--render", metavar="RAW_JSONL", help="only rebuild the tables from a raw file")
    a = ap.parse_args()
    a.command_line = " ".join(shlex.quote(x) for x in
                              [os.environ.get("BENCH_ARGV0", "bench/run.py")] + sys.argv[1:])
    if a.render:
        write_reports(a.render, a.update_benchmarks)
        return
    raw_path = main_run(a)
    write_reports(raw_path, a.update_benchmarks)


if __name__ == "__main__":
    main()
