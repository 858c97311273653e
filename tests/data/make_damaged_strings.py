#!/usr/bin/env python3
"""Chunked variable-length string datasets, intact and damaged, for tst_hdf5_string_checks.

Usage: make_damaged_strings.py OUT_DIR

Each file holds the dataset "s" of 10 strings in chunks of 4, as h5py writes string columns
(unfiltered, gzip, lzf, or gzip after shuffle), and "t", the same strings unfiltered. The
damaged copies replace the first chunk of "s" with the references of "t"'s first chunk, string 1
pointing at a heap object that does not exist (index 0xffff), which HDF5 itself would follow
without checking: compressed again for gzip; for lzf (no Python encoder on Debian) written
uncompressed with the filter skipped (filter mask 1), which HDF5 allows per chunk.

The attr_* files hold string attributes and a compact string dataset "c", whose references sit
in the object header (version 1 headers as h5py writes by default, version 2 with
libver="latest"). Damaged copies: "freespace0" sets the heap collection's free-space object to
size 0, on which HDF5 1.10 loops forever loading the collection (found by fuzz_hdf5);
"badindex" renumbers the heap object of "anndata", so the attribute points to no object.
attr_many_* spread a group's attributes over continuation chunks of its header.

read_*.h5 hold "s" in layouts the reader takes its strings from itself or leaves to HDF5, each
with read_*.json, the strings as h5py reads them: 3,000 strings (empty ones, non-ASCII, one
longer than a heap collection) contiguous (h5py's default, anndata's obs index), chunked with
gzip, and chunked with chunks never written (fill values: left to HDF5).
"""
import json
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


def write_attrs(path, libver):
    with h5py.File(path, "w", libver=libver) as f:
        f.attrs["encoding-type"] = "anndata"
        f.attrs["column-order"] = np.array(["leiden", "n_genes"], dtype=object)
        space = h5py.h5s.create_simple((3,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        vlen = h5py.h5t.py_create(h5py.string_dtype(), logical=True)
        c = h5py.Dataset(h5py.h5d.create(f.id, b"c", vlen, space, dcpl=dcpl))
        c[...] = np.array(["ab", "cde", "f"], dtype=object)


def write_many_attrs(path, libver):
    """Attributes added after other objects, so the group's header continues in other chunks."""
    with h5py.File(path, "w", libver=libver) as f:
        g = f.create_group("g")
        g.attrs["encoding-type"] = "dict"
        for i in range(6):
            f.create_dataset(f"d{i}", data=np.arange(10))
            g.attrs[f"a{i}"] = np.array(["x" * 50] * 20, dtype=object)
        g.attrs["encoding-version"] = "0.1.0"


def heap_objects(data, holding):
    """(offset, index, size) of each object of the heap collection holding the string."""
    at = data.rindex(b"GCOL", 0, data.index(holding))
    size = struct.unpack_from("<Q", data, at + 8)[0]
    pos, out = at + 16, []
    while pos + 16 <= at + size:
        index, _, _, length = struct.unpack_from("<HHIQ", data, pos)
        out.append((pos, index, length))
        if index == 0:
            break
        pos += 16 + (length + 7) // 8 * 8
    return out


def damage_attrs(src, dst, how):
    data = bytearray(open(src, "rb").read())
    target = b"0.1.0" if "many" in src else b"anndata"
    objects = heap_objects(bytes(data), target)
    if how == "freespace0":
        pos = next(p for p, index, _ in objects if index == 0)
        struct.pack_into("<Q", data, pos + 8, 0)
    else:
        pos = next(p for p, _, n in objects if data[p + 16:p + 16 + n] == target)
        struct.pack_into("<H", data, pos, 0x7FFF)
    open(dst, "wb").write(bytes(data))


def many_strings():
    out = [f"cell-{i}" if i % 7 else "" for i in range(3000)]
    out[5] = "h\u00e9llo \u4e16\u754c"
    out[6] = "x" * 5000  # larger than a 4 KiB heap collection: one of its own
    return np.array(out, dtype=object)


def write_read_cases(out):
    strings = many_strings()
    cases = {"contiguous": {}, "chunked_gzip": {"chunks": (256,), "compression": "gzip"}}
    for name, kw in cases.items():
        with h5py.File(os.path.join(out, f"read_{name}.h5"), "w") as f:
            f.create_dataset("s", data=strings, dtype=h5py.string_dtype(), **kw)
    with h5py.File(os.path.join(out, "read_unwritten_chunks.h5"), "w") as f:
        s = f.create_dataset("s", shape=(10,), dtype=h5py.string_dtype(), chunks=(4,))
        s[0:4] = strings[1:5]
    for name in (*cases, "unwritten_chunks"):
        with h5py.File(os.path.join(out, f"read_{name}.h5"), "r") as f:
            got = [v.decode() if isinstance(v, bytes) else v for v in f["s"][()]]
        with open(os.path.join(out, f"read_{name}.json"), "w") as j:
            json.dump(got, j)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write_read_cases(out)
    for kind, kw in KINDS.items():
        write(os.path.join(out, f"intact_{kind}.h5"), kw)
        write(os.path.join(out, f"damaged_{kind}.h5"), kw)
        if kind != "shuffle":
            damage(os.path.join(out, f"damaged_{kind}.h5"), kind)
    for header, libver in (("v1", "earliest"), ("v2", "latest")):
        intact = os.path.join(out, f"attr_intact_{header}.h5")
        write_attrs(intact, libver)
        for how in ("freespace0", "badindex"):
            damage_attrs(intact, os.path.join(out, f"attr_{how}_{header}.h5"), how)
        many = os.path.join(out, f"attr_many_{header}.h5")
        write_many_attrs(many, libver)
        damage_attrs(many, os.path.join(out, f"attr_many_freespace0_{header}.h5"), "freespace0")


if __name__ == "__main__":
    main()
