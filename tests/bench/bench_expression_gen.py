"""Writes the expression benchmark table: a CSR .h5ad of N cells x G genes at ~10% density.

Usage: /usr/bin/python3 bench_expression_gen.py OUT.h5ad [--cells 1000000] [--genes 500] [--seed 1]
                                                          [--density-scale 1.0]
The issue's two tables: defaults (1M x 500, 47.6M nnz) and --genes 5000 --density-scale 0.4
(1M x 5,000, ~200M nnz, ~1.6 GB; write it under /tmp).

Written with h5py in anndata 0.8 encodings (anndata.read_h5ad opens it), uncompressed and
contiguous like anndata's default sparse writer, so both readers pay the same I/O.
 - X: csr_matrix, float32 data, int32 indices, int64 indptr. Gene g is expressed in a fraction
   of cells between 2% and 18% (mean 10%); values are log1p(counts * size factor), so they are
   continuous with many near-ties, as in normalised data.
 - obs: "cluster" (categorical, 12 groups; cluster 0 raises the first 20 genes so it has
   markers), "n_genes" (int64).
 - obsm: "spatial" (cells on a 20000 x 20000 px section), "X_umap".
"""
import argparse

import h5py
import numpy as np


def str_attr(obj, key, value):
    obj.attrs.create(key, value, dtype=h5py.string_dtype("utf-8"))


def tag(obj, enc, ver):
    str_attr(obj, "encoding-type", enc)
    str_attr(obj, "encoding-version", ver)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--cells", type=int, default=1_000_000)
    ap.add_argument("--genes", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--density-scale", type=float, default=1.0)
    a = ap.parse_args()
    n, g = a.cells, a.genes
    rng = np.random.default_rng(a.seed)
    density = rng.uniform(0.02, 0.18, g) * a.density_scale
    cluster = rng.integers(0, 12, n).astype(np.int8)
    size_factor = rng.uniform(0.5, 2.0, n).astype(np.float32)

    indptr = np.zeros(n + 1, dtype=np.int64)
    idx_parts, val_parts = [], []
    block = max(1000, 25_000_000 // g)  # rows per block: ~100 MB of random draws
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        p = np.broadcast_to(density, (r1 - r0, g)).copy()
        boost = cluster[r0:r1] == 0
        p[boost, :20] = np.minimum(0.9, p[boost, :20] * 4)
        mask = rng.random((r1 - r0, g), dtype=np.float32) < p
        rows, cols = np.nonzero(mask)
        counts = rng.poisson(2.0, rows.size).astype(np.float32) + 1
        vals = np.log1p(counts * size_factor[r0 + rows]).astype(np.float32)
        idx_parts.append(cols.astype(np.int32))
        val_parts.append(vals)
        indptr[r0 + 1 : r1 + 1] = indptr[r0] + np.cumsum(mask.sum(axis=1))

    with h5py.File(a.out, "w") as f:
        tag(f, "anndata", "0.1.0")
        x = f.create_group("X")
        tag(x, "csr_matrix", "0.1.0")
        x.attrs["shape"] = np.array([n, g], dtype=np.int64)
        x.create_dataset("data", data=np.concatenate(val_parts))
        x.create_dataset("indices", data=np.concatenate(idx_parts))
        x.create_dataset("indptr", data=indptr)

        sdt = h5py.string_dtype("utf-8")
        obs = f.create_group("obs")
        tag(obs, "dataframe", "0.2.0")
        str_attr(obs, "_index", "_index")
        obs.attrs.create("column-order", ["cluster", "n_genes"], dtype=sdt)
        ix = obs.create_dataset("_index", data=np.array([f"cell_{i}" for i in range(n)], dtype=object), dtype=sdt)
        tag(ix, "string-array", "0.2.0")
        cat = obs.create_group("cluster")
        tag(cat, "categorical", "0.2.0")
        cat.attrs["ordered"] = False
        cat.create_dataset("codes", data=cluster)
        cs = cat.create_dataset("categories", data=np.array([f"c{k}" for k in range(12)], dtype=object), dtype=sdt)
        tag(cs, "string-array", "0.2.0")
        ng = obs.create_dataset("n_genes", data=np.diff(indptr))
        tag(ng, "array", "0.2.0")

        var = f.create_group("var")
        tag(var, "dataframe", "0.2.0")
        str_attr(var, "_index", "_index")
        var.attrs.create("column-order", [], dtype=sdt)
        vx = var.create_dataset("_index", data=np.array([f"gene_{j}" for j in range(g)], dtype=object), dtype=sdt)
        tag(vx, "string-array", "0.2.0")

        obsm = f.create_group("obsm")
        tag(obsm, "dict", "0.1.0")
        sp = obsm.create_dataset("spatial", data=rng.uniform(0, 20000, (n, 2)))
        tag(sp, "array", "0.2.0")
        um = obsm.create_dataset("X_umap", data=rng.normal(0, 5, (n, 2)).astype(np.float32))
        tag(um, "array", "0.2.0")
        for key in ("layers", "obsp", "varm", "varp", "uns"):
            tag(f.create_group(key), "dict", "0.1.0")
    print(f"{a.out}: {n} x {g}, nnz {int(indptr[-1])} ({indptr[-1] / (n * g):.1%})")


if __name__ == "__main__":
    main()
