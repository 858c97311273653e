#pragma once
/// Versions of Tessera and the libraries it was built with (Help ▸ About, --version).
#include <string>

namespace tessera::app {

std::string tesseraVersion();
/// "Qt 6.4.2, VTK 9.1.0, OpenCV 4.6.0, Boost 1.74.0, HDF5 ..., libtiff ..."
std::string libraryVersions();

}  // namespace tessera::app
