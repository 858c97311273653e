#!/usr/bin/env python3
"""Checks that two OME-TIFFs hold the same pixels (tifffile reads both). Exit 1 when not.

Usage: bench_export_check.py A.ome.tif B.ome.tif
"""
import sys

import numpy as np
import tifffile

a = tifffile.imread(sys.argv[1])
b = tifffile.imread(sys.argv[2])
if a.shape != b.shape or a.dtype != b.dtype or not np.array_equal(a, b):
    print(f"bench_export: outputs differ: {sys.argv[1]} {a.shape} {a.dtype} vs "
          f"{sys.argv[2]} {b.shape} {b.dtype}", file=sys.stderr)
    sys.exit(1)
