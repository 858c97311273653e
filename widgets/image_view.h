#pragma once
/// The central image view: a VtkGlWindow in a window container, a 2D camera (drag pans, the
/// wheel zooms about the cursor, no rotation; arrows, +/-, 0 = fit, 1 = 1:1) and the tiled
/// ImageLayer. Tile arrivals come back from workers through queued calls guarded by QPointer.
/// GUI thread only; the TileCache outlives the view.
#include <QPointF>
#include <QWidget>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "data/tile_cache.h"
#include "render/image_layer.h"
#include "render/label_layer.h"
#include "render/scale_bar.h"
#include "render/view_camera.h"
#include "widgets/selection_index.h"

namespace tessera::widgets {

class VtkGlWindow;
class SelectionTool;
enum class SelectionShape;

class ImageView : public QWidget {
  Q_OBJECT
 public:
  explicit ImageView(data::TileCache& cache, QWidget* parent = nullptr);
  ~ImageView() override;

  /// Shows `source` (null clears) and fits it into the view.
  void setSource(std::shared_ptr<const data::TileSource> source);
  render::ImageLayer& layer() { return *layer_; }
  const render::ViewCamera& camera() const { return camera_; }
  VtkGlWindow* glWindow() const { return gl_; }

  void fit();
  void oneToOne();
  void zoomBy(double factor);
  void panBy(double dx, double dy);
  /// Centres world point (x, y) at `zoom` device pixels per level-0 pixel.
  void centerOn(double x, double y, double zoom);
  /// The last rendered frame, in device pixels.
  QImage grabFrame();
  /// Runs before each render after the image layer, with the camera: overlays (cells,
  /// legends) update themselves here.
  void setOverlayHook(std::function<void(const render::ViewCamera&)> hook);
  /// Shows an integer label image (OME-NGFF labels) over the image, coloured by its
  /// image-label colours where given and a glasbey palette elsewhere; null removes it.
  void setLabels(std::shared_ptr<const data::TileSource> labels,
                 const std::map<std::int64_t, std::uint32_t>& rgba = {});
  render::LabelLayer* labels() const { return labels_.get(); }
  /// The labels layer's place in the layer order (render::layerDepth), kept for labels set
  /// later: setLabels makes a new layer each time.
  void setLabelsDepth(double dz);
  using MoreLabels = std::vector<std::pair<std::string, std::shared_ptr<const data::TileSource>>>;
  /// Further label images beside labels() (a session with several labels layers), by the
  /// layer's id: those of `more` not shown yet are added (palette colours at opacity 0.5, as
  /// setLabels), those shown but not in `more` go, the others stay as they are. setSource
  /// removes them all.
  void setMoreLabels(const MoreLabels& more);
  render::LabelLayer* moreLabels(const std::string& id) const;
  /// labels() (when set) and the further ones.
  std::vector<render::LabelLayer*> allLabels() const;
  /// The upper parts of the session's image layers over layer() (render::upperImageLayer), in
  /// their places: kept (moved, re-masked) while their number stays, else made anew. They draw
  /// layer()'s displays and plane, and the windows they settle by auto-contrast go back into
  /// layer()'s displays (displaysChanged). setSource removes them.
  void setUpperImages(const std::vector<render::ImagePart>& parts);
  const std::vector<std::unique_ptr<render::ImageLayer>>& upperImages() const { return uppers_; }
  /// The layer that draws `channel`: an upper part's, else layer() (it reads its tiles).
  const render::ImageLayer& layerOf(std::size_t channel) const;
  /// Each channel's raw value at world (x, y) from the layer that draws it (ImageLayer::valuesAt),
  /// with layer()'s level; empty when layer() has none there.
  std::vector<double> valuesAt(double x, double y, int* levelUsed = nullptr) const;
  /// Box / lasso with a plain drag, or None (drag pans; Ctrl+drag lassoes). See SelectionTool.
  void setSelectionShape(SelectionShape shape);
  SelectionTool* selectionTool() const { return selection_; }
  /// Asks for a frame.
  void requestRender() { scheduleRender(); }

 signals:
  /// World (level-0 pixel) position under the cursor; inside = over the image.
  void cursorMoved(QPointF world, bool inside);
  void cursorLeft();
  void levelChanged(int level);
  void displaysChanged();
  void frameRendered(double milliseconds);
  /// A finished box or lasso, world (level-0 pixel) coordinates.
  void selectionDrawn(const std::vector<tessera::widgets::Vec2>& polygon,
                      tessera::widgets::SelectOp op);

 private:
  void scheduleRender();
  void beforeRender(QSize deviceSize);
  void onKey(int key, Qt::KeyboardModifiers mods);

  VtkGlWindow* gl_ = nullptr;
  QWidget* container_ = nullptr;
  render::ViewCamera camera_;
  std::unique_ptr<render::ImageLayer> layer_;
  std::vector<std::unique_ptr<render::ImageLayer>> uppers_;
  std::vector<render::ImagePart> upperParts_;
  std::unique_ptr<render::ScaleBar> scaleBar_;
  std::unique_ptr<render::LabelLayer> labels_;
  double labelsDepth_ = 0;
  std::map<std::string, std::unique_ptr<render::LabelLayer>> moreLabels_;
  data::TileCache& cache_;
  render::ImageLayer::Post post_;
  std::function<void(const render::ViewCamera&)> overlayHook_;
  SelectionTool* selection_ = nullptr;
  bool fitPending_ = false;
  bool dragging_ = false;
  QPointF lastDrag_;
  int lastLevel_ = -1;
};

}  // namespace tessera::widgets
