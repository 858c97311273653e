#include "app/core/versions.h"

#include <vtkVersion.h>
#include <QtGlobal>
#include <boost/version.hpp>
#include <opencv2/core/version.hpp>

namespace tessera::app {

std::string tesseraVersion() {
  return TESSERA_VERSION;
}

std::string libraryVersions() {
  const std::string boost = std::to_string(BOOST_VERSION / 100000) + "." +
                            std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                            std::to_string(BOOST_VERSION % 100);
  return std::string("Qt ") + qVersion() + " (built with " QT_VERSION_STR "), VTK " +
         vtkVersion::GetVTKVersion() + ", OpenCV " CV_VERSION ", Boost " + boost;
}

}  // namespace tessera::app
