"""Loads one CSV file with a peer library and prints one JSON line, as perceptron-csv-bench
does: the wall and CPU seconds of the read call alone (imports excluded), rows and columns.

    python peer_read.py pandas|polars FILE
"""
import json
import os
import sys
import time

library, path = sys.argv[1], sys.argv[2]
if library == "pandas":
    import pandas

    start, cpu_start = time.perf_counter(), time.process_time()
    frame = pandas.read_csv(path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rows, columns = frame.shape
    version = pandas.__version__
elif library == "polars":
    import polars

    start, cpu_start = time.perf_counter(), time.process_time()
    frame = polars.read_csv(path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rows, columns = frame.shape
    version = polars.__version__
else:
    sys.exit(f"unknown library {library}")
print(json.dumps({"reader": f"{library} {version}", "seconds": seconds, "cpu_seconds": cpu, "rows": rows, "columns": columns,
                  "bytes": os.path.getsize(path)}))
