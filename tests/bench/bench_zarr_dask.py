#!/usr/bin/env python3
"""The peer side of the zarr read benchmark: dask.array.from_zarr(...)[...].compute().

Usage: bench_zarr_dask.py IMAGE.ome.zarr RUNS
Reads the region c 0..3, y and x 4096..8191 of level 0 (the same one bench_zarr_read reads)
once to warm the OS cache, then RUNS times, timed. Prints one line:
"dask MBPS MEDIAN_SECONDS threads=N SUM" with MB = 10^6 bytes, the median over the runs, and
the sum of all values read (compared with Tessera's). dask's threaded scheduler runs at its
default, one worker per core; bench_zarr_read.sh gives Tessera the same count.
"""
import os
import statistics
import sys
import time

import dask
import dask.array as da

path, runs = sys.argv[1], int(sys.argv[2])
arr = da.from_zarr(os.path.join(path, "0"))
region = arr[:, 4096:8192, 4096:8192]
region.compute()
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    out = region.compute()
    times.append(time.perf_counter() - t0)
med = statistics.median(times)
print(f"dask {out.nbytes / med / 1e6:.1f} {med:.4f} threads={dask.system.CPU_COUNT} "
      f"{int(out.sum(dtype='uint64'))}")
