#!/usr/bin/env python3
"""Chunked variable-length string datasets, intact and damaged, for tst_hdf5_string_checks.

Usage: make_damaged_strings.py OUT_DIR

Each file holds the dataset "s" of 10 strings in chunks of 4, as h5py writes string columns
(unfiltered, gzip, lzf, or gzip after shuffle), and "t", the same strings unfiltered. The
damaged copies replace the first chunk of "s" with the references of "t"'s first chunk, string 1
pointing at a heap object that does not exist (index 0xffff), which HDF5 itself would follow
without checking: compressed again for gzip; for lzf (no Python encoder on Debian) written
uncompressed with the filter skipped (filter mask 1), which HDF5 allows per chunk.
"""
import os
import struct
import sys
import zlib

import h5py
import numpy as np

STRINGS = np.array([f"cell-{i}" for i in range(10)], dtype=object)
KINDS = {"plain": {}, "gzip": {"compression": "gzip"}, "lzf": {"compression": "lzf"},
         "shuffle": {"compression": "gzip", "shuffle": True}}


def write(path, kw):
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=STRINGS, dtype=h5py.string_dtype(), chunks=(4,), **kw)
        f.create_dataset("t", data=STRINGS, dtype=h5py.string_dtype(), chunks=(4,))


def damage(path, kind):
    with h5py.File(path, "r+") as f:
        _, raw = f["t"].id.read_direct_chunk((0,))
        refs = bytearray(raw)
        struct.pack_into("<I", refs, 16 + 12, 0xFFFF)  # element 1: length, address, index
        if kind == "gzip":
            f["s"].id.write_direct_chunk((0,), zlib.compress(bytes(refs)), 0)
        else:
            f["s"].id.write_direct_chunk((0,), bytes(refs), 1 if kind == "lzf" else 0)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for kind, kw in KINDS.items():
        write(os.path.join(out, f"intact_{kind}.h5"), kw)
        write(os.path.join(out, f"damaged_{kind}.h5"), kw)
        if kind != "shuffle":
            damage(os.path.join(out, f"damaged_{kind}.h5"), kind)


if __name__ == "__main__":
    main()
