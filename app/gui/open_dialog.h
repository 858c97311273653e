#pragma once
/// File ▸ Open's dialog: images, tables and sessions as files, and a zarr store (OME-Zarr,
/// AnnData zarr, SpatialData, a bare array) as the folder it is. Entering such a folder
/// (double-click, or typing its name and Open) chooses it instead of browsing into it, so the
/// user never has to pick a file inside it. GUI thread only.
#include <QString>

class QFileDialog;
class QWidget;

namespace tessera::app {

/// True for a folder named `*.zarr` or holding zarr metadata (.zattrs, .zgroup, .zarray,
/// zarr.json).
bool isZarrFolder(const QString& path);

/// The dialog, starting in `start` (null parent allowed; the caller owns it).
QFileDialog* makeOpenDialog(QWidget* parent, const QString& start);
/// What the accepted dialog chose: the zarr folder entered, else the selected file.
QString chosenPath(const QFileDialog& dialog);

}  // namespace tessera::app
