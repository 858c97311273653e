#pragma once
/// The Channels dock: one ChannelRow per channel (see channel_row.h) plus z/t sliders for 5D
/// images. Edits go out as a whole new display list, so the view re-composites from cached
/// tiles; nothing is re-read. Below the channels, one row per overlay of the view (label images,
/// cells, transcripts): visibility and opacity always; style, colour-by, LUT and range for the
/// overlays that have them. Edits go out as overlay* signals carrying the row's index, which
/// stays valid until that row is removed (other rows keep theirs). An overlay's controls may be
/// shown elsewhere (the window puts the cells' into the Layers dock: overlayControls()); the
/// panel keeps driving them. GUI thread only.
#include <QWidget>
#include <vector>

#include "render/channel_display.h"
#include "render/view_statistics.h"

class QVBoxLayout;
class QLabel;
class QSlider;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;

namespace tessera::widgets {

class ChannelRow;

class ChannelPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ChannelPanel(QWidget* parent = nullptr);
  /// Replaces the rows when the channel count changes, else updates them in place.
  void setDisplays(const std::vector<render::ChannelDisplay>& displays);
  void setStats(std::size_t channel, const render::ChannelStats& stats);
  /// Shows z/t sliders when the image has more than one plane along them.
  void setPlanes(std::int64_t sizeT, std::int64_t sizeZ);
  ChannelRow* row(std::size_t channel) const;
  QSlider* zSlider() const { return z_; }
  QSlider* tSlider() const { return t_; }

  /// Overlay section. Each overlay gets a row and an index never reused by later rows.
  /// `styles` empty hides the style box; `coloring` false hides colour-by, LUT and range (a
  /// label image keeps its own colours). `opacity` in [0, 1] is the row's initial value.
  int addOverlay(const QString& name, const QStringList& styles, bool coloring = true,
                 double opacity = 1.0);
  /// Removes one row; an unknown or removed index is ignored.
  void removeOverlay(int index);
  void clearOverlays();
  /// Rows alive.
  int overlayCount() const;
  QString overlayName(int index) const;
  /// Colour-by choices (columns, "gene: NAME") and the current one (no signal).
  void setOverlayColorChoices(int index, const QStringList& choices, const QString& current);
  /// Continuous colourings show LUT and range; categorical ones hide them (no signal).
  void setOverlayRange(int index, bool continuous, const QString& lut, double min, double max);
  void setOverlayStyle(int index, int style);
  QCheckBox* overlayVisible(int index) const;
  /// The row's controls as one widget, for the owner to place (null for an unknown index).
  QWidget* overlayControls(int index) const;
  /// Hides the row's name, visibility and opacity (where a layer list shows them already).
  void setOverlayCompact(int index, bool compact);
  QSlider* overlayOpacity(int index) const;

 signals:
  void displaysEdited(const std::vector<tessera::render::ChannelDisplay>& displays);
  void planeChanged(std::int64_t t, std::int64_t z);
  void overlayVisibleChanged(int index, bool visible);
  void overlayOpacityChanged(int index, double opacity);
  void overlayStyleChanged(int index, int style);
  void overlayColorByChosen(int index, const QString& choice);
  void overlayLutChosen(int index, const QString& lut);
  void overlayRangeEdited(int index, double min, double max);

 private:
  std::vector<ChannelRow*> rows_;
  QVBoxLayout* rowLayout_ = nullptr;
  QLabel* empty_ = nullptr;
  QSlider* t_ = nullptr;
  QSlider* z_ = nullptr;
  QLabel* tLabel_ = nullptr;
  QLabel* zLabel_ = nullptr;
  struct OverlayRow {
    QGroupBox* box = nullptr;  ///< null once removed
    QCheckBox* visible = nullptr;
    QSlider* opacity = nullptr;
    QComboBox* style = nullptr;
    QComboBox* colorBy = nullptr;
    QComboBox* lut = nullptr;
    QDoubleSpinBox* min = nullptr;
    QDoubleSpinBox* max = nullptr;
    QWidget* rangeRow = nullptr;
  };
  const OverlayRow* overlay(int index) const;
  std::vector<OverlayRow> overlays_;
  QVBoxLayout* overlayLayout_ = nullptr;
};

}  // namespace tessera::widgets
