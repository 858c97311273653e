#!/usr/bin/python3
"""Label-centroid benchmark helper (bench_label_centroids). Usage:
  bench_label_centroids.py gen OUT.zarr SIZE CELL   writes a SIZE x SIZE uint32 NGFF label image
      (one level, 1024² chunks, blosc) tiled with CELL x CELL regions numbered 1.. in row order
  bench_label_centroids.py peer OUT.zarr REPS       times zarr read + scipy.ndimage.center_of_mass
      over every label (the usual Python route), prints the median seconds and the label count"""
import sys, time

import numpy as np
import zarr

if sys.argv[1] == "gen":
    out, size, cell = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    per = size // cell
    ids = (np.arange(size) // cell)
    lab = (ids[:, None] * per + ids[None, :] + 1).astype(np.uint32)
    lab[(np.arange(size) % cell == 0)[:, None] | (np.arange(size) % cell == 0)[None, :]] = 0
    root = zarr.open_group(out, mode="w")
    root.create_dataset("0", data=lab, chunks=(1024, 1024))
    root.attrs["multiscales"] = [{"version": "0.4", "axes": [
        {"name": "y", "type": "space"}, {"name": "x", "type": "space"}],
        "datasets": [{"path": "0", "coordinateTransformations": [
            {"type": "scale", "scale": [1.0, 1.0]}]}]}]
    root.attrs["image-label"] = {"version": "0.4"}
else:
    from scipy import ndimage
    path, reps = sys.argv[2], int(sys.argv[3])
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        lab = zarr.open(path, mode="r")["0"][:]
        index = np.unique(lab)
        index = index[index != 0]
        c = ndimage.center_of_mass(np.ones_like(lab, dtype=np.uint8), lab, index)
        times.append(time.perf_counter() - t0)
    print("%.3f s (%d labels)" % (sorted(times)[len(times) // 2], len(c)))
