#!/usr/bin/env python3
"""Corrupted copies of fixture files through `tessera info` and `tessera export`.

Usage: mutate_inputs.py --tessera EXE --fixtures DIR --work DIR
                        [--random N] [--seed S] [--timeout SECONDS] [--keep]

Every input below is copied, damaged one way (bit flips, truncation, huge integers written at
offsets, JSON values replaced by null / huge numbers / long strings / `../` paths) and given to
the CLI with a time limit. The README's promise is checked for each run:
- exit 0 (the damage did not matter), or exit 2 with exactly one line on stderr that names the
  damaged file or folder;
- never exit 1 (kept for internal faults), a signal, or a run past the time limit.

Without --random the fixed, deterministic set runs (the ctest regression `fuzz_mutations`);
--random N adds N seeded random mutations per input (the exploratory runs). Prints one line per
finding and a summary; exits 1 when there is any finding.
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import subprocess
import sys

HUGE_INTS = [b"\xff" * 8, b"\x7f\xff\xff\xff", b"\x00\x00\x00\x80\x00\x00\x00\x00"]
JSON_REPLACEMENTS = [None, 1e308, 2**63, -1, -(2**62), "A" * 100000, "../../../../etc/passwd",
                     [], {}]


# --- inputs -------------------------------------------------------------------------------------

def inputs(fixtures):
    """(name, path inside fixtures, kind, the file to damage inside it or None, commands)."""
    image = ["info", "export"]
    cells = ["info"]
    return [
        ("h5ad-0.11", "anndata/v0.11.4.h5ad", "file", None, cells),
        ("h5ad-0.7", "anndata/v0.7.8.h5ad", "file", None, cells),
        ("10x-v3", "tenx/v3_filtered_feature_bc_matrix.h5", "file", None, cells),
        ("10x-legacy", "tenx/legacy_filtered_gene_bc_matrices_h5.h5", "file", None, cells),
        ("ome-tiff", "ome-tiff/multi-channel.ome.tif", "file", None, image),
        ("zarr2-zattrs", "ome-zarr/blobs_v04.ome.zarr", "dir", ".zattrs", image),
        ("zarr2-zarray", "ome-zarr/blobs_v04.ome.zarr", "dir", "0/.zarray", image),
        ("zarr2-chunk", "ome-zarr/blobs_v04.ome.zarr", "dir", "0/0/0/0", image),
        ("zarr3-group", "ome-zarr/blobs_v05.ome.zarr", "dir", "zarr.json", image),
        ("zarr3-array", "ome-zarr/blobs_v05.ome.zarr", "dir", "0/zarr.json", image),
        ("zarr3-chunk", "ome-zarr/blobs_v05.ome.zarr", "dir", "0/c/0/0/0", image),
        ("visium-positions", "visium", "dir", "spatial/tissue_positions_list.csv", cells),
        ("visium-scalefactors", "visium", "dir", "spatial/scalefactors_json.json", cells),
    ]


# --- mutations ----------------------------------------------------------------------------------

def json_leaves(v, path=()):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from json_leaves(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from json_leaves(x, path + (i,))
    else:
        yield path


def json_set(doc, path, value):
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def fixed_mutations(data, is_json):
    """A small deterministic set: what the regression test runs for each input."""
    n = len(data)
    out = [("truncate-half", data[: n // 2]), ("truncate-8", data[:8]), ("empty", b"")]
    for frac in (0.01, 0.1, 0.3, 0.6, 0.9):
        off = int(n * frac)
        b = bytearray(data)
        if off < n:
            b[off] ^= 0x10
        out.append((f"bitflip@{off}", bytes(b)))
    for frac in (0.0, 0.02, 0.05, 0.25, 0.5):
        off = int(n * frac) + (40 if frac == 0.0 else 0)
        for k, huge in enumerate(HUGE_INTS[:2]):
            b = bytearray(data)
            b[off: off + len(huge)] = huge
            out.append((f"huge{k}@{off}", bytes(b[:n])))
    if is_json:
        doc = json.loads(data)
        leaves = list(json_leaves(doc))
        # Every replacement kind, over leaves spread through the document plus every shape,
        # chunk and path value (the sizes and the file names a reader trusts).
        step = max(1, len(leaves) // 9)
        picked = leaves[::step][:9] + [leaf for leaf in leaves if any(
            k in ("shape", "chunks", "chunk_shape", "path") for k in leaf if isinstance(k, str))]
        for i, leaf in enumerate(dict.fromkeys(picked)):
            for value in JSON_REPLACEMENTS[i % 3:: 3][:2]:
                d = json.loads(data)
                json_set(d, leaf, value)
                out.append((f"json{list(leaf)}={str(value)[:16]}", json.dumps(d).encode()))
        for leaf in leaves:
            if leaf and leaf[-1] == "path":
                for value in ("../../../../etc", "../0", "/etc/passwd"):
                    d = json.loads(data)
                    json_set(d, leaf, value)
                    out.append((f"json{list(leaf)}={value}", json.dumps(d).encode()))
        out.append(("json-not-an-object", b"[1, 2, 3]"))
        out.append(("json-deep", b"[" * 100000 + b"]" * 100000))
    return out


def random_mutations(data, is_json, rng, count):
    out = []
    n = max(1, len(data))
    for i in range(count):
        b = bytearray(data)
        kind = rng.choice(["flip", "flips", "truncate", "huge", "json"] if is_json else
                          ["flip", "flips", "truncate", "huge"])
        if kind == "flip" and b:
            off = rng.randrange(n)
            b[off] ^= 1 << rng.randrange(8)
            out.append((f"r{i}-flip@{off}", bytes(b)))
        elif kind == "flips" and b:
            for _ in range(rng.randint(2, 32)):
                b[rng.randrange(n)] ^= 1 << rng.randrange(8)
            out.append((f"r{i}-flips", bytes(b)))
        elif kind == "truncate":
            cut = rng.randrange(n)
            out.append((f"r{i}-truncate@{cut}", bytes(b[:cut])))
        elif kind == "huge" and b:
            off = rng.randrange(n)
            huge = rng.choice(HUGE_INTS)
            b[off: off + len(huge)] = huge
            out.append((f"r{i}-huge@{off}", bytes(b[:n])))
        elif kind == "json":
            try:
                d = json.loads(data)
            except ValueError:
                continue
            leaves = list(json_leaves(d))
            if leaves:
                leaf = rng.choice(leaves)
                value = rng.choice(JSON_REPLACEMENTS)
                json_set(d, leaf, value)
                out.append((f"r{i}-json{list(leaf)}", json.dumps(d).encode()))
    return out


# --- running ------------------------------------------------------------------------------------

def run_case(exe, target, command, work, timeout):
    args = [exe, "info", target]
    if command == "export":
        args = [exe, "export", target, "--region", "0,0,8,8",
                "--out", os.path.join(work, "out.ome.tif")]
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"),
               XDG_CONFIG_HOME=os.path.join(work, "config"), QT_QPA_PLATFORM="offscreen")
    try:
        p = subprocess.run(args, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return "hang", f"no answer within {timeout} s"
    err = p.stderr.decode(errors="replace").strip()
    if p.returncode < 0:
        return "signal", f"signal {-p.returncode}: {err[-300:]}"
    if p.returncode == 0:
        return None, ""
    if p.returncode == 1:
        return "exit1", err[-300:]
    if p.returncode != 2:
        return "exitcode", f"exit {p.returncode}: {err[-300:]}"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if len(lines) != 1:
        return "lines", f"{len(lines)} lines: {err[-300:]}"
    if os.path.basename(target.rstrip("/")) not in lines[0]:
        return "unnamed", lines[0][:300]
    return None, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--random", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--only", default="", help="run only inputs whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep each failing input in WORK/findings")
    ap.add_argument("--jobs", type=int, default=2, help="CLI runs at a time")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(os.path.join(a.work, "findings"))
    # Write every damaged copy first, then run the CLI on them two at a time.
    jobs = []
    for name, rel, kind, inner, commands in inputs(a.fixtures):
        if a.only and a.only not in name:
            continue
        src = os.path.join(a.fixtures, rel)
        with open(os.path.join(src, inner) if inner else src, "rb") as f:
            data = f.read()
        is_json = inner is not None and (inner.endswith("json") or inner.split("/")[-1] in
                                         (".zattrs", ".zarray", ".zgroup"))
        cases = fixed_mutations(data, is_json) + random_mutations(data, is_json, rng, a.random)
        for label, damaged in cases:
            case = os.path.join(a.work, f"case{len(jobs):05d}")
            target = os.path.join(case, os.path.basename(rel))
            os.makedirs(case)
            if kind == "dir":
                shutil.copytree(src, target)
            with open(os.path.join(target, inner) if kind == "dir" else target, "wb") as f:
                f.write(damaged)
            jobs.append((name, label, commands, case, target))

    def run(job):
        name, label, commands, case, target = job
        found = []
        for command in commands:
            what, detail = run_case(a.tessera, target, command, case, a.timeout)
            if what:
                found.append((name, label, command, what, detail))
        if not found or not a.keep:
            shutil.rmtree(case, ignore_errors=True)
        return found, case

    runs = sum(len(j[2]) for j in jobs)
    findings = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for found, case in pool.map(run, jobs):
            for f in found:
                findings.append(f)
                print(f"FINDING {f[0]} {f[1]} {f[2]}: {f[3]}: {f[4]}", flush=True)
            if found and a.keep:
                shutil.move(case, os.path.join(a.work, "findings", os.path.basename(case)))
    kinds = {}
    for f in findings:
        kinds[f[3]] = kinds.get(f[3], 0) + 1
    print(f"{runs} runs, {len(findings)} findings {kinds}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
