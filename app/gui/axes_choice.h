#pragma once
/// "Interpret axes…": the axes the user gives a bare zarr array or N5 dataset in the window,
/// asked for with a small dialog. The session keeps them (the dataset entry's "axes"); QSettings
/// remembers them per dataset as the default when that path or URL is opened by itself, under
/// "imageAxes/<sha1 of the absolute path or URL>" (with the path, guarding against stale
/// entries). GUI thread only.
#include <QString>
#include <optional>
#include <string>

#include "data/image_info.h"

class QWidget;

namespace tessera::app {

/// Whether `info`'s axes can be reinterpreted: bare zarr arrays and N5 datasets.
bool canInterpretAxes(const data::ImageInfo& info);

/// Asks for axes (one of t, c, z, y, x per stored dimension), showing the current ones and the
/// shape; nullopt when cancelled or unchanged. Re-asks on a malformed answer.
std::optional<QString> askAxes(QWidget* parent, const data::ImageInfo& info);

/// Saves `axes` for `input` ("" forgets them).
void saveAxesChoice(const std::string& input, const QString& axes);
/// The saved axes of `input`, or "".
QString loadAxesChoice(const std::string& input);

}  // namespace tessera::app
