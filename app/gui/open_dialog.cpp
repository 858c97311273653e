#include "app/gui/open_dialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>

namespace tessera::app {
namespace {
constexpr const char* kFolder = "tessera.zarrFolder";

// Open with a zarr folder selected (or its name typed) takes the folder, where Qt's dialog
// would browse into it.
class OpenDialog : public QFileDialog {
 public:
  using QFileDialog::QFileDialog;
  void accept() override {
    if (!property(kFolder).toString().isEmpty()) return QDialog::accept();  // entered
    const QStringList files = selectedFiles();
    if (files.size() == 1 && isZarrFolder(files.front())) {
      setProperty(kFolder, QDir::cleanPath(files.front()));
      QDialog::accept();
      return;
    }
    QFileDialog::accept();
  }
};
}  // namespace

bool isZarrFolder(const QString& path) {
  const QFileInfo info(path);
  if (!info.isDir()) return false;
  if (info.fileName().endsWith(QLatin1String(".zarr"), Qt::CaseInsensitive)) return true;
  const QDir dir(path);
  for (const char* name : {".zattrs", ".zgroup", ".zarray", "zarr.json"})
    if (dir.exists(QString::fromLatin1(name))) return true;
  return false;
}

QFileDialog* makeOpenDialog(QWidget* parent, const QString& start) {
  // Never start inside a store: entering it would choose it at once.
  const QString from = isZarrFolder(start) ? QFileInfo(start).absolutePath() : start;
  auto* dialog = new OpenDialog(
      parent, QObject::tr("Open File or Zarr Folder"), from,
      QObject::tr("Images, tables and sessions (*.tif *.tiff *.ome.tif *.ome.tiff *.zarr *.h5ad "
                  "*.h5 *.png *.jpg *.svs *.ndpi *.tessera);;All files (*)"));
  dialog->setFileMode(QFileDialog::ExistingFile);
  // Qt's own dialog: a native one would not report the folders it enters.
  dialog->setOption(QFileDialog::DontUseNativeDialog);
  QObject::connect(dialog, &QFileDialog::directoryEntered, dialog, [dialog](const QString& dir) {
    if (!isZarrFolder(dir)) return;
    dialog->setProperty(kFolder, QDir::cleanPath(dir));
    dialog->accept();
  });
  return dialog;
}

QString chosenPath(const QFileDialog& dialog) {
  const QString folder = dialog.property(kFolder).toString();
  if (!folder.isEmpty()) return folder;
  const QStringList files = dialog.selectedFiles();
  return files.isEmpty() ? QString() : files.front();
}

}  // namespace tessera::app
