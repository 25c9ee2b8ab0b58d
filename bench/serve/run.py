#!/usr/bin/env python3
"""Load test: `perceptron serve` against Flask + PyTorch eager and FastAPI + uvicorn + onnxruntime.

Normally started through bench/serve/run.sh, which builds the binary, prepares the
virtualenv (.venv-serve) and runs this with its Python.

    bench/serve/run.sh [--duration 30] [--connections 1,16,64] [--servers ours,flask,fastapi]
                       [--workloads titanic,mnist1,mnist32[,mnist1dense,mnist32py]] [--soak 300] [--no-soak] [--soak-only]
                       [--rounds 1] [--quick] [--server-cpus 0] [--client-cpus 1] [--out NAME]

For each server, one after the other on the same port, and each workload and connection
count: a 1 s warm-up, then `wrk -t1 -cC -dDs --latency -s bench/serve/post.lua`, pinned
(taskset) to the client CPUs while the server is pinned to the server CPUs. Then ours once
more with `--max-batch 1` (unbatched) for one-image MNIST (mnist1, and mnist1dense when asked
for) at the highest connection count,
and a soak of ours (two wrk at half the connections each: Titanic rows and MNIST images)
with the server's RSS read before and after. With --rounds N the whole plan (not the soak)
runs N times, the servers' order reversed every other round (ours, flask, fastapi,
unbatched, then unbatched, fastapi, flask, ours, ...), so that a host whose speed drifts over
the run does not always favour one server; every cell is then the median over the rounds,
with its range, and the ratios are those of the medians. Reports requests/s, p50/p99/p99.9 latency
(microseconds, wrk's own histogram), wrk's socket errors and the non-2xx replies (counted
by post.lua; every one is an error).

Writes bench/results/raw/serve/<stamp>.json (every record) and, with --out NAME,
bench/results/NAME.json and NAME.md (the tables). Never part of `swift test` or .ci/run.
"""

import argparse
import datetime
import gzip
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RESULTS = os.path.join(ROOT, "bench", "results")
WORK = os.path.join(RESULTS, "raw", "serve")
LUA = os.path.join(HERE, "post.lua")
PEERS = os.path.join(HERE, "peers")
sys.path.insert(0, os.path.join(ROOT, "bench", "tools"))
from cpu_name import cpu_name  # noqa: E402  (family/model, not "AMD EPYC" alone)

WORKLOADS = {
    "titanic": ("titanic", "Titanic, one named row per request ({\"instances\": [{…}]})"),
    "mnist1": ("mnist", "MNIST 784-512-128-64-10, one image per request ({\"inputs\": [[784 pixels]]})"),
    "mnist1dense": ("mnist", "MNIST 784-512-128-64-10, one image per request with no zero pixel "
                             "(0.01 + 0.99 p/255: the first layer reads every weight row)"),
    "mnist32": ("mnist", "MNIST 784-512-128-64-10, 32 images per request"),
    "mnist32py": ("mnist", "MNIST 784-512-128-64-10, 32 images per request as Python writes them "
                           "(json.dumps of (images / 255.0).tolist(): 17-digit floats, 0.0, \", \" separators)"),
}
SERVERS = {
    "ours": "perceptron serve (dynamic batching, defaults)",
    "ours-unbatched": "perceptron serve --max-batch 1",
    "flask": "Flask + PyTorch eager (gunicorn, 1 worker)",
    "fastapi": "FastAPI + uvicorn + onnxruntime (1 worker)",
}


