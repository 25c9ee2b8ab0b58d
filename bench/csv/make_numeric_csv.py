"""Writes the CSV-loading benchmark file: ROWS rows x 10 numeric columns (9 features,
normal(0, 1) with 7 decimals, and a 0/1 target `y`), about 100 bytes a row, as in issue 8
(2 M rows, 200 MB). Seeded, so every run reads the same bytes.

    python3 make_numeric_csv.py OUT.csv [ROWS]
"""
import random
import sys

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
rng = random.Random(8)
with open(out, "w", newline="") as f:
    f.write(",".join([f"x{i}" for i in range(9)] + ["y"]) + "\n")
    chunk = []
    for r in range(rows):
        xs = [rng.gauss(0.0, 1.0) for _ in range(9)]
        chunk.append(",".join(f"{x:.7f}" for x in xs) + ("," + ("1" if xs[0] + xs[1] > 0 else "0")) + "\n")
        if len(chunk) == 10_000:
            f.write("".join(chunk))
            chunk = []
    f.write("".join(chunk))
