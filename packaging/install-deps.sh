#!/usr/bin/env bash
# Installs every build, test and run dependency of Tessera from Debian bookworm.
# Idempotent: when everything is present it prints nothing and exits 0.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format dpkg-dev file
  desktop-file-utils appstream
  # Qt 6 (Widgets, OpenGL, Concurrent, Test are all in qt6-base-dev)
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev libqt6svg6 libgl-dev
  # VTK 9.1 (never libvtk9-qt-dev: it is built against Qt 5)
  libvtk9-dev
  # image and data libraries
  libopencv-core-dev libopencv-imgproc-dev libopencv-calib3d-dev libpng-dev libjpeg-dev
  # only tests/data/tst_plain_image writes JPEGs with it (the app decodes through libpng/libjpeg)
  libopencv-imgcodecs-dev
  libboost-dev libhdf5-dev libtiff-dev libblosc-dev libzstd-dev liblz4-dev zlib1g-dev
  libssl-dev libopenslide-dev nlohmann-json3-dev libdeflate-dev libbz2-dev liblzma-dev
  # models: OpenCV DNN (ONNX) and ML (random trees), model zoo descriptions
  libopencv-dnn-dev libopencv-ml-dev libyaml-cpp-dev
  # headless GUI tests: X server, xauth, Mesa llvmpipe
  xvfb xauth libgl1-mesa-dri libglx-mesa0 libegl-mesa0 fonts-dejavu-core
  # story handout tests read the PDF (pdfinfo, pdftocairo)
  poppler-utils
  # loopback HTTP server for remote tests
  nginx-light curl openssl
  # libFuzzer targets (tests/fuzz, .ci/run): clang 19, since clang 14 cannot compile libstdc++
  # 12's std::expected (it lacks conditionally trivial special members)
  clang-19 libclang-rt-19-dev
  # llvm-symbolizer: sanitizer reports name the functions, which .ci/lsan.supp matches
  llvm
  # in-process peer of the HTTP benchmark (libcurl multi)
  libcurl4-openssl-dev
  # independent writers for fixtures and peers for benchmarks
  python3 python3-numpy python3-zarr python3-anndata python3-tifffile python3-h5py python3-dask python3-scipy
  python3-onnx
  # an independent PNG reader for tst_figure_export (and checking ONNX models from Python)
  python3-opencv
  # bench_render's first-frame peer: a bare VTK window showing tiles zarr-python decoded
  python3-vtk9
  # loopback S3 server that verifies SigV4 signatures (tests/support/s3_server.py)
  python3-botocore
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
