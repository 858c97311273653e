#pragma once
/// The Channels dock: one row per channel with visibility, colour and window. Edits go out as
/// a whole new display list (the view re-composites from cached tiles; nothing is re-read).
/// GUI thread only.
#include <QWidget>
#include <vector>

#include "render/channel_display.h"

class QVBoxLayout;
class QLabel;

namespace tessera::widgets {

class ChannelPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ChannelPanel(QWidget* parent = nullptr);
  /// Replaces the rows (empty shows the "no image" state).
  void setDisplays(const std::vector<render::ChannelDisplay>& displays);

 signals:
  void displaysEdited(const std::vector<tessera::render::ChannelDisplay>& displays);

 private:
  void rebuild();
  std::vector<render::ChannelDisplay> displays_;
  QVBoxLayout* rows_ = nullptr;
  QLabel* empty_ = nullptr;
};

}  // namespace tessera::widgets
