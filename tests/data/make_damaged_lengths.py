#!/usr/bin/env python3
"""Lengths HDF5 allocates before reading, damaged, for tst_hdf5_declared_lengths.

Usage: make_damaged_headers.py SOURCE_DIR OUT_DIR

HDF5 1.10 allocates the length an object header declares before it reads the header, so a damaged
length made it ask for gigabytes for a file of a few kilobytes (found by fuzz_hdf5). Each file here
is a copy of a fixture, or a file h5py writes, with one header's first chunk length replaced:
- anndata_obs.h5ad, anndata_root.h5ad: the obs group's or the root group's version 1 header of
  tests/fixtures/anndata/v0.11.4.h5ad says its chunk holds 0xFFFFFEB2 bytes;
- tenx_matrix.h5: the same for the matrix group of tests/fixtures/tenx/v3_filtered_feature_bc_matrix.h5;
- v2_obs.h5 (intact) and v2_obs_damaged.h5: a file written with libver="latest" (version 2
  headers) whose obs group header is given an 8-byte length field saying 0x5000000C0 bytes;
- chunks.h5 (intact) and chunks_damaged.h5: dataset "d" of 100,000 float32 values i/10 in gzip
  chunks of 100, indexed by a version 1 B-tree two levels deep; the damaged copy's record of the
  last chunk says it stores 0xFFFFFFFF bytes, which HDF5 would allocate before reading it;
  chunk_dim0.h5: the same dataset whose layout message says its chunks are 0 values long, by
  which HDF5 divides when it opens the dataset (SIGFPE, found by fuzz_hdf5); chunk_huge.h5:
  738,197,504 values long, a chunk of 2.75 GiB HDF5 would allocate to read into (HDF5 itself
  refuses 4 GiB and more when it opens the dataset); chunk_element_size.h5: chunks of 1-byte
  elements under the 4-byte float type, so HDF5's chunk buffers would be a quarter of what it
  copies into them (a heap overflow found by fuzz_hdf5, there with a string type).
- chunks_plain.h5 and chunks_plain_damaged.h5: the same values in unfiltered chunks, the last
  one's record saying 200 bytes instead of 400: HDF5 would read 200 bytes and copy 400 out
  (a heap overflow found by fuzz_hdf5, there with every filter of a chunk skipped by its mask);
  chunks_shuffle_fletcher.h5 (intact): shuffle and Fletcher32 only, 404-byte records;
- latest_<index>.h5: intact datasets "d" (values i/10) written with libver="latest", one per
  chunk index the check meets there: a fixed array, an extensible array (one unlimited
  dimension), a version 2 B-tree (two, 2-d), a filtered single chunk.
"""
import os
import shutil
import struct
import sys

import h5py
import numpy as np


def header_address(path, name):
    with h5py.File(path, "r") as f:
        return h5py.h5o.get_info(f[name].id).addr


