// The Cell Classifier's prediction kept beside the saved session (data/session/
// classifier_prediction.h): written on every save when it is the prediction of the session's
// labels, read back when the session's table loads, and shown instead of training when it is
// still that of the labels and the table.
#include <QApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QPointer>
#include <filesystem>

#include "app/cells/cells_data.h"
#include "app/core/app_context.h"
#include "app/gui/classifier_controller.h"
#include "app/gui/main_window.h"
#include "app/gui/model_actions.h"
#include "widgets/classifier_panel.h"

namespace tessera::app {

std::string ClassifierController::tableSource() const {
  const auto* d = w_.model().session().dataset(table_);
  if (!d) return {};
  const QFileInfo f(QString::fromStdString(d->location()));
  return d->location() + "|" + std::to_string(f.size()) + "|" +
         std::to_string(f.lastModified().toMSecsSinceEpoch());
}

void ClassifierController::restoreStored() {
  const QString session = w_.sessionFile();
  if (session.isEmpty()) return train();
  if (training_) {
    again_ = true;
    return;
  }
  training_ = true;  // busy until the stored prediction is shown or the training ends
  panel_->setStatus(tr("Reading the prediction saved with the session…"));
  const auto file = data::storedPredictionFile(predictionFolder(session).toStdString());
  const auto dir = QFileInfo(session).absolutePath().toStdString();
  QPointer<ClassifierController> self(this);
  ctx_.jobPool.post([self, file, dir, base = base_] {
    auto stored = std::make_shared<data::Expected<data::StoredPrediction>>(
        data::readStoredPrediction(file, dir));
    QMetaObject::invokeMethod(
        qApp,
        [self, stored, base] {
          if (self) self->adoptStored(*stored, base);
        },
        Qt::QueuedConnection);
  });
}

void ClassifierController::adoptStored(const data::Expected<data::StoredPrediction>& stored,
                                       const std::shared_ptr<const CellsData>& base) {
  training_ = false;
  if (base != base_) {  // another table meanwhile
    if (std::exchange(again_, false)) train();
    return;
  }
  const auto labels = currentLabels();
  auto ok = stored ? data::checkStoredPrediction(*stored, labels, tableSource(),
                                                 static_cast<std::size_t>(base_->size()))
                   : data::Expected<void>(std::unexpected(stored.error()));
  if (!ok) {
    // None stored (a session saved before there was a prediction) trains quietly; a damaged or
    // stale one is never trusted, and the dock says so.
    if (ok.error().code != data::Errc::NotFound)
      notice_ = tr("The prediction saved with the session was discarded: %1.")
                    .arg(QString::fromStdString(ok.error().message));
    again_ = false;
    return train();
  }
  const auto& p = *stored;
  confusion_ = {};
  confusion_.classNames = p.confusionClasses;
  if (!p.confusion.empty()) {
    const int k = static_cast<int>(p.confusion.size());
    confusion_.counts = cv::Mat(k, k, CV_32S);
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j)
        confusion_.counts.at<int>(i, j) =
            p.confusion[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
  }
  classifier_.reset();
  fromStore_ = true;
  predictedFrom_ = p.labels;
  showPrediction({p.classes, p.confidence}, p.classNames);
  panel_->setStatus(tr("The prediction saved with the session: every cell has its predicted "
                       "class in the column \"%1\" (Train to train again).")
                        .arg(QString::fromLatin1(kColumn)));
  emit trained();
  if (std::exchange(again_, false)) train();
}

void ClassifierController::storeBeside(const QString& sessionFile) {
  namespace fs = std::filesystem;
  const fs::path file = data::storedPredictionFile(predictionFolder(sessionFile).toStdString());
  const auto labels = currentLabels();
  if (!own_ || labels.empty() || !predictedFrom_ || *predictedFrom_ != labels) {
    // Nothing current to store: what an earlier save stored there would be stale.
    std::error_code ec;
    fs::remove(file, ec);
    return;
  }
  data::StoredPrediction p;
  p.labels = labels;
  p.source = tableSource();
  p.classNames = predictedClasses_;
  p.classes = prediction_.classes;
  p.confidence = prediction_.confidence;
  p.confusionClasses = confusion_.classNames;
  for (int i = 0; i < confusion_.counts.rows; ++i) {
    p.confusion.emplace_back();
    for (int j = 0; j < confusion_.counts.cols; ++j)
      p.confusion.back().push_back(confusion_.counts.at<int>(i, j));
  }
  if (p.confusion.empty()) p.confusionClasses.clear();
  const auto dir = QFileInfo(sessionFile).absolutePath().toStdString();
  if (auto w = data::writeStoredPrediction(p, file, dir); !w)
    panel_->setStatus(tr("The prediction was not stored with the session: %1")
                          .arg(QString::fromStdString(w.error().message)));
}

}  // namespace tessera::app
