#!/usr/bin/env python3
"""Kill `perceptron train -o` with SIGKILL while it writes the model file, N times, and
count torn targets and left-over files.

Each round trains a network big enough that the save takes a measurable time, on top of
a model file saved by the round before, and waits until the process has a file open in
the output folder (the save has begun writing); it then sends SIGKILL after a random delay
drawn uniformly from [0, 1.5 × the time from the file's opening to its rename, measured in a
calibration run], so most kills land while the file is written. After the kill:

  torn    the target exists but does not load (`perceptron summary` fails)
  intact  the target is the previous round's file, byte for byte, or a complete new one
  litter  files in the folder other than the target, right after the kill
  swept   litter left after the next save into the same folder

Usage: bench/killsave.py [--rounds N] [--binary .build/release/perceptron] [--layers 2000,2000]
Linux only (it watches /proc/<pid>/fd). Prints one summary line and a JSON object.
"""
import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time


def open_in(pid, folder):
    """True when process `pid` has a file open in `folder` (named or O_TMPFILE)."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith(folder + "/"):
                return True
    except OSError:
        pass
    return False


def start(binary, folder, layers, output):
    args = [binary, "train", "--dataset", "iris", "--layers", layers, "--epochs", "1", "--test-split", "0",
            "--seed", str(random.randrange(1 << 30)), "-o", output]
    return subprocess.Popen(args, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_save(process, folder, limit=300):
    """Polls until the process opens a file in `folder`; returns that time or None at exit."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        if open_in(process.pid, folder):
            return time.monotonic()
    raise RuntimeError("the save never began")


def digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except FileNotFoundError:
        return None


def loads(binary, folder, name):
    return subprocess.run([binary, "summary", name], cwd=folder, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--binary", default=".build/release/perceptron")
    parser.add_argument("--layers", default="2000,2000")
    options = parser.parse_args()
    binary = os.path.abspath(options.binary)
    folder = os.path.realpath(tempfile.mkdtemp(prefix="killsave-"))
    target = "model.safetensors"
    path = os.path.join(folder, target)
    random.seed(1)

    # Calibration: one uninterrupted save gives the first target and the write's duration.
    # Calibration: the first run makes a target, the next four time its replacement (open →
    # rename); the median is the window (a loaded machine makes single timings noisy).
    windows = []
    for calibration in range(5):
        old_inode = os.stat(path).st_ino if os.path.exists(path) else None
        process = start(binary, folder, options.layers, target)
        began = wait_for_save(process, folder)
        renamed = None
        while renamed is None and began is not None:
            try:
                if os.stat(path).st_ino != old_inode:
                    renamed = time.monotonic()
            except FileNotFoundError:
                pass
            if renamed is None and process.poll() is not None:
                renamed = time.monotonic()
        process.wait()
        if process.returncode != 0 or began is None:
            sys.exit(f"calibration run failed (exit {process.returncode})")
        if calibration > 0:
            windows.append(renamed - began)
    window = sorted(windows)[len(windows) // 2]
    size = os.path.getsize(path)

    torn = intact_old = intact_new = missed = finished = 0
    litter_after_kill = litter_after_next = 0
    litter_bytes = 0
    for _ in range(options.rounds):
        before = digest(path)
        process = start(binary, folder, options.layers, target)
        began = wait_for_save(process, folder)
        if began is None:
            missed += 1  # finished before the poller saw the save
            process.wait()
            continue
        time.sleep(random.uniform(0, 1.5 * window))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        names = [n for n in os.listdir(folder) if n != target]
        if process.returncode != -signal.SIGKILL:
            finished += 1  # it exited before the signal arrived: not counted as a kill
            litter_after_kill += len(names)
            continue
        litter_after_kill += len(names)
        litter_bytes += sum(os.path.getsize(os.path.join(folder, n)) for n in names)
        now = digest(path)
        if now is None or not loads(binary, folder, target):
            torn += 1
        elif now == before:
            intact_old += 1
        else:
            intact_new += 1
        # The next save into the folder (a short run) sweeps what it can prove is orphaned.
        sweep = subprocess.run([binary, "train", "--dataset", "iris", "--layers", "4", "--epochs", "1", "-o", "other.safetensors"],
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if sweep.returncode != 0:
            sys.exit("the sweeping save failed")
        left = [n for n in os.listdir(folder) if n not in (target, "other.safetensors")]
        litter_after_next += len(left)
        for n in left:
            os.remove(os.path.join(folder, n))
        os.remove(os.path.join(folder, "other.safetensors"))

    killed = options.rounds - missed - finished
    result = {"rounds": options.rounds, "killed_during_save": killed, "missed": missed, "finished_first": finished, "file_bytes": size,
              "save_window_s": round(window, 3), "torn": torn, "intact_old": intact_old, "intact_new": intact_new,
              "litter_files_after_kill": litter_after_kill, "litter_bytes_after_kill": litter_bytes,
              "litter_files_after_next_save": litter_after_next}
    print(f"{killed} kills during a {size / 1e6:.1f} MB save ({window * 1000:.0f} ms from open to rename): {torn} torn, "
          f"{intact_old} old file intact, {intact_new} new file complete; litter right after the kills: "
          f"{litter_after_kill} files ({litter_bytes / 1e6:.1f} MB); after the next save: {litter_after_next}")
    print(json.dumps(result))
    subprocess.run(["rm", "-rf", folder])


if __name__ == "__main__":
    main()
