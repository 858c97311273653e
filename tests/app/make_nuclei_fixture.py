#!/usr/bin/env python3
"""Writes a small "nuclei" ONNX model and an image of nuclei of two kinds for the Run Model tests.

Usage: make_nuclei_fixture.py OUTDIR [THRESHOLD [KERNEL]]

- nuclei.onnx: Conv KxK (mean, kernel_shape given, opset 11 as OpenCV 4.6 needs) -> Sigmoid,
  the foreground probability sigmoid(10 * (mean(x) / T - 1)) of one input channel; T = 500 and
  K = 3 by default (THRESHOLD, KERNEL: 2500 7 for the demo's DAPI channel).
- nuclei.ome.tif: 2 x 260 x 300 uint16 (channels "nuclei", "marker"): 100 background, discs of
  radius 6 at 1000 in "nuclei"; every disc is kind A (marker 900) or B (marker 150).
- truth.csv: x,y,kind of every disc centre (level-0 pixels).
"""
import os
import sys

import numpy as np
import onnx
import tifffile
from onnx import TensorProto, helper, numpy_helper


def model(path, threshold, k):
    gain = 10.0 / threshold
    w = np.full((1, 1, k, k), gain / (k * k), np.float32)
    b = np.array([-gain * threshold], np.float32)
    p = k // 2
    conv = helper.make_node("Conv", ["x", "w", "b"], ["h"], kernel_shape=[k, k],
                            pads=[p, p, p, p], strides=[1, 1], name="mean")
    sig = helper.make_node("Sigmoid", ["h"], ["foreground"], name="sigmoid")
    graph = helper.make_graph(
        [conv, sig], "nuclei",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, "H", "W"])],
        [helper.make_tensor_value_info("foreground", TensorProto.FLOAT, [1, 1, "H", "W"])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)],
                          producer_name="tessera-tests")
    m.ir_version = 6
    onnx.checker.check_model(m)
    onnx.save(m, path)


def image(path, truth):
    rng = np.random.default_rng(3)
    h, w = 260, 300
    img = np.full((2, h, w), 100, np.uint16)
    yy, xx = np.mgrid[0:h, 0:w]
    rows = []
    for cy in range(20, h - 15, 24):
        for cx in range(20, w - 15, 24):
            y = cy + int(rng.integers(-3, 4))
            x = cx + int(rng.integers(-3, 4))
            kind = "A" if rng.random() < 0.5 else "B"
            disc = (yy - y) ** 2 + (xx - x) ** 2 <= 36
            img[0][disc] = 1000
            img[1][disc] = 900 if kind == "A" else 150
            rows.append((x, y, kind))
    tifffile.imwrite(path, img, ome=True, photometric="minisblack",
                     metadata={"axes": "CYX", "Channel": {"Name": ["nuclei", "marker"]}})
    with open(truth, "w") as f:
        f.write("x,y,kind\n")
        for x, y, k in rows:
            f.write(f"{x},{y},{k}\n")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    threshold = float(sys.argv[2]) if len(sys.argv) > 2 else 500.0
    kernel = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    model(os.path.join(out, "nuclei.onnx"), threshold, kernel)
    image(os.path.join(out, "nuclei.ome.tif"), os.path.join(out, "truth.csv"))


if __name__ == "__main__":
    main()
