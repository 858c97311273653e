#include "app/cells/transcripts_layer.h"

#include <QApplication>
#include <QPointer>
#include <algorithm>
#include <cmath>

#include "app/core/app_context.h"
#include "data/spatial/transcripts.h"

namespace tessera::app {
namespace {
const std::string kName = "transcripts";
constexpr double kDepth = 0.15;  // in front of the cells (0.2) and their outlines (0.3)
}  // namespace

TranscriptsLayer::TranscriptsLayer(AppContext& ctx, vtkRenderer* renderer, QObject* parent)
    : QObject(parent), ctx_(ctx), points_(renderer, kName, kDepth) {}

TranscriptsLayer::~TranscriptsLayer() {
  if (stop_) stop_->request_stop();
}

std::uint32_t TranscriptsLayer::geneColor(std::size_t code) {
  return render::categoryColor(static_cast<std::int64_t>(code));
}

void TranscriptsLayer::cancel() {
  if (!stop_) return;
  stop_->request_stop();
  stop_.reset();
  if (loading_) {
    loading_ = false;
    emit canceled();
  }
}

void TranscriptsLayer::clear() {
  cancel();
  data_.reset();
  shown_.clear();
  (void)points_.setPoints({}, {});
}

void TranscriptsLayer::load(const std::filesystem::path& csvGz, const data::Affine2D& toImage) {
  clear();
  auto stop = std::make_shared<std::stop_source>();
  stop_ = stop;
  loading_ = true;
  emit started(QString::fromStdString(csvGz.string()));
  QPointer<TranscriptsLayer> self(this);
  ctx_.jobPool.post(
      [self, stop, csvGz, toImage, pool = &ctx_.tilePool] {
        // Reports reach the GUI only when the whole percentage changes.
        int lastPercent = -1;
        auto onProgress = [&](std::uint64_t done, std::uint64_t total) {
          const int percent = total ? static_cast<int>(done * 100 / total) : 0;
          if (percent == lastPercent) return;
          lastPercent = percent;
          QMetaObject::invokeMethod(
              qApp,
              [self, stop, percent] {
                if (self && self->stop_ == stop) emit self->progress(percent);
              },
              Qt::QueuedConnection);
        };
        auto tr = data::loadTranscriptsCsvGz(csvGz, pool, stop->get_token(), {}, onProgress);
        std::shared_ptr<TranscriptsData> d;
        std::shared_ptr<render::PreparedPoints> prepared;
        QString error;
        if (!tr) {
          error = QString::fromStdString(tr.error().message);
        } else if (!stop->stop_requested()) {
          // To image pixels, sorted and coloured for the overlay, here rather than on the GUI
          // thread.
          d = std::make_shared<TranscriptsData>();
          const std::size_t n = tr->size();
          d->genes = std::move(tr->geneNames);
          d->counts.assign(d->genes.size(), 0);
          d->code.resize(n);
          d->x.resize(n);
          d->y.resize(n);
          for (std::size_t i = 0; i < n; ++i) {
            d->code[i] = static_cast<std::int32_t>(tr->gene[i]);
            ++d->counts[tr->gene[i]];
            d->x[i] = static_cast<float>(toImage.mapX(tr->x[i], tr->y[i]));
            d->y[i] = static_cast<float>(toImage.mapY(tr->x[i], tr->y[i]));
          }
          d->diameterPx = std::max(1.0, std::sqrt(std::abs(toImage.determinant())));
          auto p = render::PointOverlay::prepare(
              d->x, d->y, render::OverlayColoring::categorical(d->code), kDepth, kName);
          if (p) {
            prepared = std::make_shared<render::PreparedPoints>(std::move(*p));
          } else {
            error = QString::fromStdString(p.error().message);
            d.reset();
          }
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, stop, d = std::move(d), prepared = std::move(prepared), error] {
              if (!self || self->stop_ != stop) return;  // cancelled or superseded
              self->loading_ = false;
              self->stop_.reset();
              if (!d) {
                emit self->failed(error);
                return;
              }
              auto& p = self->points_;
              if (auto r = p.setPoints(std::move(*prepared)); !r) {
                emit self->failed(QString::fromStdString(r.error().message));
                return;
              }
              p.setSize(d->diameterPx, render::SizeUnit::World);
              self->data_ = d;
              self->shown_.clear();
              emit self->loaded(static_cast<qint64>(d->code.size()));
            },
            Qt::QueuedConnection);
      },
      data::Priority::Visible);
}

data::Expected<void> TranscriptsLayer::setShownGenes(std::vector<bool> shown) {
  if (!data_) return {};
  if (!shown.empty() && shown.size() != data_->genes.size())
    return data::fail(data::Errc::InvalidArgument,
                      "transcripts: gene filter has " + std::to_string(shown.size()) +
                          " entries for " + std::to_string(data_->genes.size()) + " genes");
  if (std::all_of(shown.begin(), shown.end(), [](bool b) { return b; })) shown.clear();
  shown_ = std::move(shown);
  if (shown_.empty()) return points_.setHidden({});
  std::vector<std::uint8_t> hidden(data_->code.size());
  for (std::size_t i = 0; i < hidden.size(); ++i)
    hidden[i] = !shown_[static_cast<std::size_t>(data_->code[i])];
  return points_.setHidden(std::move(hidden));
}

void TranscriptsLayer::setVisible(bool visible) {
  points_.setVisible(visible);
}

void TranscriptsLayer::setOpacity(double opacity) {
  points_.setOpacity(opacity);
}

void TranscriptsLayer::update(const render::ViewCamera& camera) {
  points_.update(camera);
}

}  // namespace tessera::app
