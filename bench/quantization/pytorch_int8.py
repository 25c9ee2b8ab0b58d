"""PyTorch peer for bench/quantization/run.sh: the same float weights Perceptron trained
(mnist-float.safetensors, titanic-float.safetensors in OUT), as nn.Sequential of Linear and
ReLU, and `torch.ao.quantization.quantize_dynamic` of it (its defaults: qint8 weights with one
per-tensor scale, activations u8 per batch, the x86/fbgemm engine).

usage: pytorch_int8.py prepare|time DATA_DIR OUT [--threads T] [--reps N]
  prepare: test accuracy of float and int8 (MNIST 10,000 test images; Titanic test rows from
           OUT/titanic-test.csv) and the float and int8 state_dicts' sizes as torch.save writes them
  time:    10,000 images in one batch and one image at a time (median ms / µs), float and
           int8 interleaved as in the Swift benchmark
One JSON line on stdout.
"""
import gzip
import io
import json
import os
import struct
import sys
import time

threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
os.environ["OMP_NUM_THREADS"] = str(threads)
import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(threads)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    buffer = data[8 + n:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{name}: {entry['dtype']}"
        b, e = entry["data_offsets"]
        tensors[name] = np.frombuffer(buffer[b:e], dtype="<f4").reshape(entry["shape"])
    return tensors


def network(path, output):
    """Perceptron's W is in × out; Linear.weight is its transpose."""
    t = read_safetensors(path)
    count = len([k for k in t if k.endswith(".weight")])
    layers = []
    for i in range(count):
        w = t[f"layers.{i}.weight"]
        linear = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.copy_(torch.from_numpy(t[f"layers.{i}.bias"].copy()))
        layers.append(linear)
        layers.append(torch.nn.ReLU() if i < count - 1 else output)
    return torch.nn.Sequential(*layers).eval()


def mnist_test(folder):
    with gzip.open(os.path.join(folder, "t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
    with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(images), labels


def main():
    mode, data_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
    x, labels = mnist_test(data_dir)
    mnist = network(os.path.join(out, "mnist-float.safetensors"), torch.nn.Softmax(dim=1))
    mnist_q = torch.ao.quantization.quantize_dynamic(mnist, {torch.nn.Linear}, dtype=torch.qint8)
    record = {"impl": "pytorch", "mode": mode, "threads": threads, "torch": torch.__version__,
              "engine": torch.backends.quantized.engine}
    with torch.inference_mode():
        if mode == "prepare":
            for name, m in (("mnist-float", mnist), ("mnist-int8", mnist_q)):
                record[f"{name}_accuracy"] = float((m(x).argmax(1).numpy() == labels).mean())
            for name, m in (("mnist-float", mnist), ("mnist-int8", mnist_q)):
                buffer = io.BytesIO()
                torch.save(m.state_dict(), buffer)
                record[f"{name}_state_dict_bytes"] = buffer.getbuffer().nbytes
            rows = np.loadtxt(os.path.join(out, "titanic-test.csv"), delimiter=",", skiprows=1, dtype=np.float32)
            tx, ty = torch.from_numpy(rows[:, :7].copy()), rows[:, 7].astype(np.int64)
            titanic = network(os.path.join(out, "titanic-float.safetensors"), torch.nn.Sigmoid())
            titanic_q = torch.ao.quantization.quantize_dynamic(titanic, {torch.nn.Linear}, dtype=torch.qint8)
            for name, m in (("titanic-float", titanic), ("titanic-int8", titanic_q)):
                record[f"{name}_accuracy"] = float(((m(tx)[:, 0] >= 0.5).numpy().astype(np.int64) == ty).mean())
        else:
            reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
            models = (("mnist-float", mnist), ("mnist-int8", mnist_q))
            for _, m in models:
                m(x)
                for _ in range(50):
                    m(x[:1])
            batch = {n: [] for n, _ in models}
            single = {n: [] for n, _ in models}
            for _ in range(reps):
                for n, m in models:
                    start = time.perf_counter()
                    m(x)
                    batch[n].append(time.perf_counter() - start)
                for n, m in models:
                    for i in range(100):
                        row = x[i:i + 1]
                        start = time.perf_counter()
                        m(row)
                        single[n].append(time.perf_counter() - start)
            record["reps"] = reps
            for n, _ in models:
                record[f"{n}_batch_ms"] = float(np.median(batch[n]) * 1e3)
                record[f"{n}_batch_ms_all"] = [round(v * 1e3, 2) for v in batch[n]]
                record[f"{n}_single_us"] = float(np.median(single[n]) * 1e6)
    print(json.dumps(record, sort_keys=True))


if __name__ == "__main__":
    main()