def log(message):
    print(f"[serve-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ---- models and request bodies --------------------------------------------------------------
def train_models(binary, data_dir, work, mnist_epochs):
    """Trains the two models with `perceptron train` (skipped when already there)."""
    titanic = os.path.join(work, "titanic.safetensors")
    mnist = os.path.join(work, "mnist.safetensors")
    csv = os.path.join(data_dir, "titanic", "train.csv")
    if not os.path.exists(titanic):
        log(f"training the Titanic model from {csv}")
        subprocess.run([binary, "train", "--csv", csv, "--target", "Survived", "-o", titanic],
                       check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(mnist):
        log(f"training the MNIST model ({mnist_epochs} epochs)")
        subprocess.run([binary, "train", "--dataset", "mnist", "--data-dir", os.path.join(data_dir, "mnist"),
                        "--layers", "512,128,64", "--epochs", str(mnist_epochs), "-o", mnist],
                       check=True, stdout=subprocess.DEVNULL)
    return {"titanic": titanic, "mnist": mnist}


def write_bodies(data_dir, titanic_model, work):
    """One JSON body a line: 64 Titanic passengers, 64 single MNIST test images, 16 batches of 32."""
    import numpy as np  # the venv's
    sys.path.insert(0, PEERS)
    from model_file import ModelFile

    used = [c["name"] for c in ModelFile(titanic_model).columns]
    import csv
    with open(os.path.join(data_dir, "titanic", "train.csv"), newline="") as f:
        rows = list(csv.DictReader(f))[-64:]

    def value(column, text):
        if text.strip() == "":
            return None
        try:
            number = float(text)
            return int(number) if number.is_integer() and column != "Fare" else number
        except ValueError:
            return text

    bodies = {"titanic": [json.dumps({"instances": [{c: value(c, row[c]) for c in used}]}) for row in rows]}
    with gzip.open(os.path.join(data_dir, "mnist", "t10k-images-idx3-ubyte.gz"), "rb") as f:
        raw = f.read()
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784)[:64 + 16 * 32]

    def pixels(image):
        return "[" + ",".join("0" if p == 0 else f"{p / 255:.6g}" for p in image.tolist()) + "]"

    batches = [images[64 + 32 * k: 96 + 32 * k] for k in range(16)]
    bodies["mnist1"] = ['{"inputs": [' + pixels(image) + "]}" for image in images[:64]]
    # The same images with no zero pixel: what batching is worth when a one-row pass reads all
    # of the first layer's weights (a model whose inputs are not sparse).
    bodies["mnist1dense"] = ['{"inputs": [[' + ",".join(f"{0.01 + 0.99 * p / 255:.6g}" for p in image.tolist()) + "]]}"
                             for image in images[:64]]
    bodies["mnist32"] = ['{"inputs": [' + ",".join(pixels(image) for image in batch) + "]}" for batch in batches]
    # What a Python client sends when it serializes a float array itself: shortest round-trip
    # reprs (0.32941176470588235), 0.0 for the background, json.dumps' default separators.
    bodies["mnist32py"] = [json.dumps({"inputs": (batch / 255.0).tolist()}) for batch in batches]
    paths = {}
    for name, lines in bodies.items():
        paths[name] = os.path.join(work, f"{name}.jsonl")
        with open(paths[name], "w") as f:
            f.write("\n".join(lines) + "\n")
    return paths


# ---- servers --------------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(kind, binary, models, port, venv_bin):
    specs = [f"{name}={path}" for name, path in models.items()]
    if kind in ("ours", "ours-unbatched"):
        command = [binary, "serve", "--host", "127.0.0.1", "--port", str(port)]
        for spec in specs:
            command += ["--model", spec]
        if kind == "ours-unbatched":
            command += ["--max-batch", "1"]
        return command, {}
    if kind == "flask":
        app = "flask_torch:create_app(" + ",".join(repr(s) for s in specs) + ")"
        return [os.path.join(venv_bin, "gunicorn"), "--chdir", PEERS, "--bind", f"127.0.0.1:{port}",
                "--workers", "1", "--threads", "8", "--worker-class", "gthread", "--backlog", "2048",
                "--log-level", "warning", app], {}
    if kind == "fastapi":
        return [os.path.join(venv_bin, "uvicorn"), "--app-dir", PEERS, "fastapi_onnx:app", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--loop", "uvloop", "--http", "httptools",
                "--no-access-log", "--log-level", "warning", "--backlog", "2048"], {"PEER_MODELS": ",".join(specs)}
    raise ValueError(kind)


class Server:
    def __init__(self, kind, binary, models, cpus, venv_bin):
        self.kind = kind
        self.port = free_port()
        command, extra = server_command(kind, binary, models, self.port, venv_bin)
        env = dict(os.environ, **extra)
        # One intra-op thread for the Python peers' math libraries (they get the same CPUs as ours).
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")
        self.log_path = os.path.join(WORK, f"server-{kind}.log")
        self.log_file = open(self.log_path, "w")
        log(f"starting {kind}: taskset -c {cpus} {' '.join(command)}")
        self.process = subprocess.Popen(["taskset", "-c", cpus] + command, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.wait_ready()

    @property
    def url_base(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.kind} exited ({self.process.returncode}); see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.kind} was not ready in {timeout} s; see {self.log_path}")

    def rss_kib(self):
        """Resident set size of the server and its children (gunicorn's worker), KiB."""
        total = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total

    def pids(self):
        pids, frontier = [self.process.pid], [self.process.pid]
        while frontier:
            pid = frontier.pop()
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    children = [int(c) for c in f.read().split()]
            except OSError:
                children = []
            pids += children
            frontier += children
        return pids

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()
        return self.process.returncode


# ---- the same answers ----------------------------------------------------------------------
def sample_replies(server, bodies, workloads, count=8):
    """Each workload's first `count` bodies POSTed once: the replies' probability rows."""
    import urllib.request
    out = {}
    for workload in workloads:
        with open(bodies[workload]) as f:
            lines = [line for line in f.read().splitlines() if line][:count]
        rows = []
        for line in lines:
            request = urllib.request.Request(f"{server.url_base}/v1/models/{WORKLOADS[workload][0]}:predict",
                                             data=line.encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as reply:
                for p in json.load(reply)["predictions"]:
                    rows.append((p["class"], p["probabilities"]))
        out[workload] = rows
    return out


def agreement(samples):
    """Per server, against the first one measured: classes that differ, largest |Δ probability|."""
    if not samples:
        return {}
    reference_kind = next(iter(samples))
    reference = samples[reference_kind]
    result = {}
    for kind, replies in samples.items():
        if kind == reference_kind:
            continue
        for workload, rows in replies.items():
            ref = reference.get(workload, [])
            differ = sum(1 for (a, _), (b, _) in zip(rows, ref) if a != b)
            delta = max((abs(p[k] - q[k]) for (_, p), (_, q) in zip(rows, ref) for k in q), default=0.0)
            result[f"{kind} vs {reference_kind}, {workload}"] = {"rows": min(len(rows), len(ref)),
                                                                "classes_differ": differ, "max_abs_dp": delta}
    return result


# ---- wrk ------------------------------------------------------------------------------------
def wrk(url, bodies, connections, seconds, cpus):
    command = ["taskset", "-c", cpus, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s", "-s", LUA, url, "--", bodies]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wrk_result(process):
    out, err = process.communicate()
    match = re.search(r"^WRKJSON (\{.*\})$", out, re.M)
    if process.returncode != 0 or not match:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{out}\n{err}")
    result = json.loads(match.group(1))
    result["errors"] = (result["non2xx"] + result["connect_errors"] + result["read_errors"]
                        + result["write_errors"] + result["timeouts"])
    if err.strip():
        result["stderr"] = err.strip()[:500]
    return result


def measure(server, workload, connections, seconds, bodies, cpus, warmup):
    model = WORKLOADS[workload][0]
    url = f"{server.url_base}/v1/models/{model}:predict"
    if warmup > 0:
        wrk_result(wrk(url, bodies[workload], connections, warmup, cpus))
    result = wrk_result(wrk(url, bodies[workload], connections, seconds, cpus))
    result.update(server=server.kind, workload=workload, connections=connections, duration_s=seconds,
                  rss_kib=server.rss_kib(), load=load_average(), time=time.strftime("%H:%M:%S"))
    log(f"{server.kind:15} {workload:8} c={connections:<3} {result['rps']:>9.0f} req/s  p50 {result['p50_us']} µs"
        f"  p99 {result['p99_us']} µs  p99.9 {result['p999_us']} µs  errors {result['errors']}  load {result['load']}")
    return result


def soak(server, seconds, connections, bodies, cpus):
    """Titanic rows and MNIST images at once (two wrk, half the connections each)."""
    before = server.rss_kib()
    log(f"soak of {server.kind}: {seconds} s, {connections} connections, RSS before {before} KiB")
    half = max(1, connections // 2)
    runs = [(w, wrk(f"{server.url_base}/v1/models/{WORKLOADS[w][0]}:predict", bodies[w], half, seconds, cpus))
            for w in ("titanic", "mnist1")]
    results = {w: wrk_result(p) for w, p in runs}
    after = server.rss_kib()
    growth = (after - before) / before if before else float("nan")
    log(f"soak: RSS after {after} KiB ({growth * 100:+.2f} %); errors "
        + ", ".join(f"{w} {r['errors']}" for w, r in results.items()))
    return {"server": server.kind, "seconds": seconds, "connections": connections, "rss_before_kib": before,
            "rss_after_kib": after, "growth": growth, "runs": results, "load": load_average()}


# ---- report ---------------------------------------------------------------------------------
def markdown(report):
    lines = [f"# Serving load test ({report['date']})", "",
             f"CPU: {report['cpu']} ({report['cores']} vCPU). Server pinned to CPU {report['server_cpus']}, "
             f"wrk (1 thread) to CPU {report['client_cpus']}; loopback; {report['duration_s']} s per point after "
             f"a {report['warmup_s']} s warm-up. Load average at the start: {report['load_start']}, at the end: "
             f"{report['load_end']}.", "", f"Command: `{report['command']}`", ""]
    if report.get("rounds", 1) > 1:
        lines += [f"Rounds: {report['rounds']}, the servers' order reversed every other round; each cell is the median "
                  "over the rounds (requests/s with its range), the ratios those of the medians.", ""]
    for workload in report["workloads"]:
        lines += [f"## {WORKLOADS[workload][1]}", "",
                  "| server | connections | requests/s | p50 ms | p99 ms | p99.9 ms | errors | RSS MiB |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in cells(report["points"]):
            if r["workload"] != workload:
                continue
            spread = f" [{r['rps_min']:.0f}–{r['rps_max']:.0f}]" if r["rounds"] > 1 else ""
            lines.append(f"| {r['server']} | {r['connections']} | {r['rps']:.0f}{spread} | {r['p50_us'] / 1000:.2f} | "
                         f"{r['p99_us'] / 1000:.2f} | {r['p999_us'] / 1000:.2f} | {r['errors']} | "
                         f"{r['rss_kib'] / 1024:.1f} |")
        lines.append("")
    ratios = report.get("ratios")
    if ratios:
        lines += ["## Ratios at the highest connection count (requests/s)", "",
                  "| workload | ours / Flask | ours / FastAPI+onnxruntime | ours batched / unbatched |",
                  "|---|---|---|---|"]
        for workload, r in ratios.items():
            cell = lambda v: "–" if v is None else f"{v:.2f}×"
            lines.append(f"| {workload} | {cell(r.get('flask'))} | {cell(r.get('fastapi'))} | "
                         f"{cell(r.get('ours-unbatched'))} |")
        lines.append("")
    if report.get("agreement"):
        lines += ["## Same answers", "", "The first 8 bodies of each workload, POSTed once to each server before its "
                  "load (classes that differ; largest difference of a class probability):", ""]
        for key, value in report["agreement"].items():
            lines.append(f"- {key}: {value['rows']} rows, {value['classes_differ']} classes differ, "
                         f"max |Δp| {value['max_abs_dp']:.2g}")
        lines.append("")
    if report.get("soak"):
        s = report["soak"]
        lines += ["## Soak", "",
                  f"{s['server']}: {s['seconds']} s, {s['connections']} connections (Titanic and MNIST at once): "
                  f"RSS {s['rss_before_kib'] / 1024:.1f} MiB before, {s['rss_after_kib'] / 1024:.1f} MiB after "
                  f"({s['growth'] * 100:+.2f} %); errors: "
                  + ", ".join(f"{w} {r['errors']} of {r['requests']}" for w, r in s["runs"].items())
                  + f"; load average at the end {s['load']}.", ""]
    return "\n".join(lines)


def cells(points):
    """One record per (server, workload, connections): the medians over the rounds (errors
    summed, RSS the largest), in the order the points were first measured."""
    groups = {}
    for p in points:
        groups.setdefault((p["server"], p["workload"], p["connections"]), []).append(p)
    out = []
    for (server, workload, connections), records in groups.items():
        median = lambda key: statistics.median(r[key] for r in records)
        out.append({"server": server, "workload": workload, "connections": connections, "rounds": len(records),
                    "rps": median("rps"), "rps_min": min(r["rps"] for r in records),
                    "rps_max": max(r["rps"] for r in records), "p50_us": median("p50_us"), "p99_us": median("p99_us"),
                    "p999_us": median("p999_us"), "errors": sum(r["errors"] for r in records),
                    "rss_kib": max(r["rss_kib"] for r in records)})
    return out


def ratios(points, top):
    out = {}
    points = cells(points)
    for workload in {p["workload"] for p in points}:
        at = {p["server"]: p["rps"] for p in points if p["workload"] == workload and p["connections"] == top}
        if "ours" not in at:
            continue
        out[workload] = {k: at["ours"] / v for k, v in at.items() if k != "ours" and v > 0}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--connections", default="1,16,64")
    parser.add_argument("--servers", default="ours,flask,fastapi")
    parser.add_argument("--workloads", default="titanic,mnist1,mnist32")
    parser.add_argument("--soak", type=int, default=300, help="seconds (0: none)")
    parser.add_argument("--soak-only", action="store_true")
    parser.add_argument("--mnist-epochs", type=int, default=3)
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--client-cpus", default="1")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the plan N times, the servers' order reversed every other round; cells are medians")
    parser.add_argument("--out", help="write bench/results/OUT.json and OUT.md")
    parser.add_argument("--command", default=" ".join(sys.argv))
    args = parser.parse_args()

    os.makedirs(WORK, exist_ok=True)
    shutil.which("wrk") or sys.exit("wrk is not installed (apt-get install wrk)")
    venv_bin = os.path.dirname(sys.executable)
    connections = [int(c) for c in args.connections.split(",")]
    servers = [s for s in args.servers.split(",") if s]
    workloads = [w for w in args.workloads.split(",") if w]
    models = train_models(args.binary, args.data_dir, WORK, args.mnist_epochs)
    bodies = write_bodies(args.data_dir, models["titanic"], WORK)

    report = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "cpu": cpu_name(), "cores": os.cpu_count(), "server_cpus": args.server_cpus,
              "client_cpus": args.client_cpus, "duration_s": args.duration, "warmup_s": args.warmup,
              "load_start": load_average(), "command": args.command, "workloads": workloads, "rounds": args.rounds,
              "servers": {s: SERVERS[s] for s in servers}, "points": [], "soak": None}
    top = max(connections)
    one = [] if args.soak_only else [(s, w, c) for s in servers for w in workloads for c in connections]
    for workload in ("mnist1", "mnist1dense"):
        if not args.soak_only and "ours" in servers and workload in workloads:
            one.append(("ours-unbatched", workload, top))
    kinds = list(dict.fromkeys(k for k, _, _ in one))
    plan = []
    for round_index in range(max(1, args.rounds)):
        order = kinds if round_index % 2 == 0 else kinds[::-1]
        plan += [(k, w, c, round_index + 1) for kind in order for k, w, c in one if k == kind]
    current = None
    samples = {}
    try:
        for kind, workload, c, round_number in plan:
            if current is None or current.kind != kind:
                if current is not None:
                    log(f"{current.kind} exited {current.stop()} after SIGTERM")
                current = Server(kind, args.binary, models, args.server_cpus, venv_bin)
                report.setdefault("rss_idle_kib", {})[kind] = current.rss_kib()
                samples[kind] = sample_replies(current, bodies, workloads)
            point = measure(current, workload, c, args.duration, bodies, args.client_cpus, args.warmup)
            point["round"] = round_number
            report["points"].append(point)
        if args.soak > 0 and "ours" in servers:
            if current is None or current.kind != "ours":
                if current is not None:
                    current.stop()
                current = Server("ours", args.binary, models, args.server_cpus, venv_bin)
                # Warm first, so that "before" is the RSS of a server that has served.
                measure(current, "titanic", top, max(args.warmup, 2), bodies, args.client_cpus, 0)
                measure(current, "mnist1", top, max(args.warmup, 2), bodies, args.client_cpus, 0)
            report["soak"] = soak(current, args.soak, top, bodies, args.client_cpus)
    finally:
        if current is not None:
            code = current.stop()
            log(f"{current.kind} exited {code} after SIGTERM")
    report["load_end"] = load_average()
    report["ratios"] = ratios(report["points"], top)
    report["agreement"] = agreement(samples)
    for key, value in report["agreement"].items():
        log(f"same answers? {key}: {value}")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    raw = os.path.join(WORK, f"{stamp}.json")
    with open(raw, "w") as f:
        json.dump(report, f, indent=1)
    text = markdown(report)
    print(text)
    if args.out:
        with open(os.path.join(RESULTS, f"{args.out}.json"), "w") as f:
            json.dump(report, f, indent=1)
        with open(os.path.join(RESULTS, f"{args.out}.md"), "w") as f:
            f.write(text + "\n")
        log(f"wrote bench/results/{args.out}.json and .md")
    log(f"raw records: {os.path.relpath(raw, ROOT)}")


if __name__ == "__main__":
    main()
