#!/usr/bin/env python3
"""Makes (or reuses) the zarr read benchmark image with zarr-python 2.13.

Usage: bench_zarr_gen.py CACHE_DIR [SIZE]
Writes CACHE_DIR/bench16k.ome.zarr: OME-NGFF 0.4, c/y/x = 4 x 16384 x 16384 uint16 at level 0
plus a 2x mean pyramid down to 512 px (levels 1-5; the rendering benchmark needs them),
or, with SIZE (a power of two from 1024, e.g. 4096 for the export benchmark), CACHE_DIR/
bench{SIZE}.ome.zarr with the same content at that size and its pyramid down to 512 px;
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
n = int(sys.argv[2]) if len(sys.argv) > 2 else 16384
path = os.path.join(cache, "bench16k.ome.zarr" if n == 16384 else f"bench{n}.ome.zarr")
marker = os.path.join(path, "COMPLETE")
VERSION = "pyramid-1\n"
if not os.path.exists(marker) or open(marker).read() != VERSION:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(cache, exist_ok=True)
    c, band = 4, 1024
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
    levels = (n // 512).bit_length()
    prev = z
    for level in range(1, levels):
        size = n >> level
        cur = g.create_dataset(str(level), shape=(c, size, size), chunks=(1, 512, 512),
                               dtype="<u2", dimension_separator="/",
                               compressor=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1))
        step = min(band, size)
        for ch in range(c):
            for y0 in range(0, size, step):
                block = prev[ch, 2 * y0:2 * (y0 + step), :].astype(np.uint32)
                pooled = (block[0::2, 0::2] + block[1::2, 0::2] + block[0::2, 1::2] +
                          block[1::2, 1::2] + 2) // 4
                cur[ch, y0:y0 + step, :] = pooled.astype(np.uint16)
        prev = cur
    g.attrs["multiscales"] = [{"version": "0.4", "name": os.path.basename(path)[:-len(".ome.zarr")], "axes": [
        {"name": "c", "type": "channel"}, {"name": "y", "type": "space"},
        {"name": "x", "type": "space"}],
        "datasets": [{"path": str(level), "coordinateTransformations": [
            {"type": "scale", "scale": [1, 2.0 ** level, 2.0 ** level]}]}
            for level in range(levels)]}]
    open(marker, "w").write(VERSION)
print(path)
