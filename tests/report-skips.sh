#!/usr/bin/env bash
# Runs a Qt Test executable (with its arguments) and reports skips to ctest: a run that passes
# but printed a Qt Test "SKIP   :" line exits 77, the tests' SKIP_RETURN_CODE, so ctest counts it
# as skipped, not passed. A failing run keeps its own exit code: SKIP_REGULAR_EXPRESSION alone
# would report a run that both skipped and failed as skipped.
log=$(mktemp "${TMPDIR:-/tmp}/tessera-test.XXXXXX")
"$@" >"$log" 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; cat "$log"; rm -f "$log"; exit 143' TERM INT
wait "$pid"
rc=$?
cat "$log"
if [ "$rc" -eq 0 ] && grep -q '^SKIP   : ' "$log"; then rc=77; fi
rm -f "$log"
exit "$rc"
