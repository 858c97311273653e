#pragma once
/// The Channels dock: one ChannelRow per channel (see channel_row.h) plus z/t sliders for 5D
/// images. Edits go out as a whole new display list, so the view re-composites from cached
/// tiles; nothing is re-read. GUI thread only.
#include <QWidget>
#include <vector>

#include "render/channel_display.h"
#include "render/view_statistics.h"

class QVBoxLayout;
class QLabel;
class QSlider;

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

 signals:
  void displaysEdited(const std::vector<tessera::render::ChannelDisplay>& displays);
  void planeChanged(std::int64_t t, std::int64_t z);

 private:
  std::vector<ChannelRow*> rows_;
  QVBoxLayout* rowLayout_ = nullptr;
  QLabel* empty_ = nullptr;
  QSlider* t_ = nullptr;
  QSlider* z_ = nullptr;
  QLabel* tLabel_ = nullptr;
  QLabel* zLabel_ = nullptr;
};

}  // namespace tessera::widgets
