#pragma once
/// Xenium transcripts over the image: `transcripts.csv.gz` is loaded on AppContext::jobPool
/// (blocks parsed on the tile pool; the points sorted and coloured there too, so that the GUI
/// thread only hands the buffers to VTK), cancellable; then one
/// PointOverlay draws every transcript coloured by gene (categorical palette, categoryColor of
/// the gene's code), with the density stand-in when zoomed out. A gene filter hides all but the
/// chosen genes. GUI thread only (owns the overlay's VTK actors: destroy it before the view).
/// Errors (file, line, field) arrive through failed().
#include <QObject>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <memory>
#include <stop_token>
#include <vector>

#include "data/cells/affine.h"
#include "render/point_overlay.h"

class vtkRenderer;

namespace tessera::app {

struct AppContext;

/// Transcripts in image pixels (file order).
struct TranscriptsData {
  std::vector<std::string> genes;
  std::vector<std::int32_t> code;   ///< gene per transcript
  std::vector<float> x, y;          ///< image (level-0) pixels
  std::vector<std::size_t> counts;  ///< transcripts per gene
  double diameterPx = 2;            ///< 1 µm in image pixels (at least 1)
};

class TranscriptsLayer : public QObject {
  Q_OBJECT
 public:
  TranscriptsLayer(AppContext& ctx, vtkRenderer* renderer, QObject* parent = nullptr);
  ~TranscriptsLayer() override;

  /// Starts loading `csvGz` (dataset units mapped by `toImage`); cancels a load under way.
  void load(const std::filesystem::path& csvGz, const data::Affine2D& toImage);
  void cancel();
  void clear();
  bool loading() const { return loading_; }
  const TranscriptsData* data() const { return data_.get(); }

  /// One flag per gene (data()->genes order); empty (or all set) shows every gene. Refuses a
  /// filter of the wrong length.
  data::Expected<void> setShownGenes(std::vector<bool> shown);
  const std::vector<bool>& shownGenes() const { return shown_; }
  void setVisible(bool visible);
  void setOpacity(double opacity);
  /// Its place in the layer order (render::layerDepth).
  void setDepthOffset(double dz) { points_.setDepthOffset(dz); }
  /// Call before each render of the view.
  void update(const render::ViewCamera& camera);
  const render::PointOverlay& points() const { return points_; }
  static std::uint32_t geneColor(std::size_t code);

 signals:
  void started(const QString& file);
  /// Percentage of the file read (0..100, rising), while loading.
  void progress(int percent);
  void loaded(qint64 count);
  void failed(const QString& message);
  void canceled();

 private:
  AppContext& ctx_;
  render::PointOverlay points_;
  std::shared_ptr<const TranscriptsData> data_;
  std::vector<bool> shown_;
  std::shared_ptr<std::stop_source> stop_;
  bool loading_ = false;
};

}  // namespace tessera::app
