#!/usr/bin/env python3
"""The figure-export peer of bench_figure.sh: what a user scripts with zarr-python and OpenCV to
get the same figure as `tessera render --size WxW --out FILE.tif`.

Same work as Tessera: the coarsest pyramid level still at least WIDTH px wide (level 0 for a
12000 px figure of a 16384 px image), composited with the same windows and colours
(out = clamp(sum_c colour_c * clamp((v - start_c) / (end_c - start_c), 0, 1))), resampled
bilinearly to the output (pixel centres aligned), written as an RGB TIFF with deflate level 6 in
strips of 16 rows. Streams in bands of source rows so that its memory is the output plus a band,
as a careful script would (reading the whole level would take 2 GiB more).

Usage: bench_figure_peer.py IMAGE.ome.zarr WIDTH WINDOWS COLOURS OUT.tif
  WINDOWS: "start:end,..." per channel; COLOURS: "RRGGBB,..." per channel.
"""
import sys

import cv2
import numpy as np
import tifffile
import zarr

image, width, windows, colours, out = sys.argv[1:6]
width = int(width)
group = zarr.open_group(image, mode="r")
level = 0
while str(level + 1) in group and group[str(level + 1)].shape[2] >= width:
    level += 1
level0 = group[str(level)]
channels, height, full = level0.shape
windows = [tuple(float(v) for v in w.split(":")) for w in windows.split(",")]
colours = [np.array([int(c[i:i + 2], 16) for i in (0, 2, 4)], np.float32) / 255 for c in
           colours.split(",")]
s = width / full                      # output pixels per source pixel
out_h = round(height * s)
rgb = np.empty((out_h, width, 3), np.uint8)
offset = 0.5 / s - 0.5                 # source coordinate of output pixel 0's centre
band = 512                             # output rows per band
for o0 in range(0, out_h, band):
    o1 = min(o0 + band, out_h)
    r0 = max(int(np.floor(o0 / s + offset)) - 1, 0)
    r1 = min(int(np.ceil((o1 - 1) / s + offset)) + 2, height)
    acc = np.zeros((r1 - r0, full, 3), np.float32)
    for c in range(channels):
        start, end = windows[c]
        v = np.clip((level0[c, r0:r1, :].astype(np.float32) - start) / (end - start), 0, 1)
        acc += v[:, :, None] * colours[c]
    src = np.clip(acc * 255 + 0.5, 0, 255).astype(np.uint8)
    m = np.array([[1 / s, 0, offset], [0, 1 / s, o0 / s + offset - r0]], np.float64)
    rgb[o0:o1] = cv2.warpAffine(src, m, (width, o1 - o0),
                                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_REPLICATE)
tifffile.imwrite(out, rgb, photometric="rgb", compression=("zlib", 6), rowsperstrip=16)
