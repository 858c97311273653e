#!/usr/bin/env python3
"""The peer of bench_render's open -> first complete frame: a bare VTK application showing the
same level of the OME-Zarr, decoded by zarr-python, in a 1600x1000 window.

Usage: bench_first_frame_peer.py IMAGE.ome.zarr LEVEL RUNS
Each run, like Tessera's, gets a new window whose first (empty) frame is drawn before the clock
starts; the clock then runs from zarr.open_group to the end of the first frame that shows the
image: every channel of level LEVEL read whole, windowed to its min..max and added in its colour
(blue, green, red, magenta, ...) as Tessera's defaults do, uploaded as one texture on a quad
that fills the window's height, rendered (no buffer swap, as Tessera's frame time). One untimed
run warms the OS cache as Tessera's warm-up does. Prints the median in seconds on one line.
"""
import statistics
import sys
import time

import numpy as np
import vtk
import zarr
from vtk.util import numpy_support

path, level, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
COLOURS = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 1], [0, 1, 1], [1, 1, 0]], float)


def once():
    window = vtk.vtkRenderWindow()
    window.SetMultiSamples(0)
    window.SwapBuffersOff()
    window.SetSize(1600, 1000)
    renderer = vtk.vtkRenderer()
    window.AddRenderer(renderer)
    window.Render()  # the window exists and has drawn once, as Tessera's is exposed
    t0 = time.perf_counter()
    group = zarr.open_group(path, mode="r")
    data = np.asarray(group[level][...])
    data = data.reshape((-1,) + data.shape[-2:])  # (c, y, x)
    rgb = np.zeros(data.shape[1:] + (3,), np.float32)
    for c, plane in enumerate(data):
        lo, hi = float(plane.min()), float(plane.max())
        v = np.clip((plane.astype(np.float32) - lo) / max(hi - lo, 1e-9), 0, 1)
        rgb += v[..., None] * COLOURS[c % len(COLOURS)]
    rgb8 = (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)
    h, w = rgb8.shape[:2]
    image = vtk.vtkImageData()
    image.SetDimensions(w, h, 1)
    scalars = numpy_support.numpy_to_vtk(rgb8[::-1].reshape(-1, 3), deep=1)
    image.GetPointData().SetScalars(scalars)
    texture = vtk.vtkTexture()
    texture.SetInputData(image)
    texture.InterpolateOn()
    plane = vtk.vtkPlaneSource()
    plane.SetOrigin(0, 0, 0)
    plane.SetPoint1(w, 0, 0)
    plane.SetPoint2(0, h, 0)
    mapper = vtk.vtkPolyDataMapper()
    mapper.SetInputConnection(plane.GetOutputPort())
    actor = vtk.vtkActor()
    actor.SetMapper(mapper)
    actor.SetTexture(texture)
    actor.GetProperty().LightingOff()
    renderer.AddActor(actor)
    renderer.ResetCamera()
    window.Render()
    elapsed = time.perf_counter() - t0
    window.Finalize()
    return elapsed


once()
print(f"{statistics.median([once() for _ in range(runs)]):.4f}")
