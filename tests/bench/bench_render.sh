#!/bin/sh
# Rendering benchmark: the 16384² x 4-channel pyramid (bench_zarr_gen.py, shared with the read
# benchmark) in a real 1600x1000 window under Xvfb, 600 scripted frames, beside a bare-VTK floor.
# Usage: tests/bench/bench_render.sh BUILD_DIR [CACHE_DIR] [--cache-mb N]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench_render.sh BUILD_DIR [CACHE_DIR] [--cache-mb N]}
cache=${2:-${TESSERA_BENCH_DIR:-/tmp/tessera-bench}}
shift; [ $# -gt 0 ] && shift
image=$(/usr/bin/python3 "$here/bench_zarr_gen.py" "$cache")
run() { if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1920x1200x24" "$@"; fi; }
run "$build/tests/bench/bench_render" "$image" "$@"
