#!/usr/bin/env bash
# The `tessera` front (app/front_main.cpp): it loads neither Qt nor VTK, runs fetch, presign and
# --help itself, and hands every other command to tessera-app with the same arguments, exit
# code and process; installed, it finds tessera-app under libexec.
#   check_front.sh BUILD_DIR
set -uo pipefail
build=$1
front=$build/app/tessera
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {  # check NAME CONDITION-STATUS [DETAIL]
  if [ "$2" -eq 0 ]; then echo "PASS: $1"; else
    echo "FAIL: $1${3:+: $3}"
    fails=$((fails + 1))
  fi
}

needed=$(readelf -d "$front" | grep NEEDED)
! grep -qiE 'Qt6|vtk|opencv|hdf5|tiff' <<<"$needed"
check "the front needs no Qt, VTK, OpenCV, HDF5 or libtiff" $? "$needed"

"$front" --help >"$tmp/help" 2>&1
check "--help runs in the front" $? "$(cat "$tmp/help")"
grep -q "fetch URL --out DIR" "$tmp/help"
check "--help prints the whole text" $?

"$front" --version >"$tmp/version" 2>&1
grep -q "^Qt 6" "$tmp/version"
check "--version is answered by tessera-app (library versions)" $? "$(cat "$tmp/version")"

"$front" info "$tmp/no such.zarr" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "no such.zarr" "$tmp/err"
check "a forwarded command keeps its arguments and exit code 2" $? "rc $rc: $(cat "$tmp/err")"

"$front" presign "$tmp/x" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "s3://" "$tmp/err"
check "presign runs in the front (bad URL: exit 2)" $? "rc $rc: $(cat "$tmp/err")"

# Installed: bin/tessera finds libexec/tessera/tessera-app.
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
check "cmake --install" $?
[ -x "$tmp/prefix/libexec/tessera/tessera-app" ]
check "tessera-app is installed under libexec/tessera" $?
"$tmp/prefix/bin/tessera" --version >"$tmp/version" 2>&1
grep -q "^Qt 6" "$tmp/version"
check "the installed front starts the installed tessera-app" $? "$(cat "$tmp/version")"

# Without tessera-app: a clear message and exit 1, never a hang.
mkdir "$tmp/alone" && cp "$front" "$tmp/alone/tessera"
"$tmp/alone/tessera" info demo >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "cannot start" "$tmp/err"
check "a missing tessera-app is reported (exit 1)" $? "rc $rc: $(cat "$tmp/err")"

echo "$fails failed"
[ "$fails" -eq 0 ]
