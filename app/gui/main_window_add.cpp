// File ▸ Add…: a dataset joins the current session as a layer instead of replacing it. The input
// is opened in the background (session_open's openInputToAdd decides whether it may join: a
// table must fit the shown image, an image must fit on it); the model then takes it as one
// undoable edit, and the layers' observers load and draw it (an image's channels join the shown
// image's, which is opened again keeping the model and its history). A refusal says why and leaves
// the session as it was.
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QPointer>
#include <QSettings>
#include <QStatusBar>

#include "app/core/app_context.h"
#include "app/core/session_open.h"
#include "app/gui/main_window.h"

namespace tessera::app {

void MainWindow::chooseAdd() {
  const QString f = QFileDialog::getOpenFileName(
      this, tr("Add to Session"), QSettings().value("dialogs/lastFolder").toString(),
      tr("Cell tables and images (*.h5ad *.h5 *.csv *.csv.gz *.tsv *.zarr *.tif *.tiff *.png);;"
         "All files (*)"));
  if (f.isEmpty()) return;
  QSettings().setValue("dialogs/lastFolder", QFileInfo(f).absolutePath());
  addInput(f);
}

void MainWindow::addInput(const QString& input) {
  if (!current_ || model_.session().empty()) return openInputs({input});
  QPointer<MainWindow> self(this);
  auto shown = current_;
  auto session = std::make_shared<const data::Session>(model_.session());
  statusBar()->showMessage(tr("Adding %1…").arg(input));
  ctx_.jobPool.post(
      [self, shown, session, input, &ctx = ctx_] {
        auto added = std::make_shared<data::Expected<AddedDataset>>(
            openInputToAdd(*session, *shown, input.toStdString(), ctx));
        QMetaObject::invokeMethod(
            qApp,
            [self, shown, input, added] {
              // Another session opened meanwhile: the addition was for the one before.
              if (!self || self->current_ != shown) return;
              auto& a = *added;
              if (!a) {
                self->showError(QString::fromStdString(a.error().message));
                return;
              }
              // The id the model will give it (the session may have changed meanwhile).
              const std::string id = self->model_.session().freshId(a->dataset.id);
              if (a->pairing) a->pairing->table = id;
              a->dataset.id = id;
              if (!a->cells.empty()) self->added_[id] = {a->cells, a->cellsFrame};
              self->model_.addDataset(a->dataset, a->layers, a->pairing);
              self->statusBar()->showMessage(tr("Added %1").arg(input), 5000);
              emit self->datasetAdded(input);
            },
            Qt::QueuedConnection);
      },
      data::Priority::Visible);
}

}  // namespace tessera::app
