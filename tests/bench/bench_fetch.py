#!/usr/bin/python3
"""`tessera fetch` against curl, end to end, same run.

Same work: both download the same files from the same nginx on 127.0.0.1 into fresh folders
on the same file system, 8 transfers at a time (tessera fetch's default; curl --parallel
--parallel-max 8 over one keep-alive pool). The clock runs from process start to process exit
on both sides (each is started by this script with subprocess; start-up is included). Server
side warm: nginx serves from the page cache (one untimed warm-up of each). Output folders are
deleted and the file system synced (untimed) before every run; runs alternate tessera/curl. Medians of N runs (default 7), ratio =
curl time / tessera time (>= 1.0 means tessera is at least as fast).
curl is given the list of files (it cannot enumerate a zarr tree); tessera plans the tree
from its metadata within its own time. tessera fetch also makes the result durable (one
syncfs at the end); curl does not, so "curl + sync" adds `sync -f DIR` (syncfs of the same
file system) after curl, for the same guarantee. Every run's output is compared byte for
byte with the source (a wrong or missing file fails the benchmark).

Workloads: (a) an OME-Zarr tree, 4 x 2048^2 uint16, 3 levels, 128^2 chunks, blosc lz4,
1,349 files, ~42 MiB (random data, incompressible); (b) one 1 GiB file.

Usage: bench_fetch.py TESSERA_EXE [--runs N] [--dir DIR] [--skip-big]
(--dir /dev/shm/... puts the server files and the outputs on tmpfs: the clients alone, no disk.)
"""
import argparse
import filecmp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def make_tree(root):
    import numpy as np
    import zarr
    from numcodecs import Blosc

    path = os.path.join(root, "tree.ome.zarr")
    if os.path.exists(os.path.join(path, ".zattrs")):
        return path
    shutil.rmtree(path, ignore_errors=True)
    rng = np.random.default_rng(7)
    a = rng.integers(0, 65535, size=(4, 2048, 2048), dtype=np.uint16)
    g = zarr.open_group(zarr.DirectoryStore(path, dimension_separator="/"), mode="w")
    comp = Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE)
    datasets = []
    for level in range(3):
        lvl = a[:, :: 2 ** level, :: 2 ** level]
        g.create_dataset(str(level), data=lvl, chunks=(1, 128, 128), compressor=comp,
                         dimension_separator="/")
        datasets.append({"path": str(level), "coordinateTransformations": [
            {"type": "scale", "scale": [1.0, 2.0 ** level, 2.0 ** level]}]})
    g.attrs["multiscales"] = [{"version": "0.4", "axes": [
        {"name": "c", "type": "channel"}, {"name": "y", "type": "space"},
        {"name": "x", "type": "space"}], "datasets": datasets}]
    return path


def make_big(root):
    path = os.path.join(root, "big.bin")
    if os.path.exists(path) and os.path.getsize(path) == 1 << 30:
        return path
    with open(path, "wb") as f:
        block = os.urandom(1 << 24)
        for _ in range(64):
            f.write(block)
    return path


def files_below(root):
    out = []
    for d, _, fs in os.walk(root):
        for f in fs:
            out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def same_tree(a, b):
    fa, fb = files_below(a), files_below(b)
    if fa != fb:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, fa, shallow=False)
    return not mismatch and not errors


class Nginx:
    def __init__(self, root, prefix):
        self.port = free_port()
        os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process off; worker_processes 1;
