#!/usr/bin/env bash
# Runs a test that needs an X display: as is when there is one, else under a private Xvfb.
# This keeps `ctest` working verbatim on a headless machine.
if [ -n "${DISPLAY:-}" ]; then exec "$@"; fi
exec xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "$@"
