"""Reference measurements for tst_annotation_measure, computed with numpy over whole masks.

Usage: annotation_measure_reference.py FEATURES.geojson WIDTH HEIGHT CHANNELS LEVEL DTYPE
       annotation_measure_reference.py FEATURES.geojson --zarr IMAGE.ome.zarr LEVEL [CELLS.h5ad]
Rebuilds the test's generated image (the same integer formula), or reads level LEVEL of an
OME-Zarr image (its multiscales datasets, c/y/x or t/c/z/y/x), rasterises each area feature by
pixel centres with the even-odd rule over all of its rings (an ellipse by its equation), and
prints one JSON object per feature: area_px (level-0 pixels) and per channel numpy's mean,
median, min, max and std (ddof=0).
"""
import json
import sys

import numpy as np


def image(width, height, channels, level, dtype):
    w, h = max(1, width >> level), max(1, height >> level)
    y, x = np.mgrid[0:h, 0:w].astype(np.int64)
    planes = []
    for c in range(channels):
        v = ((x * 73856093) ^ (y * 19349663) ^ (c * 83492791 + level * 7)) % 5000
        planes.append(v.astype(np.uint16) if dtype == "uint16" else (v / 7.0).astype(np.float32))
    return np.stack(planes), w, h


def ring_mask(ring, xc, yc):
    inside = np.zeros(xc.shape, bool)
    n = len(ring)
    for i in range(n):
        (x0, y0), (x1, y1) = ring[i - 1], ring[i]
        crosses = (y0 <= yc) != (y1 <= yc)
        with np.errstate(divide="ignore", invalid="ignore"):
            xi = x0 + (yc - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (xc < xi)
    return inside


def feature_mask(f, w, h, dx, dy):
    yc, xc = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    g, props = f["geometry"], f["properties"]
    if props.get("shape") == "ellipse":
        ring = np.array(g["coordinates"][0], float)
        x0, y0 = ring.min(0) / (dx, dy)
        x1, y1 = ring.max(0) / (dx, dy)
        cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        t = (yc - cy) / ry
        return (t * t < 1) & (np.abs(xc - cx) < rx * np.sqrt(np.clip(1 - t * t, 0, None)))
    polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    mask = np.zeros((h, w), bool)
    for poly in polys:
        for ring in poly:
            pts = [(p[0] / dx, p[1] / dy) for p in ring[:-1]]
            mask ^= ring_mask(pts, xc, yc)
    return mask


def zarr_image(path, level):
    import zarr
    group = zarr.open_group(path, mode="r")
    datasets = group.attrs["multiscales"][0]["datasets"]
    full = group[datasets[0]["path"]]
    arr = np.asarray(group[datasets[level]["path"]][...])
    arr = arr.reshape((-1,) + arr.shape[-2:]) if arr.ndim != 3 else arr
    return arr, full.shape[-1], full.shape[-2]


def points_inside(f, x, y):
    """Even-odd test of points (the cells) with the pixel-centre rule, in level-0 pixels."""
    mask = feature_mask_at(f, x, y)
    return int(mask.sum())


def feature_mask_at(f, xc, yc):
    g, props = f["geometry"], f["properties"]
    if props.get("shape") == "ellipse":
        ring = np.array(g["coordinates"][0], float)
        (x0, y0), (x1, y1) = ring.min(0), ring.max(0)
        cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        t = (yc - cy) / ry
        return (t * t < 1) & (np.abs(xc - cx) < rx * np.sqrt(np.clip(1 - t * t, 0, None)))
    polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    mask = np.zeros(xc.shape, bool)
    for poly in polys:
        for ring in poly:
            mask ^= ring_mask([(p[0], p[1]) for p in ring[:-1]], xc, yc)
    return mask


def main():
    cells = None
    if sys.argv[2] == "--zarr":
        path, level = sys.argv[1], int(sys.argv[4])
        img, width, height = zarr_image(sys.argv[3], level)
        channels, h, w = img.shape
        if len(sys.argv) > 5:
            import h5py
            with h5py.File(sys.argv[5], "r") as fh:
                xy = np.asarray(fh["obsm/spatial"][...], float)
            cells = (xy[:, 0], xy[:, 1])
    else:
        path, width, height, channels, level, dtype = sys.argv[1:7]
        width, height, channels, level = int(width), int(height), int(channels), int(level)
        img, w, h = image(width, height, channels, level, dtype)
    dx, dy = width / w, height / h
    with open(path) as fh:
        features = json.load(fh)["features"]
    out = []
    for f in features:
        if f["geometry"]["type"] not in ("Polygon", "MultiPolygon"):
            out.append(None)
            continue
        m = feature_mask(f, w, h, dx, dy)
        chans = []
        for c in range(channels):
            v = img[c][m].astype(np.float64)
            if v.size == 0:
                chans.append(None)
                continue
            chans.append({"mean": v.mean(), "median": float(np.median(v)), "min": v.min(),
                          "max": v.max(), "std": v.std()})
        row = {"area_px": float(m.sum()) * dx * dy, "channels": chans}
        if cells is not None:
            row["cells"] = points_inside(f, *cells)
        out.append(row)
    print(json.dumps(out))


main()
