"""Summarizes bench/quantization/run.sh's records: medians over the alternating timing runs,
accuracy changes, size ratios and the issue-11 goals; writes them (and every raw record) as
JSON and the table as Markdown (also printed).  usage: render.py RAW.jsonl OUT.json OUT.md

Timings are absent (shown as "–") when only the prepare stage has run."""
import json
import statistics
import sys

records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
info = {k: v for r in records for k, v in r.items() if k in ("uptime_before", "uptime_after", "cpu", "cpus", "threads")}
ours = next(r for r in records if r.get("mode") == "prepare" and "impl" not in r)
torch_prep = next((r for r in records if r.get("mode") == "prepare" and r.get("impl") == "pytorch"), None)
ours_time = [r for r in records if r.get("mode") == "time" and "impl" not in r]
torch_time = [r for r in records if r.get("mode") == "time" and r.get("impl") == "pytorch"]


def med(rows, key):
    values = [r[key] for r in rows if key in r]
    return statistics.median(values) if values else None


rows = []
for label, prep, timed, name, size_key in [
        ("Perceptron float32", ours, ours_time, "mnist-float", "mnist-float_bytes"),
        ("Perceptron int8 (dynamic)", ours, ours_time, "mnist-int8", "mnist-int8_bytes"),
        ("Perceptron int8 (static, calibrated)", ours, ours_time, "mnist-int8-static", "mnist-int8-static_bytes"),
        ("PyTorch float32", torch_prep, torch_time, "mnist-float", "mnist-float_state_dict_bytes"),
        ("PyTorch quantize_dynamic int8", torch_prep, torch_time, "mnist-int8", "mnist-int8_state_dict_bytes")]:
    if prep is None:
        continue
    titanic = name.replace("mnist", "titanic")
    rows.append({"model": label, "mnist_accuracy": prep.get(f"{name}_accuracy"), "titanic_accuracy": prep.get(f"{titanic}_accuracy"),
                 "bytes": prep.get(size_key), "batch_ms": med(timed, f"{name}_batch_ms"), "single_us": med(timed, f"{name}_single_us")})
by = {r["model"]: r for r in rows}
summary = {"info": info, "rows": rows, "records": records}
json.dump(summary, open(sys.argv[2], "w"), indent=1)

base = rows[0]
lines = [f"CPU: {info.get('cpu')} ({info.get('cpus')} vCPUs), threads {info.get('threads')}; "
         f"MNIST 784-512-128-64-10 trained {ours.get('mnist_epochs')} epochs, Titanic 7-15-1 (seed 001's network).", ""]
if ours_time:
    lines += [f"`uptime` before the timing: {info.get('uptime_before')}", f"`uptime` after: {info.get('uptime_after')}", ""]
else:
    lines += ["Timings: not measured in this run (prepare stage only).", ""]
lines += ["| model | MNIST accuracy (change) | Titanic accuracy (change) | file bytes (float ÷ this) | "
          "10,000 images, ms (our float ÷ this) | one image, µs |", "|---|---|---|---|---|---|"]
for r in rows:
    ref = base if r["model"].startswith("Perceptron") else by.get("PyTorch float32", base)

    def acc(key):
        if r[key] is None:
            return "–"
        return f"{100 * r[key]:.2f} % ({100 * (r[key] - ref[key]):+.2f})"
    size = f"{r['bytes']:,} ({base['bytes'] / r['bytes']:.2f}×)" if r["bytes"] else "–"
    speed = f"{r['batch_ms']:.1f} ({base['batch_ms'] / r['batch_ms']:.2f}×)" if r["batch_ms"] and base["batch_ms"] else "–"
    single = f"{r['single_us']:.1f}" if r["single_us"] else "–"
    lines.append(f"| {r['model']} | {acc('mnist_accuracy')} | {acc('titanic_accuracy')} | {size} | {speed} | {single} |")


def verdict(ok):
    return "met" if ok else "NOT met"


lines += ["", "Goals (issue 11), for each of our int8 forms:"]
torch_q = by.get("PyTorch quantize_dynamic int8")
for r in rows[1:3]:
    drop_m = round(100 * (base["mnist_accuracy"] - r["mnist_accuracy"]), 6)
    drop_t = round(100 * (base["titanic_accuracy"] - r["titanic_accuracy"]), 6)
    ratio = base["bytes"] / r["bytes"]
    goals = [f"MNIST drop {drop_m:.2f} points ≤ 0.3: {verdict(drop_m <= 0.3)}",
             f"Titanic drop {drop_t:.2f} points ≤ 1: {verdict(drop_t <= 1)}",
             f"file {ratio:.2f}× smaller ≥ 3.5×: {verdict(ratio >= 3.5)}"]
    if r["batch_ms"] and base["batch_ms"]:
        speedup = base["batch_ms"] / r["batch_ms"]
        goals.append(f"10,000 images {speedup:.2f}× our float ≥ 2×: {verdict(speedup >= 2)}")
        if torch_q and torch_q["batch_ms"]:
            goals.append(f"vs PyTorch int8 {torch_q['batch_ms'] / r['batch_ms']:.2f}× (faster: {verdict(r['batch_ms'] < torch_q['batch_ms'])})")
    else:
        goals.append("speed: not measured")
    lines.append(f"- {r['model']}: " + "; ".join(goals))
text = "\n".join(lines) + "\n"
open(sys.argv[3], "w").write(text)
print(text)
