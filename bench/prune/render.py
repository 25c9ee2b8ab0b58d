"""Writes bench/prune/run.sh's table: RESULTS.jsonl (PerceptronPruneBenchmark's records,
with or without timings) and gzip sizes become OUT.jsonl (the records, each with its gzip
size) and OUT.md (the table).

usage: render.py RESULTS.jsonl GZIP.txt SETTINGS.json OUT --threads T --cpu NAME --cpus N
                 --uptime-before TEXT --uptime-after TEXT
"""
import argparse
import json

parser = argparse.ArgumentParser()
parser.add_argument("results")
parser.add_argument("gzip")
parser.add_argument("settings")
parser.add_argument("out")
for name in ("--threads", "--cpu", "--cpus", "--uptime-before", "--uptime-after"):
    parser.add_argument(name, default="")
args = parser.parse_args()
settings = json.load(open(args.settings))

gz = dict(line.split() for line in open(args.gzip) if line.strip())
rows = [json.loads(line) for line in open(args.results) if line.strip()]
timed = all("predict_10000_ms" in r for r in rows)
with open(args.out + ".jsonl", "w") as f:
    for r in rows:
        r["gzip_bytes"] = int(gz[r["model"]])
        f.write(json.dumps(r, sort_keys=True) + "\n")


def label(name):
    name = name.replace(".safetensors", "")
    if name == "dense":
        return f"dense (not pruned), {settings['epochs']} epochs", "–", "–"
    if name.startswith("dense-ft"):
        return f"dense (not pruned), {settings['epochs']} + {name[8:]} epochs", "–", name[8:]
    method, sparsity, ft = name.split("-")
    epochs = ft[2:]
    how = {"global": "global magnitude", "neurons": "global magnitude + neuron removal",
           "units": "unit-wise (structured), units removed per hidden layer"}[method]
    return how, f"{100 * float(sparsity):.0f} %", epochs


def removed(r):
    if "nonzero_weights" not in r or "weights" not in dense:
        return "–"
    return f"{100 * (1 - r['nonzero_weights'] / dense['weights']):.1f} %"


def peer(r):
    """The dense model trained as many epochs in all: dense for one-shot, dense-ftF for F fine-tuning epochs."""
    name = r["model"].replace(".safetensors", "")
    ft = name.split("-")[-1] if "-" in name else "ft0"
    return by_name.get("dense-" + ft, by_name["dense"]) if ft != "ft0" else by_name["dense"]


dense = rows[0]
by_name = {r["model"].replace(".safetensors", ""): r for r in rows}
out = ["# Pruning on MNIST", "",
       f"`bench/prune/run.sh` (issue 11), `PerceptronPruneBenchmark` (release build). Dense model: 784-256-128-10, ReLU, "
       f"softmax, sparse categorical cross-entropy, Adam 0.001, batch 200, {settings['epochs']} epochs, seed 1 (the defaults of "
       f"`perceptron train --dataset mnist --layers 256,128`). Each pruned model starts from that saved file and is pruned "
       f"with the library calls `perceptron prune --method global|neurons --sparsity S --fine-tune-epochs F` makes: one "
       f"threshold over all Dense weights; F epochs of fine-tuning on the 60,000 training images while the sparsity rises "
       f"on Zhu & Gupta's schedule with the masks held; for neurons, then every hidden unit dead on the training images "
       f"or with all outgoing weights pruned removed. Accuracy on the 10,000 test images.",
       "A pruned file stores its weights dense, so only neuron removal makes it smaller; gzip -9 shows what the zeros "
       "are worth to a compressor. unit-wise: each hidden layer loses the fraction S of its units with the smallest "
       "‖outgoing‖·‖incoming‖ weight norm (`perceptron prune --method units`), then F epochs of fine-tuning of the narrower "
       "network; its zero-weights column is 0 and its parameters column shows what went.",
       f"Accuracy change: against the dense model trained as many epochs in all, so fine-tuning's extra epochs are not "
       f"counted as pruning's gain: one-shot rows against the {settings['epochs']}-epoch dense model, rows with F "
       f"fine-tuning epochs against the dense model trained F epochs more the same way (dense-ftF, no pruning).",
       "Curves: [pruning-mnist.svg](pruning-mnist.svg), and the fine-tuned models alone [pruning-mnist-fine-tuned.svg]"
       "(pruning-mnist-fine-tuned.svg) (`PerceptronPruneBenchmark plot`, the library's LineFigure).", ""]
if timed:
    out += [f"Time: `Predictor.outputs` on all 10,000 test images in one call, {args.threads} thread(s), median of "
            f"{rows[0]['reps']} interleaved rounds, and its ratio to the dense model in the same run. CPU: {args.cpu} "
            f"({args.cpus} vCPUs, shared machine).", f"`uptime` before: {args.uptime_before.strip()}; after: "
            f"{args.uptime_after.strip()}.", ""]
else:
    out += ["Timings: not measured in this run (`--stage prepare`); accuracy and sizes do not depend on the machine's load.", ""]
header = "| pruning | target sparsity | fine-tuning epochs | widths | zero weights | Dense weights zero or removed (of the dense model's; the curve's x) | parameters | test accuracy (change vs dense, same epochs) | file bytes | gzip -9 bytes |"
rule = "|---|---|---|---|---|---|---|---|---|---|"
if timed:
    header += " 10,000 images, ms (speed-up over dense) |"
    rule += "---|"
out += [header, rule]
for r in rows:
    how, sparsity, epochs = label(r["model"])
    line = (f"| {how} | {sparsity} | {epochs} | {r['dense_widths']} | {100 * r['weight_sparsity']:.1f} % | "
            f"{removed(r)} | {r['parameters']:,} | {100 * r['accuracy']:.2f} % ({100 * (r['accuracy'] - peer(r)['accuracy']):+.2f}) | "
            f"{r['bytes']:,} | {r['gzip_bytes']:,} |")
    if timed:
        line += f" {r['predict_10000_ms']:.1f} ({1 / r['ratio_to_first']:.2f}×) |"
    out.append(line)
open(args.out + ".md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
