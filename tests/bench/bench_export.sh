#!/bin/sh
# Export benchmark, end to end: `tessera export` against dask + tifffile writing the same
# OME-TIFF, each as the command a user runs, in the same run.
#
# Same work: the whole 4 x 4096² uint16 level 0 of an OME-Zarr (blosc lz4 + shuffle, 512² chunks,
# bench_zarr_gen.py 4096) to a 512²-tiled OME-TIFF, one plane per channel, uncompressed and then
# deflate level 6 (tifffile: zlib level 6). Clock: process start to process exit on both sides
# (Tessera's library loading and Python's interpreter start-up and imports included). Threads:
# both at their defaults on this machine (Tessera's pool: one worker per core; dask's threaded
# scheduler: one per core). Caches: the source is read once untimed first, so the OS cache is
# warm and equal for both; the output is removed before each run. The two outputs are compared
# pixel for pixel after the runs (tifffile reads both); unequal outputs fail the benchmark.
#
# Usage: tests/bench/bench_export.sh BUILD_DIR [CACHE_DIR] [RUNS]
# Prints the median seconds of RUNS runs (default 5) for both, alternating which goes first,
# and the ratio peer/Tessera (> 1: Tessera is faster).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench_export.sh BUILD_DIR [CACHE_DIR] [RUNS]}
cache=${2:-${TESSERA_BENCH_DIR:-/tmp/tessera-bench}}
runs=${3:-5}
python=/usr/bin/python3
exe=$build/app/tessera
[ -x "$exe" ] || { echo "bench_export: no $exe: build the tessera target first" >&2; exit 2; }
"$python" -c 'import dask.array, tifffile, zarr' 2>/dev/null ||
  { echo "bench_export: the peer needs python3-dask, python3-tifffile and python3-zarr" >&2; exit 2; }

image=$("$python" "$here/bench_zarr_gen.py" "$cache" 4096)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat "$image"/0/*/*/* > /dev/null  # warm the OS cache for both sides

now() { date +%s.%N; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "image:   $image (4 x 4096 x 4096 uint16, blosc lz4 + shuffle, 512² chunks), runs: $runs"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
for comp in none zlib; do
  tcomp=$comp; [ "$comp" = zlib ] && tcomp=deflate
  : > "$out/t.times"; : > "$out/p.times"
  i=0
  while [ $i -lt "$runs" ]; do
    for side in t p; do
      # Alternate which side runs first, so neither always meets a cache the other warmed.
      [ $((i % 2)) -eq 1 ] && side=$([ $side = t ] && echo p || echo t)
      rm -f "$out/$side.ome.tif"
      t0=$(now)
      if [ $side = t ]; then
        "$exe" export "$image" --region 0,0,4096,4096 --compression "$tcomp" \
          --out "$out/t.ome.tif" > /dev/null 2> "$out/t.err" || { cat "$out/t.err" >&2; exit 1; }
      else
        "$python" "$here/bench_export_peer.py" "$image" 0,0,4096,4096 "$comp" "$out/p.ome.tif"
      fi
      t1=$(now)
      echo "$t0 $t1" | awk '{print $2 - $1}' >> "$out/$side.times"
    done
    i=$((i + 1))
  done
  "$python" "$here/bench_export_check.py" "$out/t.ome.tif" "$out/p.ome.tif"
  tm=$(median < "$out/t.times"); pm=$(median < "$out/p.times")
  label=uncompressed; [ "$comp" = zlib ] && label="deflate 6"
  echo "$label: Tessera $tm s  dask+tifffile $pm s  ratio $(echo "$pm $tm" | awk '{printf "%.2f", $1 / $2}')x" \
    "(sizes $(stat -c %s "$out/t.ome.tif") / $(stat -c %s "$out/p.ome.tif") bytes)"
done
