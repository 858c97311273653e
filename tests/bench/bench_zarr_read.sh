#!/bin/sh
# Zarr read benchmark: Tessera's reader against dask.array.from_zarr on the same region, in the
# same run. Builds nothing.
#
# Usage: tests/bench/bench_zarr_read.sh BUILD_DIR [CACHE_DIR]
#   BUILD_DIR  a build tree where `ninja bench_zarr_read` has been run
#   CACHE_DIR  where the 16384² × 4 uint16 image is made or reused (default /tmp/tessera-bench,
#              or $TESSERA_BENCH_DIR)
# Same work: the same region into one new c/y/x uint16 buffer per run (allocation timed on both
# sides), in process (no start-up on either side), OS cache warm for both (an untimed pass
# first), thread count: dask's default (one per core) and Tessera's pool given the same count.
# The sums of the values read must agree, or the benchmark fails.
# Prints MB/s (10^6 bytes) for both, medians of 5 runs, and their ratio.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench_zarr_read.sh BUILD_DIR [CACHE_DIR]}
cache=${2:-${TESSERA_BENCH_DIR:-/tmp/tessera-bench}}
python=/usr/bin/python3
exe=$build/tests/bench/bench_zarr_read
[ -x "$exe" ] || { echo "no $exe: run 'ninja -C $build bench_zarr_read' first" >&2; exit 2; }

image=$("$python" "$here/bench_zarr_gen.py" "$cache")
echo "image:   $image (4 x 16384 x 16384 uint16, blosc lz4 + byte shuffle, 512x512 chunks)"
echo "region:  c 0..3, y/x 4096..8191 (134.2 MB), median of 5 runs, OS cache warm"
"$python" -c 'import dask.array, zarr' 2>/dev/null ||
  { echo "bench_zarr_read: the peer needs python3-dask and python3-zarr" >&2; exit 2; }
dask=$("$python" "$here/bench_zarr_dask.py" "$image" 5)
threads=$(echo "$dask" | sed 's/.*threads=\([0-9]*\).*/\1/')
tessera=$("$exe" "$image" 5 "$threads")
if [ "$(echo "$tessera" | awk '{print $5}')" != "$(echo "$dask" | awk '{print $5}')" ]; then
  echo "bench_zarr_read: the two readers returned different values (sums differ)" >&2; exit 1
fi
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
echo "$tessera" | awk '{printf "Tessera: %8.1f MB/s  (%.1f ms, ThreadPool %s)\n", $2, $3 * 1000, $4}'
echo "$dask" | awk '{printf "dask:    %8.1f MB/s  (%.1f ms, %s)\n", $2, $3 * 1000, $4}'
echo "$tessera $dask" | awk '{printf "ratio:   %.2fx Tessera/dask\n", $2 / $7}'
