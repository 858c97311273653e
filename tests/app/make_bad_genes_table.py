#!/usr/bin/env python3
"""Writes a cell table whose gene values cannot be read, for the Cell Classifier tests.

Usage: make_bad_genes_table.py TRUTH.csv OUT.h5ad

One cell per disc of make_nuclei_fixture.py's truth.csv (obsm "spatial" at the disc centre, obs
"area" numeric), three genes in a dense X stored gzip-compressed one gene per chunk; every
chunk of X is then overwritten with bytes that do not inflate, so the table opens (obs, var,
X's shape) but any read of a gene fails.
"""
import sys

import anndata
import h5py
import numpy as np
import pandas as pd


def main():
    truth, out = sys.argv[1], sys.argv[2]
    rows = [line.strip().split(",") for line in open(truth).read().splitlines()[1:] if line]
    xy = np.array([[float(r[0]), float(r[1])] for r in rows])
    n = len(rows)
    obs = pd.DataFrame({"area": np.full(n, 113.0) + np.arange(n) % 7},
                       index=[f"cell{i}" for i in range(n)])
    var = pd.DataFrame(index=["CD3", "CD20", "KRT"])
    a = anndata.AnnData(X=np.zeros((n, 3), np.float32), obs=obs, var=var)
    a.obsm["spatial"] = xy
    a.write_h5ad(out)
    rng = np.random.default_rng(1)
    with h5py.File(out, "r+") as f:
        del f["X"]
        x = f.create_dataset("X", data=rng.random((n, 3), dtype=np.float32), chunks=(n, 1),
                             compression="gzip")
        x.attrs["encoding-type"] = "array"
        x.attrs["encoding-version"] = "0.2.0"
        chunks = [x.id.get_chunk_info(i) for i in range(x.id.get_num_chunks())]
    with open(out, "r+b") as f:
        for c in chunks:
            f.seek(c.byte_offset)
            f.write(b"\xff" * c.size)


if __name__ == "__main__":
    main()
