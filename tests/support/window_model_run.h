#pragma once
// Runs a "nuclei" model through a window's Analysis ▸ Run Model for the app tests: the whole
// image's channel 0, labelled into instances, waiting until the run's labels and cells are shown.
#include <QSignalSpy>
#include <QtTest>

#include "app/gui/main_window.h"
#include "app/gui/model_actions.h"

namespace tessera::testing {

/// False when the run fails (its reason is printed) or the cells never load.
inline bool runInstancesModel(app::MainWindow& w, const QString& model) {
  app::RunModelChoice choice;
  choice.model = model;
  choice.channels = {0};
  choice.wholeImage = true;
  choice.instances = true;
  QSignalSpy finished(w.modelActions(), &app::ModelActions::finished);
  QSignalSpy cells(&w, &app::MainWindow::cellsLoaded);
  if (!w.modelActions()->run(choice) || !finished.wait(120000)) return false;
  if (const QString error = finished.at(0).at(0).toString(); !error.isEmpty()) {
    qWarning("%s", qPrintable(error));
    return false;
  }
  if (cells.count() == 0 && !cells.wait(120000)) return false;
  QTest::qWait(100);
  return true;
}

}  // namespace tessera::testing
