#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60), one after another at the lowest CPU
# priority, and prints each target's final stats (executions, cov, ft) and any crash.
#   tests/fuzz/run_all.sh [SECONDS] [TARGET...]
# Builds build-fuzz/ first (clang with -fsanitize=fuzzer,address,undefined; CLANG_CXX picks
# the compiler, default clang++-19: clang 14 cannot compile libstdc++ 12's std::expected).
# Corpora grow in build-fuzz/corpus/<target> (seeded from tests/fixtures by make_seeds.py);
# crashes land in build-fuzz/crashes/<target>/: copy each into tests/fuzz/regressions/<target>/
# once fixed, so the normal ctest run replays it. Exit status 1 when any target crashed.
set -uo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-60}
shift || true
CXX_BIN=${CLANG_CXX:-clang++-19}
CC_BIN=${CLANG_CC:-${CXX_BIN/clang++/clang}}
B=build-fuzz
ALL="zarr_metadata ngff zarr_chunk ome_xml tiff hdf5 transcripts http_response s3_list session geojson"
TARGETS=${*:-$ALL}
if ! command -v "$CXX_BIN" >/dev/null; then
  echo "run_all.sh: $CXX_BIN not found (apt-get install clang-19 libclang-rt-19-dev)" >&2
  exit 2
fi
if [ ! -f $B/build.ninja ]; then
  CXX=$CXX_BIN CC=$CC_BIN cmake -S . -B $B -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTESSERA_FUZZ=ON -DTESSERA_DATA_ONLY=ON -DBUILD_TESTING=OFF >/dev/null || exit 1
fi
nice -n 19 cmake --build $B -j2 --target $(for t in $TARGETS; do echo -n "fuzz_$t "; done) || exit 1
/usr/bin/python3 tests/fuzz/make_seeds.py tests/fixtures $B/seeds >/dev/null || exit 1

declare -A DICT=([zarr_metadata]=json [ngff]=json [zarr_chunk]= [ome_xml]=xml [tiff]=
                 [hdf5]= [transcripts]= [http_response]=http [s3_list]=xml [session]=session
                 [geojson]=geojson)
declare -A MAXLEN=([tiff]=65536 [hdf5]=131072 [zarr_chunk]=16384)
# Targets with a known, open timeout finding (tests/fuzz/findings/README.md): a run that
# ends only in timeout-* artifacts is reported loudly but does not fail the part, so that CI
# keeps catching crashes, leaks and UB while the finding is open. Crashes still fail.
KNOWN_TIMEOUTS=""
SYMBOLIZER=$(command -v llvm-symbolizer-19 || command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
status=0
for t in $TARGETS; do
  mkdir -p $B/corpus/$t $B/crashes/$t
  args=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10
        -artifact_prefix=$B/crashes/$t/ -max_len="${MAXLEN[$t]:-8192}")
  [ -n "${DICT[$t]}" ] && args+=(-dict=tests/fuzz/${DICT[$t]}.dict)
  dirs=($B/corpus/$t $B/seeds/$t)
  [ -d tests/fuzz/regressions/$t ] && dirs+=(tests/fuzz/regressions/$t)
  log=$B/fuzz_$t.log
  # HDF5 is built without frame pointers: only the slow unwinder sees through it, so that a leak
  # inside HDF5 can be told from one of Tessera's handles (.ci/lsan.supp names HDF5's own). It
  # costs 2.8x the fast one per input; 12 frames (not 30) hold every suppressed HDF5 function
  # (H5C_protect is frame 5, H5D__layout_oh_read frame 4) and cut that to 2.1x. A shorter stack
  # can only make a suppression miss (a false report), never hide a leak.
  unwind=; [ "$t" = hdf5 ] && unwind=:fast_unwind_on_malloc=0:malloc_context_size=12
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1$unwind \
    LSAN_OPTIONS=suppressions=$PWD/.ci/lsan.supp:print_suppressions=0 \
    ASAN_SYMBOLIZER_PATH=$SYMBOLIZER UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    nice -n 19 $B/tests/fuzz/fuzz_$t "${args[@]}" "${dirs[@]}" \
    >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  crashes=$(ls $B/crashes/$t | wc -l)
  echo "fuzz_$t: ${execs:-0} execs, cov ${cov:-?}, ft ${ft:-?}, exit $rc, crash files $crashes"
  if [ "$rc" -ne 0 ]; then
    grep -m3 -E 'ERROR|SUMMARY|runtime error' "$log"
    others=$(ls $B/crashes/$t | grep -v '^timeout-' | wc -l)
    if [[ "$KNOWN_TIMEOUTS" == *" $t "* ]] && [ "$others" -eq 0 ] &&
      grep -q 'libFuzzer: timeout' "$log"; then
      echo "fuzz_$t: KNOWN OPEN FINDING (timeout, see tests/fuzz/findings/README.md); not failing"
    else
      status=1
    fi
  fi
done
exit $status
