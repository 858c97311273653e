#!/usr/bin/env python3
"""Makes (or reuses) the zarr read benchmark image with zarr-python 2.13.

Usage: bench_zarr_gen.py CACHE_DIR
Writes CACHE_DIR/bench16k.ome.zarr: OME-NGFF 0.4, one level, c/y/x = 4 x 16384 x 16384 uint16,
blosc lz4 clevel 5 with byte shuffle, 512x512 chunks, '/' separator. Pixels are a smooth field
plus a little noise, so they compress like fluorescence (about 3-4x). A COMPLETE marker is
written last; an image without it is rebuilt. Prints the image path.
"""
import os
import shutil
import sys

import numcodecs
import numpy as np
import zarr

cache = sys.argv[1]
path = os.path.join(cache, "bench16k.ome.zarr")
marker = os.path.join(path, "COMPLETE")
if not os.path.exists(marker):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(cache, exist_ok=True)
    n, c, band = 16384, 4, 1024
    g = zarr.open_group(zarr.DirectoryStore(path), mode="w")
    z = g.create_dataset("0", shape=(c, n, n), chunks=(1, 512, 512), dtype="<u2",
                         dimension_separator="/",
                         compressor=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1))
    rng = np.random.default_rng(0)
    x = np.arange(n, dtype=np.float32)
    for ch in range(c):
        for y0 in range(0, n, band):
            y = np.arange(y0, y0 + band, dtype=np.float32)[:, None]
            field = 800 + 600 * np.sin(x / (300 + 50 * ch)) * np.cos(y / (410 - 30 * ch))
            noise = rng.integers(0, 64, size=(band, n), dtype=np.uint16)
            z[ch, y0:y0 + band, :] = field.astype(np.uint16) + noise
    g.attrs["multiscales"] = [{"version": "0.4", "name": "bench16k", "axes": [
        {"name": "c", "type": "channel"}, {"name": "y", "type": "space"},
        {"name": "x", "type": "space"}],
        "datasets": [{"path": "0", "coordinateTransformations": [
            {"type": "scale", "scale": [1, 1, 1]}]}]}]
    open(marker, "w").write("ok\n")
print(path)
