#!/usr/bin/env python3
"""Writes the small ONNX models, images and numpy references the AI tests compare against.

Usage: make_ai_models.py OUTDIR FIXTURES_AI_DIR

Every model uses known weights and only operators OpenCV 4.6 DNN imports (opset 11, Conv with
kernel_shape). References are computed here with numpy alone (zero-padded cross-correlation),
independently of OpenCV, over the whole image in one piece.
"""
import os
import shutil
import sys
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 11


def conv_ref(x, w, b, pad, dil=1):
    """x: C,H,W; w: O,C,k,k; zero padding `pad`, dilation `dil`; like ONNX Conv (correlation)."""
    c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.zeros((c, h + 2 * pad, wd + 2 * pad), np.float64)
    xp[:, pad:pad + h, pad:pad + wd] = x
    out = np.zeros((o, h, wd), np.float64)
    for i in range(k):
        for j in range(k):
            patch = xp[:, i * dil:i * dil + h, j * dil:j * dil + wd]
            out += np.einsum("oc,chw->ohw", w[:, :, i, j], patch)
    return out + b[:, None, None]


def conv_node(name, inp, out, w, b, pad, dil=1):
    k = w.shape[2]
    inits = [numpy_helper.from_array(w.astype(np.float32), name + "_w"),
             numpy_helper.from_array(b.astype(np.float32), name + "_b")]
    node = helper.make_node("Conv", [inp, name + "_w", name + "_b"], [out], name=name,
                            kernel_shape=[k, k], pads=[pad, pad, pad, pad],
                            dilations=[dil, dil], strides=[1, 1])
    return node, inits


def save(nodes, inits, inputs, outputs, path):
    graph = helper.make_graph(nodes, os.path.basename(path), inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="tessera-tests")
    model.ir_version = 6
    onnx.checker.check_model(model)
    onnx.save(model, path)


def tensor(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


rng = np.random.default_rng(7)
W1 = rng.normal(0, 0.5, (3, 1, 3, 3))
B1 = rng.normal(0, 0.1, 3)
W2 = rng.normal(0, 0.5, (2, 3, 5, 5))
B2 = rng.normal(0, 0.1, 2)


def conv_same(x):
    """Conv 3x3 pad 1 -> Relu -> Conv 5x5 dilation 2 pad 4: receptive half-width 1 + 4 = 5."""
    return conv_ref(np.maximum(conv_ref(x, W1, B1, 1), 0), W2, B2, 4, 2)


def conv_same_model(path, dims):
    n1, i1 = conv_node("c1", "x", "h1", W1, B1, 1)
    relu = helper.make_node("Relu", ["h1"], ["h2"], name="relu")
    n2, i2 = conv_node("c2", "h2", "y", W2, B2, 4, 2)
    save([n1, relu, n2], i1 + i2, [tensor("x", dims)], [tensor("y", [1, 2] + dims[2:])], path)


MA = rng.normal(0, 0.5, (1, 2, 3, 3))
MAB = rng.normal(0, 0.1, 1)
MB = rng.normal(0, 0.5, (2, 2, 3, 3))
MBB = rng.normal(0, 0.1, 2)


def multi(x):
    return np.concatenate([conv_ref(x, MA, MAB, 1), 1 / (1 + np.exp(-conv_ref(x, MB, MBB, 2, 2)))])


def multi_model(path):
    na, ia = conv_node("ca", "x", "a", MA, MAB, 1)
    nb, ib = conv_node("cb", "x", "hb", MB, MBB, 2, 2)
    sig = helper.make_node("Sigmoid", ["hb"], ["b"], name="sig")
    save([na, nb, sig], ia + ib, [tensor("x", [1, 2, "H", "W"])],
         [tensor("a", [1, 1, "H", "W"]), tensor("b", [1, 2, "H", "W"])], path)


def unsupported_model(path):
    n1, i1 = conv_node("c1", "x", "h1", W1, B1, 1)
    det = helper.make_node("Det", ["h1"], ["y"], name="det")
    save([n1, det], i1, [tensor("x", [1, 1, "H", "W"])], [tensor("y", [1, 3])], path)


def scale_range(x, lo_p, hi_p, eps=1e-6):
    out = np.empty_like(x)
    for c in range(x.shape[0]):
        lo, hi = np.percentile(x[c], lo_p), np.percentile(x[c], hi_p)
        out[c] = (x[c] - lo) / (hi - lo + eps)
    return out


def package(src, dst, image, pre, post):
    shutil.copytree(src, dst)
    conv_same_model(os.path.join(dst, "weights.onnx"), [1, 1, "H", "W"])
    x = image[:1, :96, :80].astype(np.float32)
    np.save(os.path.join(dst, "test_input.npy"), x[None])
    y = post(conv_same(pre(x.astype(np.float64))))
    np.save(os.path.join(dst, "test_output.npy"), y[None].astype(np.float32))


def main():
    out, fixtures = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    yy, xx = np.mgrid[0:260, 0:300]
    image = np.stack([
        100 + 80 * np.sin(xx / 9.0) * np.cos(yy / 13.0) + rng.normal(0, 10, (260, 300)),
        50 + 0.3 * xx + 0.2 * yy + rng.normal(0, 5, (260, 300)),
    ]).astype(np.float32)
    np.save(os.path.join(out, "image.npy"), image)
    img = image.astype(np.float64)
    conv_same_model(os.path.join(out, "conv_same.onnx"), [1, 1, "H", "W"])
    np.save(os.path.join(out, "conv_same_ref.npy"), conv_same(img[:1]).astype(np.float32))
    conv_same_model(os.path.join(out, "conv_fixed64.onnx"), [1, 1, 64, 64])
    multi_model(os.path.join(out, "multi.onnx"))
    np.save(os.path.join(out, "multi_ref.npy"), multi(img).astype(np.float32))
    unsupported_model(os.path.join(out, "unsupported.onnx"))
    with open(os.path.join(out, "not_onnx.onnx"), "wb") as f:
        f.write(b"this is not a protobuf \xff\xff\xff")

    # Hand-written descriptions (tests/fixtures/ai) around the conv model, with test tensors.
    package(os.path.join(fixtures, "rdf04"), os.path.join(out, "rdf04"), image,
            lambda x: np.clip(scale_range(x, 1, 99.8), 0, 1), lambda y: 2 * y - 1)
    package(os.path.join(fixtures, "rdf05"), os.path.join(out, "rdf05"), image,
            lambda x: (x - x.mean()) / (x.std() + 1e-6), lambda y: 1 / (1 + np.exp(-y)))
    with zipfile.ZipFile(os.path.join(out, "rdf05.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(os.listdir(os.path.join(out, "rdf05"))):
            z.write(os.path.join(out, "rdf05", name), "model/" + name)
    # Weights Tessera cannot run: the error must list the formats present.
    shutil.copytree(os.path.join(fixtures, "rdf_torch"), os.path.join(out, "rdf_torch"))


if __name__ == "__main__":
    main()
