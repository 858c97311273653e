#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the fixtures and small files written here.

Usage: make_seeds.py FIXTURES_DIR OUT_DIR

Writes OUT_DIR/<target>/* for every target in tests/fuzz (the leading selector bytes match
each target's header comment). Deterministic; needs only Debian's numpy, numcodecs, tifffile.
"""
import glob
import gzip
import io
import json
import os
import shutil
import struct
import sys
import zlib

import numcodecs
import numpy as np
import tifffile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                                "ome"))
import make_cells_like  # noqa: E402


def crc32c(data):
    table = crc32c.table
    if table is None:
        table = crc32c.table = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            table.append(c)
    c = 0xFFFFFFFF
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return struct.pack("<I", c ^ 0xFFFFFFFF)


crc32c.table = None


class Seeds:
    def __init__(self, out):
        self.out = out
        self.n = {}

    def add(self, target, data, name=None):
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        k = self.n.get(target, 0)
        self.n[target] = k + 1
        with open(os.path.join(d, name or f"seed{k:03d}"), "wb") as f:
            f.write(data)


def zarr_seeds(fx, s):
    for p in sorted(glob.glob(os.path.join(fx, "ome-zarr", "**", ".zarray"), recursive=True)):
        s.add("zarr_metadata", b"\x00" + open(p, "rb").read())
    for p in sorted(glob.glob(os.path.join(fx, "ome-zarr", "**", "zarr.json"), recursive=True)):
        meta = json.load(open(p))
        if meta.get("node_type") == "array":
            s.add("zarr_metadata", b"\x01" + open(p, "rb").read())
        else:
            s.add("ngff", b"\x01" + json.dumps(meta.get("attributes", {})).encode())
    for p in sorted(glob.glob(os.path.join(fx, "ome-zarr", "**", ".zattrs"), recursive=True)):
        s.add("ngff", b"\x00" + open(p, "rb").read())
    s.add("ngff", b"\x00" + json.dumps({"plate": {"version": "0.4", "rows": [{"name": "A"}],
                                                  "columns": [{"name": "1"}],
                                                  "wells": [{"path": "A/1", "rowIndex": 0,
                                                             "columnIndex": 0}]}}).encode())
    s.add("ngff", b"\x00" + json.dumps({"well": {"images": [{"path": "0"}]}}).encode())
    # fuzz_ngff also serves the attributes as "labels" and as label image "labels/a".
    s.add("ngff", b"\x00" + json.dumps({
        "multiscales": [{"version": "0.4", "axes": [{"name": "c", "type": "channel"},
                                                   {"name": "y", "type": "space"},
                                                   {"name": "x", "type": "space"}],
                         "datasets": [{"path": "0", "coordinateTransformations": [
                             {"type": "scale", "scale": [1, 1, 1]}]}]}],
        "labels": ["a"],
        "image-label": {"version": "0.4",
                        "colors": [{"label-value": 1, "rgba": [255, 0, 0, 255]},
                                   {"label-value": 2.0, "rgba": [0, 300.5, -1, 1e300]}],
                        "properties": [{"label-value": 1, "area": 3, "class": "x"}]}}).encode())
    s.add("zarr_metadata", b"\x01" + json.dumps({
        "zarr_format": 3, "node_type": "array", "shape": [4, 6], "data_type": "int16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3]}},
        "chunk_key_encoding": {"name": "v2", "configuration": {"separator": "/"}},
        "fill_value": "0x7fff", "codecs": [{"name": "bytes", "configuration": {"endian": "big"}}],
    }).encode())


def chunk_seeds(s):
    """One valid encoded chunk per array definition of fuzz_zarr_chunk.cpp, in its order."""
    rng = np.random.default_rng(5)

    def arr(dtype, shape=(16, 16)):
        return (rng.integers(0, 50, size=shape)).astype(dtype)

    v2 = [
        numcodecs.Blosc("lz4", 5, 1).encode(arr("<u2")),
        numcodecs.Blosc("zstd", 3, 2).encode(arr("<f4")),
        numcodecs.Zstd(3).encode(arr("<f4")),
        numcodecs.Zlib(1).encode(arr("<i4")),
        numcodecs.GZip(1).encode(np.asfortranarray(arr(">u2")).tobytes(order="F")),
        numcodecs.LZ4(1).encode(arr("|u1")),
        arr("<f8").tobytes(),
    ]
    for i, enc in enumerate(v2):
        s.add("zarr_chunk", bytes([i]) + bytes(enc))
    base = len(v2)
    s.add("zarr_chunk", bytes([base]) + gzip.compress(arr("<u2").tobytes(), 1))
    t = arr(">f4").T.copy().tobytes()
    z = numcodecs.Zstd(1).encode(t)
    s.add("zarr_chunk", bytes([base + 1]) + bytes(z) + crc32c(bytes(z)))

    def shard(inner_shape, encode, index_at_end, checksum, dtype):
        full = arr(dtype)
        chunks, index = [], []
        off = 0 if index_at_end else 16 * (256 // (inner_shape[0] * inner_shape[1]))
        if not index_at_end and checksum:
            off += 4
        for r in range(0, 16, inner_shape[0]):
            for c in range(0, 16, inner_shape[1]):
                b = encode(full[r:r + inner_shape[0], c:c + inner_shape[1]].copy())
                index += [off, len(b)]
                chunks.append(b)
                off += len(b)
        idx = struct.pack(f"<{len(index)}Q", *index)
        if checksum:
            idx += crc32c(idx)
        body = b"".join(chunks)
        return body + idx if index_at_end else idx + body

    s.add("zarr_chunk", bytes([base + 2]) + shard(
        (8, 8), lambda a: bytes(numcodecs.Blosc("lz4", 5, 1).encode(a)), True, True, "<u2"))
    s.add("zarr_chunk", bytes([base + 3]) + shard(
        (4, 8), lambda a: gzip.compress(a.tobytes(), 1), False, False, "i1"))
    s.add("zarr_chunk", bytes([base + 4]) + shard(
        (8, 8), lambda a: a.tobytes(), True, True, "u1"))


def xml_seeds(fx, s):
    with tifffile.TiffFile(os.path.join(fx, "ome-tiff", "multi-channel.ome.tif")) as t:
        s.add("ome_xml", t.ome_metadata.encode())
    s.add("ome_xml", make_cells_like.ome_xml("title_cells-2z.ome.tif",
                                             {"C": 1, "T": 1, "Z": 2}).encode())
    s.add("ome_xml", b'<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/'
                     b'OME/2016-06"><BinaryOnly MetadataFile="a.companion.ome" UUID="u"/></OME>')
    for p in sorted(glob.glob(os.path.join(fx, "remote", "**", "*.xml"), recursive=True)):
        s.add("s3_list", open(p, "rb").read())


def tiff_seeds(s, work):
    rng = np.random.default_rng(3)
    make_cells_like.write_all(work)
    for name in ("cells-2c.ome.tif", "cells-2z.ome.tif"):
        s.add("tiff", open(os.path.join(work, name), "rb").read())
    p = os.path.join(work, "t.tif")
    data = rng.integers(0, 4000, size=(2, 64, 64)).astype("uint16")
    with tifffile.TiffWriter(p) as tif:
        tif.write(data, tile=(32, 32), compression="zlib", subifds=1,
                  metadata={"axes": "CYX", "PhysicalSizeX": 0.5})
        tif.write(data[:, ::2, ::2], tile=(32, 32), compression="zlib", subfiletype=1)
    s.add("tiff", open(p, "rb").read())
    tifffile.imwrite(p, data[0], bigtiff=True, rowsperstrip=8, metadata=None,
                     photometric="minisblack")
    s.add("tiff", open(p, "rb").read())
    tifffile.imwrite(p, rng.integers(0, 255, size=(24, 20, 3)).astype("uint8"),
                     photometric="rgb", metadata=None)
    s.add("tiff", open(p, "rb").read())


def hdf5_seeds(fx, s):
    for p in ("anndata/v0.11.4.h5ad", "tenx/legacy_filtered_gene_bc_matrices_h5.h5",
              "tenx/v3_filtered_feature_bc_matrix.h5", "visium/filtered_feature_bc_matrix.h5"):
        s.add("hdf5", open(os.path.join(fx, p), "rb").read())


def transcripts_seeds(s):
    rows = ['"transcript_id","cell_id","overlaps_nucleus","feature_name","x_location",'
            '"y_location","z_location","qv"']
    for i in range(12):
        cell = f'"c{i % 3}"' if i % 4 else '"UNASSIGNED"'
        rows.append(f'{281474976710656 + i},{cell},{i % 2},"G{i % 5}",{i * 1.5:.3f},'
                    f'{i * 2.25:.3f},{10 + i / 7:.3f},{20 + i:.2f}')
    text = ("\n".join(rows) + "\n").encode()
    s.add("transcripts", b"\x00\x00" + text)
    s.add("transcripts", b"\x00\x01" + text)
    s.add("transcripts", b"\x01\x00" + gzip.compress(text, 6))
    s.add("transcripts", b"\x00\x00" + text.replace(b'"', b""))


def session_seeds(s):
    """A session using every key of session_file.h, and a minimal one."""
    layer = {"id": "image", "kind": "image", "dataset": "image", "name": "img", "visible": True,
             "opacity": 0.75,
             "channels": [{"name": "DAPI", "color": "#0000ff", "lut": "solid",
                           "window": [10.5, 1000], "gamma": 0.8, "inverted": False,
                           "visible": True, "auto_window": False}]}
    cells = {"id": "cells", "kind": "cells", "dataset": "cells", "visible": False,
             "opacity": 0.5,
             "cells": {"color_by": {"kind": "gene", "name": "KDR"}, "lut": "magma",
                       "range": [0.1, 2.5], "style": "outlines", "point_size": 6,
                       "groups": "cluster", "hidden_categories": [1, 4],
                       "category_colors": {"2": "#123456"}, "profile_genes": ["KDR", "PTPRC"]}}
    full = {
        "tessera_session": 1,
        "datasets": [{"id": "image", "kind": "image", "path": "data/img.ome.zarr", "series": 2,
                      "well": "A/1", "field": 0},
                     {"id": "cells", "kind": "table", "url": "https://example.org/c.h5ad"},
                     {"id": "demo", "kind": "image", "builtin": "demo", "name": "Demo"}],
        "view": {"center": [4096.5, 1000.25], "width": 2048, "height": 1024.0,
                 "viewport": [1600, 800], "t": 0, "z": 3, "level": 2},
        "layers": [layer, cells],
        "pairings": [{"table": "cells", "image": "image", "affine": [[2, 0, 5], [0, 2, 7]],
                      "frame": "images/x"}],
        "selections": {"tumour": [1, 5, 9]},
        "waypoints": [{"title": "Vessels", "narration": "CD31 lines the vessels.",
                       "view": {"center": [100, 200], "width": 512}, "layers": [layer]}],
        "annotations": [{"type": "Feature", "id": 1}],
    }
    s.add("session", json.dumps(full, indent=1).encode())
    s.add("session", b'{"tessera_session": 1, "datasets": [{"path": "../../img.tif"}]}')


def geojson_seeds(fx, s):
    s.add("geojson", open(os.path.join(fx, "annotations", "qupath_export.geojson"), "rb").read())
    feature = lambda geometry, props: {"type": "Feature", "geometry": geometry,
                                       "properties": props}
    box = [[[0, 0], [40, 0], [40, 30], [0, 30], [0, 0]]]
    s.add("geojson", json.dumps([
        feature({"type": "Polygon", "coordinates": box},
                {"objectType": "annotation", "shape": "ellipse", "name": "e",
                 "classification": {"name": "T", "colorRGB": -65536}}),
        feature({"type": "Polygon", "coordinates": box}, {"shape": "rectangle"}),
        feature({"type": "LineString", "coordinates": [[1, 1], [9, 9]]}, {"shape": "arrow"}),
        feature({"type": "Point", "coordinates": [5, 5]}, {"shape": "text", "text": "x"}),
        feature({"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}, {"isHidden": True}),
    ]).encode())


def http_seeds(s):
    body = bytes(range(64))
    responses = [
        b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 16-79/1000\r\n"
        b"Content-Length: 64\r\nConnection: close\r\n\r\n" + body,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + body[:16] +
        b"\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" %
        len(gzip.compress(body)) + gzip.compress(body),
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found",
        b"HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:1/x\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n",
    ]
    for r in responses:
        s.add("http_response", b"\x00" + r)
        s.add("http_response", b"\x01" + r)


def main():
    fx, out = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    s = Seeds(out)
    work = os.path.join(out, ".work")
    os.makedirs(work)
    zarr_seeds(fx, s)
    chunk_seeds(s)
    xml_seeds(fx, s)
    tiff_seeds(s, work)
    hdf5_seeds(fx, s)
    transcripts_seeds(s)
    http_seeds(s)
    session_seeds(s)
    geojson_seeds(fx, s)
    shutil.rmtree(work)
    print(" ".join(f"{k}:{v}" for k, v in sorted(s.n.items())))


if __name__ == "__main__":
    main()