pid {prefix}/nginx.pid; error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  default_type application/octet-stream; access_log off;
  client_body_temp_path {prefix}/tmp/body; proxy_temp_path {prefix}/tmp/proxy;
  fastcgi_temp_path {prefix}/tmp/fastcgi; uwsgi_temp_path {prefix}/tmp/uwsgi;
  scgi_temp_path {prefix}/tmp/scgi;
  sendfile on; tcp_nopush on; keepalive_requests 100000; keepalive_timeout 60s;
  server {{ listen 127.0.0.1:{self.port}; root {root}; location / {{ }} }}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-p", prefix, "-c", conf, "-e",
                                      os.path.join(prefix, "error.log")])
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("nginx did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()


def timed(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({r.returncode}): {r.stderr.decode()[-500:]}")
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tessera")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--dir", default=os.environ.get("TESSERA_BENCH_DIR", "/tmp/tessera-bench"))
    ap.add_argument("--skip-big", action="store_true")
    args = ap.parse_args()
    for tool in ("curl", "nginx", "sync"):
        if not shutil.which(tool):
            raise SystemExit(f"bench_fetch: {tool} is not installed (the peer/server is missing)")
    www = os.path.join(args.dir, "fetch-www")
    os.makedirs(www, exist_ok=True)
    tree = make_tree(www)
    work = os.path.join(args.dir, "fetch-work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    nginx = Nginx(www, os.path.join(work, "nginx"))
    try:
        files = files_below(tree)
        curl_list = os.path.join(work, "curl.txt")
        with open(curl_list, "w") as f:
            for rel in files:
                f.write(f'url = "{nginx.url("tree.ome.zarr/" + rel)}"\n'
                        f'output = "{work}/c/tree.ome.zarr/{rel}"\n')
        nbytes = sum(os.path.getsize(os.path.join(tree, r)) for r in files)
        print(f"(a) OME-Zarr tree: {len(files)} files, {nbytes / 2**20:.1f} MiB; "
              f"{args.runs} runs each, 8 in parallel, end to end")
        t_runs, c_runs, cs_runs = [], [], []

        def settle():
            # Untimed: the previous run's outputs are deleted and the file system is synced,
            # so no run's clock (tessera's syncfs above all) pays for another run's dirty
            # pages. Without it, times grew run by run on both sides (587 -> 1509 ms).
            shutil.rmtree(f"{work}/t", ignore_errors=True)
            shutil.rmtree(f"{work}/c", ignore_errors=True)
            subprocess.run(["sync", "-f", work], check=True)

        def run_tessera():
            settle()
            dt = timed([args.tessera, "fetch", nginx.url("tree.ome.zarr"), "--out", f"{work}/t",
                        "--parallel", "8"])
            if not same_tree(tree, f"{work}/t/tree.ome.zarr"):
                raise SystemExit("tessera fetch: the downloaded tree differs from the source")
            return dt

        def run_curl(sync):
            settle()
            t0 = time.perf_counter()
            timed(["curl", "-s", "-f", "--parallel", "--parallel-max", "8", "--create-dirs",
                   "-K", curl_list])
            if sync:
                timed(["sync", "-f", f"{work}/c"])
            dt = time.perf_counter() - t0
            if not same_tree(tree, f"{work}/c/tree.ome.zarr"):
                raise SystemExit("curl: the downloaded tree differs from the source")
            return dt

        run_tessera(), run_curl(False)  # warm-up: page cache, nginx
        for _ in range(args.runs):
            t_runs.append(run_tessera())
            c_runs.append(run_curl(False))
            cs_runs.append(run_curl(True))
        t, c, cs = map(statistics.median, (t_runs, c_runs, cs_runs))
        print(f"  tessera fetch:  {t * 1000:7.0f} ms  (runs: {', '.join(f'{x*1000:.0f}' for x in t_runs)})")
        print(f"  curl:           {c * 1000:7.0f} ms  (runs: {', '.join(f'{x*1000:.0f}' for x in c_runs)})")
        print(f"  curl + sync -f: {cs * 1000:7.0f} ms")
        print(f"  ratio curl/tessera: {c / t:.2f}x   (curl+sync)/tessera: {cs / t:.2f}x")

        if not args.skip_big:
            big = make_big(www)
            print(f"(b) one 1 GiB file; {max(3, args.runs // 2)} runs each, end to end")
            tb, cb, cbs = [], [], []
            for i in range(max(3, args.runs // 2) + 1):
                settle()
                x = timed([args.tessera, "fetch", nginx.url("big.bin"), "--out", f"{work}/t"])
                if not filecmp.cmp(big, f"{work}/t/big.bin", shallow=False):
                    raise SystemExit("tessera fetch: the 1 GiB file differs")
                settle()
                os.makedirs(f"{work}/c")
                t0 = time.perf_counter()
                timed(["curl", "-s", "-f", "-o", f"{work}/c/big.bin", nginx.url("big.bin")])
                y = time.perf_counter() - t0
                timed(["sync", "-f", f"{work}/c"])
                ys = time.perf_counter() - t0
                if not filecmp.cmp(big, f"{work}/c/big.bin", shallow=False):
                    raise SystemExit("curl: the 1 GiB file differs")
                if i:  # the first pair warms the page cache
                    tb.append(x), cb.append(y), cbs.append(ys)
            t, c, cs = map(statistics.median, (tb, cb, cbs))
            print(f"  tessera fetch:  {t * 1000:7.0f} ms  {1024 / t:7.0f} MiB/s")
            print(f"  curl:           {c * 1000:7.0f} ms  {1024 / c:7.0f} MiB/s")
            print(f"  curl + sync -f: {cs * 1000:7.0f} ms  {1024 / cs:7.0f} MiB/s")
            print(f"  tessera / curl speed: {c / t:.2f}   tessera / (curl+sync): {cs / t:.2f}")
    finally:
        nginx.stop()
        shutil.rmtree(f"{work}/t", ignore_errors=True)
        shutil.rmtree(f"{work}/c", ignore_errors=True)


if __name__ == "__main__":
    main()
