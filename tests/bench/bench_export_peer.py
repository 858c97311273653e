#!/usr/bin/env python3
"""The peer side of the export benchmark, run as its own process so that it is timed end to end
exactly like `tessera export` (interpreter start-up and imports included on this side, process
start-up and library loading on Tessera's).

Usage: bench_export_peer.py IMAGE.ome.zarr X,Y,W,H none|zlib OUT.ome.tif
Reads channels 0..C-1 of level 0 in the region with dask.array.from_zarr (dask's default
threaded scheduler, which uses every core: Tessera's export uses its default pool too), and
writes them with tifffile as an OME-TIFF of 512x512 tiles, one plane per channel, uncompressed
or zlib level 6 (the level Tessera's deflate uses).
"""
import sys

import dask.array as da
import tifffile

path, region, compression, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
x, y, w, h = (int(v) for v in region.split(","))
arr = da.from_zarr(path + "/0")[:, y:y + h, x:x + w].compute()
kwargs = {}
if compression == "zlib":
    kwargs["compression"] = "zlib"
    kwargs["compressionargs"] = {"level": 6}
tifffile.imwrite(out, arr, tile=(512, 512), photometric="minisblack", metadata={"axes": "CYX"},
                 ome=True, **kwargs)