def patch(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def damage_v1(src, dst, name):
    shutil.copyfile(src, dst)
    addr = header_address(dst, name)
    with open(dst, "rb") as f:
        f.seek(addr)
        assert f.read(1) == b"\x01", f"{dst}:{name} is not a version 1 header"
    patch(dst, addr + 8, struct.pack("<I", 0xFFFFFEB2))


def patch_last_record(src, dst, size):
    """A copy of `src` whose record of dataset "d"'s last chunk (of 1000) says it stores `size`
    bytes."""
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r") as f:
        last = f["d"].id.get_chunk_info(999).byte_offset
    with open(dst, "rb") as f:
        data = f.read()
    child = data.find(struct.pack("<Q", last))
    # A leaf record: chunk size (4), filter mask (4), two 8-byte offsets, then the address.
    assert child > 0 and data.find(struct.pack("<Q", last), child + 1) < 0, "ambiguous address"
    assert struct.unpack_from("<Q", data, child - 16)[0] == 99900, "not the last chunk's record"
    patch(dst, child - 24, struct.pack("<I", size))


def patch_chunk_dim(src, dst, value, dim=0):
    """A copy of `src` whose dataset "d" says its chunks' dimension `dim` is `value` (the last,
    1 for a 1-d dataset, is the element size in bytes)."""
    shutil.copyfile(src, dst)
    addr = header_address(dst, "d")
    with open(dst, "rb") as f:
        data = f.read()
    assert data[addr] == 1, "not a version 1 header"
    pos, end = addr + 16, addr + 16 + struct.unpack_from("<I", data, addr + 8)[0]
    while pos + 8 <= end:
        kind, size = struct.unpack_from("<HH", data, pos)
        if kind == 0x0008:
            # Version 3 chunked layout: version, class 2, dimensionality, B-tree address, dims.
            assert data[pos + 8:pos + 10] == b"\x03\x02", "not a version 3 chunked layout"
            patch(dst, pos + 8 + 3 + 8 + 4 * dim, struct.pack("<I", value))
            return
        pos += 8 + size
    raise AssertionError("no layout message in the first chunk")


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    h5ad = os.path.join(src, "tests/fixtures/anndata/v0.11.4.h5ad")
    tenx = os.path.join(src, "tests/fixtures/tenx/v3_filtered_feature_bc_matrix.h5")
    damage_v1(h5ad, os.path.join(out, "anndata_obs.h5ad"), "obs")
    damage_v1(h5ad, os.path.join(out, "anndata_root.h5ad"), "/")
    damage_v1(tenx, os.path.join(out, "tenx_matrix.h5"), "matrix")

    intact = os.path.join(out, "v2_obs.h5")
    with h5py.File(intact, "w", libver="latest") as f:
        f.create_group("obs").attrs["encoding-type"] = "dataframe"
    damaged = os.path.join(out, "v2_obs_damaged.h5")
    shutil.copyfile(intact, damaged)
    addr = header_address(damaged, "obs")
    with open(damaged, "rb") as f:
        f.seek(addr)
        prefix = f.read(6)
    assert prefix[:5] == b"OHDR\x02", "not a version 2 header"
    flags = prefix[5]
    pos = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
    patch(damaged, addr + 5, bytes([flags | 0x03]))  # an 8-byte chunk length field
    patch(damaged, addr + pos, struct.pack("<Q", 0x5000000C0))

    values = np.arange(100000, dtype=np.float32) / 10
    chunks = os.path.join(out, "chunks.h5")
    with h5py.File(chunks, "w") as f:
        f.create_dataset("d", data=values, chunks=(100,), compression="gzip")
    patch_last_record(chunks, os.path.join(out, "chunks_damaged.h5"), 0xFFFFFFFF)
    plain = os.path.join(out, "chunks_plain.h5")
    with h5py.File(plain, "w") as f:
        f.create_dataset("d", data=values, chunks=(100,))
    patch_last_record(plain, os.path.join(out, "chunks_plain_damaged.h5"), 200)
    with h5py.File(os.path.join(out, "chunks_shuffle_fletcher.h5"), "w") as f:
        f.create_dataset("d", data=values, chunks=(100,), shuffle=True, fletcher32=True)

    patch_chunk_dim(chunks, os.path.join(out, "chunk_dim0.h5"), 0)
    patch_chunk_dim(chunks, os.path.join(out, "chunk_huge.h5"), 0x2C000000)
    patch_chunk_dim(chunks, os.path.join(out, "chunk_element_size.h5"), 1, dim=1)
    values = np.arange(20000, dtype=np.float32) / 10
    latest = {"fixed_array": dict(data=values, chunks=(1000,)),
              "extensible_array": dict(data=values, chunks=(1000,), maxshape=(None,)),
              "btree2": dict(data=values.reshape(200, 100), chunks=(50, 50),
                             maxshape=(None, None)),
              "single_chunk": dict(data=values, chunks=(20000,))}
    for name, kw in latest.items():
        with h5py.File(os.path.join(out, f"latest_{name}.h5"), "w", libver="latest") as f:
            f.create_dataset("d", compression="gzip", **kw)


if __name__ == "__main__":
    main()
