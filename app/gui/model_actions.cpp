#include "app/gui/model_actions.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QProgressDialog>
#include <algorithm>
#include <filesystem>
#include <future>

#include "app/core/app_context.h"
#include "app/core/session_display.h"
#include "app/gui/classifier_controller.h"
#include "app/gui/main_window.h"
#include "data/ai/model_open.h"
#include "data/ai/prediction_output.h"
#include "data/ai/segment_region.h"
#include "data/demo/demo_dataset.h"
#include "data/image_open.h"
#include "render/channel_display.h"
#include "widgets/image_view.h"

namespace tessera::app {
namespace {

namespace fs = std::filesystem;

struct RunOutput {
  std::string modelName;
  fs::path prediction, labels, cells;
  std::vector<data::ChannelState> channels;  ///< the prediction's, at their defaults
  std::int64_t cellCount = 0;
};

std::string safeName(std::string s) {
  for (auto& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '_';
  return s.empty() ? std::string("model") : s;
}

void removeAll(const RunOutput& o) {
  std::error_code ec;
  for (const auto& p : {o.prediction, o.labels, o.cells})
    if (!p.empty()) fs::remove_all(p, ec);
}

// Blocking: the whole run, on a job thread.
data::Expected<RunOutput> runModel(const RunModelChoice& choice,
                                   std::shared_ptr<const data::TileSource> image, std::int64_t t,
                                   std::int64_t z, const fs::path& folder, AppContext& ctx,
                                   const std::stop_token& stop,
                                   const std::function<void(double)>& progress) {
  auto model = data::ai::openModel(choice.model.toStdString());
  if (!model) return std::unexpected(model.error());
  data::ai::PredictRequest req;
  req.level = choice.level;
  req.t = t;
  req.z = z;
  req.channels = choice.channels;
  if (!choice.wholeImage) {
    if (choice.width <= 0 || choice.height <= 0)
      return data::fail(data::Errc::InvalidArgument, "the view does not show the image");
    req.x = choice.x, req.y = choice.y, req.width = choice.width, req.height = choice.height;
  }
  if (auto plan = data::ai::planPrediction(image->info(), *model->spec, req); !plan)
    return std::unexpected(plan.error());
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return data::fail(data::Errc::Io, folder.string() + ": cannot create the folder");
  RunOutput out;
  out.modelName =
      model->spec->name.empty() ? fs::path(model->spec->source).stem().string() : model->spec->name;
  const std::string stem = safeName(out.modelName) + "-" +
                           QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss").toStdString();
  std::string unique = stem;
  for (int n = 2; fs::exists(folder / (unique + ".ome.zarr"), ec); ++n)
    unique = stem + "-" + std::to_string(n);
  out.prediction = folder / (unique + ".ome.zarr");
  data::ai::OnnxNetPool nets(model->spec);
  const double share = choice.instances ? 0.9 : 1.0;
  auto predicted = data::ai::predictToFile(*image, nets, req, out.prediction, &ctx.tilePool, stop,
                                           [&](double f) { progress(share * f); });
  if (!predicted) return std::unexpected(predicted.error());
  auto pimage = data::openImage(out.prediction.string());
  if (!pimage) {
    removeAll(out);
    return std::unexpected(pimage.error());
  }
  out.channels = toChannelStates(render::defaultDisplays((*pimage)->info()));
  if (!choice.instances) return out;
  if (stop.stop_requested()) {
    removeAll(out);
    return data::fail(data::Errc::Cancelled, "cancelled");
  }
  data::ai::SegmentRequest seg;
  seg.foregroundChannel = choice.foreground;
  seg.boundaryChannel = choice.boundary;
  out.labels = folder / (unique + "-labels.ome.zarr");
  out.cells = folder / (unique + "-cells.h5ad");
  seg.labelsOut = out.labels;
  // The table is written through HDF5, which runs on its own thread.
  std::promise<data::Expected<data::ai::SegmentResult>> done;
  ctx.hdf5Pool.post([&] {
    done.set_value(data::ai::segmentToH5ad(*image, req, predicted->plan, **pimage, seg, out.cells));
  });
  auto cells = done.get_future().get();
  if (!cells) {
    removeAll(out);
    return std::unexpected(cells.error());
  }
  out.cellCount = cells->cells;
  progress(1.0);
  return out;
}

// The session with the run's outputs as layers (see the header).
data::Session withOutputs(data::Session s, const RunOutput& o) {
  const auto* image = s.firstLayer(data::LayerKind::Image);
  const std::string imageId = image ? image->dataset : std::string();
  auto addDataset = [&](data::DatasetKind kind, const fs::path& path, const std::string& name,
                        const std::string& base) {
    data::SessionDataset d;
    d.id = s.freshId(base);
    d.kind = kind;
    d.path = fs::absolute(path).lexically_normal().string();
    d.name = name;
    s.datasets.push_back(d);
    return d.id;
  };
  auto addLayer = [&](data::LayerKind kind, const std::string& dataset, const std::string& name) {
    data::SessionLayer l;
    l.id = s.freshId(data::layerKindName(kind));
    l.kind = kind;
    l.dataset = dataset;
    l.name = name;
    s.layers.push_back(l);
    return &s.layers.back();
  };
  const std::string pid =
      addDataset(data::DatasetKind::Image, o.prediction, o.modelName + " prediction", "prediction");
  addLayer(data::LayerKind::Image, pid, o.modelName + " prediction")->channels = o.channels;
  if (!o.labels.empty()) {
    // The new labels go on top of any earlier ones (their layers stay: each is drawn); the
    // window links one cell table, so the new cells take the place of the previous table.
    std::erase_if(s.layers, [](const auto& l) { return l.kind == data::LayerKind::Cells; });
    const std::string lid =
        addDataset(data::DatasetKind::Labels, o.labels, o.modelName + " labels", "labels");
    addLayer(data::LayerKind::Labels, lid, o.modelName + " labels");
    const std::string cid =
        addDataset(data::DatasetKind::Table, o.cells, o.modelName + " cells", "cells");
    addLayer(data::LayerKind::Cells, cid, o.modelName + " cells");
    if (!imageId.empty()) s.pairings.push_back({cid, imageId, std::nullopt, ""});
    // Rows of the previous table, as the classifier's labels are: they go with it, in the same
    // undo step (setStructure).
    s.selections.clear();
    s.selection.clear();
    s.classifier = {};
  }
  // Datasets no layer draws any more go, with their pairings.
  std::erase_if(s.datasets, [&](const auto& d) {
    return std::none_of(s.layers.begin(), s.layers.end(),
                        [&](const auto& l) { return l.dataset == d.id; });
  });
  std::erase_if(s.pairings,
                [&](const auto& p) { return !s.dataset(p.table) || !s.dataset(p.image); });
  return s;
}

}  // namespace

QString predictionFolder(const QString& sessionFile) {
  if (!sessionFile.isEmpty()) {
    const QFileInfo f(sessionFile);
    return f.absoluteDir().filePath(f.completeBaseName() + ".tessera-data");
  }
  return QString::fromStdString((data::defaultCacheDir() / "predictions").string());
}

ModelActions::ModelActions(MainWindow& window, AppContext& ctx)
    : QObject(&window), w_(window), ctx_(ctx) {
  classifier_ = new ClassifierController(window, ctx);
  connect(this, &ModelActions::finished, this, [this](const QString& error) {
    if (error.isEmpty() || error == QLatin1String("cancelled")) return;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Run Model"), error, QMessageBox::Ok, &w_);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  });
}

ModelActions::~ModelActions() {
  if (stop_) stop_->request_stop();
}

void ModelActions::populateMenu(QMenu* menu) {
  menu->addAction(tr("Run &Model…"), this, &ModelActions::showDialog);
  menu->addAction(classifier_->dock()->toggleViewAction());
}

void ModelActions::showDialog() {
  const auto* shown = w_.current();
  if (!shown || !shown->image) {
    emit finished(tr("Open an image first: a model runs on the image shown."));
    return;
  }
  delete dialog_;
  dialog_ = new RunModelDialog(shown->image->info(), w_.imageView()->camera().visibleWorld(), &w_);
  connect(dialog_, &QDialog::accepted, this, [this] { run(dialog_->choice()); });
  dialog_->open();
}

bool ModelActions::run(const RunModelChoice& choice) {
  const auto* shown = w_.current();
  if (running() || !shown || !shown->image) {
    emit finished(running() ? tr("A model is running already.") : tr("Open an image first."));
    return false;
  }
  stop_ = std::make_shared<std::stop_source>();
  delete progress_;
  progress_ = new QProgressDialog(tr("Running %1…").arg(QFileInfo(choice.model).fileName()),
                                  tr("Cancel"), 0, 1000, &w_);
  progress_->setMinimumDuration(300);
  progress_->setValue(0);
  connect(progress_, &QProgressDialog::canceled, this, &ModelActions::cancel);
  const fs::path folder = predictionFolder(w_.sessionFile()).toStdString();
  const auto& cam = w_.model().session().camera;
  QPointer<ModelActions> self(this);
  auto stop = stop_;
  ctx_.jobPool.post(
      [self, stop, choice, image = shown->image, t = cam.t, z = cam.z, folder, &ctx = ctx_] {
        auto progress = [self, last = -1](double f) mutable {
          const int permille = static_cast<int>(f * 1000);
          if (permille == last) return;
          last = permille;
          QMetaObject::invokeMethod(
              qApp,
              [self, permille] {
                if (!self) return;
                if (self->progress_) self->progress_->setValue(std::min(permille, 999));
                emit self->progressed(permille / 1000.0);
              },
              Qt::QueuedConnection);
        };
        auto r = runModel(choice, image, t, z, folder, ctx, stop->get_token(), progress);
        if (r && stop->stop_requested()) {
          removeAll(*r);  // cancelled after the last tile: nothing is kept
          r = data::fail(data::Errc::Cancelled, "cancelled");
        }
        auto shared = std::make_shared<data::Expected<RunOutput>>(std::move(r));
        QMetaObject::invokeMethod(
            qApp,
            [self, shared] {
              if (!self) {
                if (*shared) removeAll(**shared);
                return;
              }
              self->stop_.reset();
              if (self->progress_) self->progress_->reset();
              const auto& r = *shared;
              if (!r) {
                emit self->finished(r.error().code == data::Errc::Cancelled
                                        ? QStringLiteral("cancelled")
                                        : QString::fromStdString(r.error().message));
                return;
              }
              auto s = self->w_.model().session();
              s.camera = cameraOf(self->w_.imageView()->camera(), s.camera.t, s.camera.z);
              self->w_.reopenWith(withOutputs(std::move(s), *r));
              emit self->finished(QString());
            },
            Qt::QueuedConnection);
      });
  return true;
}

void ModelActions::cancel() {
  if (stop_) stop_->request_stop();
}

}  // namespace tessera::app
