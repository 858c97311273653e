"""The peer side of bench_expression: python3-anndata on the same file, same measurements.

Usage: /usr/bin/python3 bench_expression_peer.py FILE.h5ad SELECTION.txt
Prints one JSON object: open_first_gene_s, gene_switch_median_ms, de_s (scipy mannwhitneyu,
asymptotic, no continuity, per gene on dense columns; measured on `de_genes` genes and scaled to
all of them because the full run takes minutes).
"""
import json
import sys
import time

import anndata
import numpy as np
from scipy import stats


def main():
    path, sel_path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    a = anndata.read_h5ad(path)
    t_read = time.perf_counter() - t0
    first = np.asarray(a.X[:, 0].toarray()).ravel()
    t_open = time.perf_counter() - t0
    assert first.size == a.n_obs

    times = []
    for k in range(50):
        g = (k * 37 + 1) % a.n_vars
        t = time.perf_counter()
        col = np.asarray(a.X[:, g].toarray()).ravel()
        times.append(time.perf_counter() - t)
        assert col.size == a.n_obs

    sel = np.zeros(a.n_obs, dtype=bool)
    sel[np.loadtxt(sel_path, dtype=np.int64)] = True
    de_genes = 10
    t = time.perf_counter()
    csc = a.X[:, :de_genes].tocsc()
    for g in range(de_genes):
        col = csc[:, g].toarray().ravel()
        stats.mannwhitneyu(col[sel], col[~sel], method="asymptotic", use_continuity=False)
    t_de = (time.perf_counter() - t) * a.n_vars / de_genes
    print(json.dumps({"open_first_gene_s": t_open, "gene_switch_median_ms": float(np.median(times)) * 1e3,
                      "de_s": t_de, "de_genes": de_genes, "read_h5ad_s": t_read}))


if __name__ == "__main__":
    main()
