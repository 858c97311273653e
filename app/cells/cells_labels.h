#pragma once
/// The view's label image as an overlay of its own: a row in the Channels panel (visibility,
/// opacity) and, when the cell table names label values, the cells' colouring painted on the
/// label regions.
/// - Link: a cell's label value is data::cellLabelValues: the table's instance key (SpatialData
///   `instance_key`), else obs `instance_id`, `cell_id`, `label_id` or `label`, else its id when
///   every cell id is an integer. A table with none is not linked and the label image keeps its
///   image-label colours or palette.
/// - Linked: each label takes the colour of its cell under the session's colouring (gene LUT,
///   cluster palette, numeric column); labels of hidden cells and labels of no cell are
///   transparent. A colouring change rebuilds one colour table (a vector indexed by label value
///   when the values are dense) and repaints from cached tiles, without re-reading.
/// GUI thread only. The view and panel must outlive this object.
#include <QObject>
#include <QString>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "render/overlay_colors.h"

namespace tessera::data {
struct CellTable;
}
namespace tessera::render {
class LabelLayer;
}
namespace tessera::widgets {
class ImageView;
class ChannelPanel;
}  // namespace tessera::widgets

namespace tessera::app {

class CellsSession;

/// Colour table by label value, 0xRRGGBBAA: the colour of the cell holding that value under
/// `coloring` (alpha 255), 0 for hidden cells (`hidden[i] != 0`) and for values of no cell.
/// Index = label value, so only for dense values; values < 0 are skipped. `coloring` must have
/// passed checkColoring for labelValues.size() items.
std::vector<std::uint32_t> labelColorTable(std::span<const std::int64_t> labelValues,
                                           const render::OverlayColoring& coloring,
                                           std::span<const std::uint8_t> hidden);

/// Colours `labels` by the cells holding each value: a dense table (labelColorTable) when the
/// values are dense enough, else a map; nothing happens for empty `labelValues`.
void colorLabelsByCells(render::LabelLayer& labels, std::span<const std::int64_t> labelValues,
                        const render::OverlayColoring& coloring,
                        std::span<const std::uint8_t> hidden);

class CellsLabels : public QObject {
  Q_OBJECT
 public:
  CellsLabels(widgets::ImageView* view, widgets::ChannelPanel* panel, CellsSession& session,
              QObject* parent = nullptr);

  /// Call after the view's label image was replaced (or removed): lists it as `name` with its
  /// image-label colours (`imageColors`, empty = palette) and re-applies the link.
  void labelsChanged(const QString& name, std::map<std::int64_t, std::uint32_t> imageColors);
  /// True while the cells' colouring is painted on the labels.
  bool linked() const { return linked_; }
  /// The panel row of the label image, or -1.
  int row() const { return row_; }

 private:
  void apply();

  widgets::ImageView* view_;
  widgets::ChannelPanel* panel_;
  CellsSession& session_;
  std::map<std::int64_t, std::uint32_t> imageColors_;
  std::vector<std::int64_t> values_;  ///< label value per cell of the session's table
  std::shared_ptr<const data::CellTable> valuesOf_;  ///< the table values_ was computed for
  int row_ = -1;
  bool linked_ = false;
};

}  // namespace tessera::app
