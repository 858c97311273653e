"""The peer side of bench_expression: python3-anndata and scipy on the same file, same work.

Usage: /usr/bin/python3 bench_expression_peer.py FILE.h5ad SELECTION.txt --mode memory|backed
                                                 [--peer-genes 10] [--repeats 5] [--switches 10]
Prints one JSON object:
 - open_first_gene_s: read_h5ad (in memory, or backed="r") until X[:, 0] is a dense column;
 - gene_switch_median_ms: X[:, g] dense for the bench's genes ((k * 37 + 1) mod G); backed
   mode reads the whole CSR matrix per column, so it takes the first 3 of them ("switches");
 - memory mode only: de_scaled_s, scipy.stats.mannwhitneyu(asymptotic, no continuity) of the
   selection vs the rest on the first --peer-genes genes, median of --repeats, scaled to every
   gene; "markers" lists z and p of those genes for the bench to compare with Tessera's;
 - max_rss_kb: this process's peak RSS.
"""
import argparse
import json
import resource
import time

import anndata
import numpy as np
from scipy import stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("selection")
    ap.add_argument("--mode", choices=["memory", "backed"], default="memory")
    ap.add_argument("--peer-genes", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--switches", type=int, default=10)
    a = ap.parse_args()
    backed = a.mode == "backed"

    t0 = time.perf_counter()
    ad = anndata.read_h5ad(a.file, backed="r" if backed else None)
    t_read = time.perf_counter() - t0
    first = np.asarray(ad.X[:, 0].toarray()).ravel()
    t_open = time.perf_counter() - t0
    assert first.size == ad.n_obs

    genes = [(k * 37 + 1) % ad.n_vars for k in range(a.switches)]
    if backed:
        genes = genes[:3]
    times = []
    for g in genes:
        t = time.perf_counter()
        col = np.asarray(ad.X[:, g].toarray()).ravel()
        times.append(time.perf_counter() - t)
        assert col.size == ad.n_obs
    out = {"mode": a.mode, "open_first_gene_s": t_open, "read_h5ad_s": t_read,
           "gene_switch_median_ms": float(np.median(times)) * 1e3, "switches": len(genes)}

    if not backed:
        sel = np.zeros(ad.n_obs, dtype=bool)
        sel[np.loadtxt(a.selection, dtype=np.int64)] = True
        n = min(a.peer_genes, ad.n_vars)
        runs, markers = [], []
        for r in range(a.repeats):
            t = time.perf_counter()
            csc = ad.X[:, :n].tocsc()
            res = []
            for g in range(n):
                col = csc[:, g].toarray().ravel()
                u, p = stats.mannwhitneyu(col[sel], col[~sel], method="asymptotic", use_continuity=False)
                res.append((g, float(u), float(p)))
            runs.append(time.perf_counter() - t)
        n1, n2 = int(sel.sum()), int((~sel).sum())
        for g, u, p in res:
            col = csc[:, g].toarray().ravel()
            # z from U with the tie correction scipy applies, to compare with Tessera's score.
            _, counts = np.unique(col, return_counts=True)
            nn = n1 + n2
            tie = (counts ** 3 - counts).sum()
            sigma = np.sqrt(n1 * n2 / 12 * ((nn + 1) - tie / (nn * (nn - 1))))
            z = (u - n1 * n2 / 2) / sigma if sigma > 0 else 0.0
            markers.append({"gene": g, "z": float(z), "p": p})
        out["de_scaled_s"] = float(np.median(runs)) * ad.n_vars / n
        out["de_genes"] = n
        out["markers"] = markers
    out["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


if __name__ == "__main__":
    main()
