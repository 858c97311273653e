#!/bin/sh
# Figure export benchmark, end to end: `tessera render --size WxW --out FILE.tif` (the tiled,
# bounded-memory path File > Export View uses) against zarr-python + OpenCV + tifffile making the
# same figure (bench_figure_peer.py), each as the command a user runs, in the same run.
#
# Same work: the whole 4 x 16384² uint16 OME-Zarr (bench_zarr_gen.py; blosc lz4, 512² chunks)
# drawn W px wide (default 12000) with the same four windows and colours, additive, as an RGB TIFF
# (deflate 6, 16-row strips). Clock: process start to exit on both sides. Peak memory: the
# maximum resident set (GNU time's %M) of each process. The source is read once untimed first,
# so the OS cache is warm and equal; the sides alternate which goes first. The two outputs are
# compared after the runs (mean absolute difference per channel value); a mean above 2 fails
# the benchmark (they would not be the same figure).
#
# Usage: tests/bench/bench_figure.sh BUILD_DIR [CACHE_DIR] [RUNS] [WIDTH]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench_figure.sh BUILD_DIR [CACHE_DIR] [RUNS] [WIDTH]}
cache=${2:-${TESSERA_BENCH_DIR:-/tmp/tessera-bench}}
runs=${3:-3}
width=${4:-12000}
python=/usr/bin/python3
exe=$build/app/tessera
[ -x "$exe" ] || { echo "bench_figure: no $exe: build the tessera target first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_figure: needs GNU time (/usr/bin/time)" >&2; exit 2; }

image=$("$python" "$here/bench_zarr_gen.py" "$cache")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat "$image"/0/*/*/* > /dev/null  # warm the OS cache for both sides

windows=700:1500,650:1550,600:1600,750:1450
colours=FF0000,00FF00,0000FF,FF00FF
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "image:   $image (4 x 16384 x 16384 uint16), output ${width} px wide, runs: $runs"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
: > "$out/t.runs"; : > "$out/p.runs"
i=0
while [ $i -lt "$runs" ]; do
  for side in t p; do
    [ $((i % 2)) -eq 1 ] && side=$([ $side = t ] && echo p || echo t)
    rm -f "$out/$side.tif"
    if [ $side = t ]; then
      /usr/bin/time -f "%e %M" -o "$out/time" "$exe" render "$image" --size "${width}x${width}" \
        --window "$(echo $windows | awk -F, '{printf "0=%s,1=%s,2=%s,3=%s", $1, $2, $3, $4}')" \
        --color "$(echo $colours | awk -F, '{printf "0=%s,1=%s,2=%s,3=%s", $1, $2, $3, $4}')" \
        --out "$out/t.tif" > /dev/null 2> "$out/t.err" || { cat "$out/t.err" >&2; exit 1; }
    else
      /usr/bin/time -f "%e %M" -o "$out/time" "$python" "$here/bench_figure_peer.py" "$image" \
        "$width" "$windows" "$colours" "$out/p.tif" 2> "$out/p.err" ||
        { cat "$out/p.err" >&2; exit 1; }
    fi
    tail -1 "$out/time" >> "$out/$side.runs"
  done
  i=$((i + 1))
done
"$python" - "$out/t.tif" "$out/p.tif" <<'PY'
import sys
import numpy as np
import tifffile
t, p = (tifffile.imread(f) for f in sys.argv[1:3])
assert t.shape == p.shape, (t.shape, p.shape)
d = np.abs(t.astype(np.int16) - p.astype(np.int16))
print(f"outputs: {t.shape[1]}x{t.shape[0]} RGB; mean |difference| {d.mean():.2f} / 255, "
      f"{(d > 8).mean() * 100:.2f} % of values differ by more than 8")
sys.exit(0 if d.mean() <= 2 else 1)
PY
tt=$(cut -d' ' -f1 "$out/t.runs" | median); pt=$(cut -d' ' -f1 "$out/p.runs" | median)
tm=$(cut -d' ' -f2 "$out/t.runs" | sort -n | tail -1); pm=$(cut -d' ' -f2 "$out/p.runs" | sort -n | tail -1)
echo "tessera render:       median ${tt} s, peak RSS $((tm / 1024)) MiB  (runs: $(cut -d' ' -f1 "$out/t.runs" | tr '\n' ' '))"
echo "zarr + OpenCV (peer): median ${pt} s, peak RSS $((pm / 1024)) MiB  (runs: $(cut -d' ' -f1 "$out/p.runs" | tr '\n' ' '))"
echo "ratio (peer / Tessera): $(awk -v a="$pt" -v b="$tt" 'BEGIN {printf "%.2f", a / b}')x time, $(awk -v a="$pm" -v b="$tm" 'BEGIN {printf "%.2f", a / b}')x memory"
