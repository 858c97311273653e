#pragma once
/// One channel in the Channels panel, folded into a compact row (visibility, colour swatch,
/// name, the window as "start–end") that fits a narrow dock, with an expander for the rest: LUT,
/// a window slider over the histogram of the current view, start/end entry (end <= start is
/// refused), gamma, invert and auto-contrast. Emits the edited ChannelDisplay. GUI thread only.
#include <QWidget>

#include "render/channel_display.h"
#include "render/view_statistics.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QToolButton;

namespace tessera::widgets {

class ElidedLabel;
class HistogramSlider;

class ChannelRow : public QWidget {
  Q_OBJECT
 public:
  explicit ChannelRow(QWidget* parent = nullptr);
  void setDisplay(const render::ChannelDisplay& d);
  const render::ChannelDisplay& display() const { return display_; }
  void setStats(const render::ChannelStats& stats);
  /// Sets the window from the current view's percentiles (as the Auto button does).
  void autoContrast();
  QString windowError() const;
  /// Shows or folds the LUT, histogram, window, gamma and invert controls.
  void setExpanded(bool expanded);
  bool isExpanded() const;
  /// The compact row's window text ("120–4000").
  QString rangeText() const;

 signals:
  void edited(const tessera::render::ChannelDisplay& d);

 private:
  void sync();
  void commitWindow(double start, double end);

  render::ChannelDisplay display_;
  render::ChannelStats stats_;
  bool haveStats_ = false;
  QCheckBox* visible_ = nullptr;
  QPushButton* swatch_ = nullptr;
  ElidedLabel* name_ = nullptr;
  QLabel* range_ = nullptr;
  QToolButton* expand_ = nullptr;
  QWidget* details_ = nullptr;
  QComboBox* lut_ = nullptr;
  HistogramSlider* slider_ = nullptr;
  QDoubleSpinBox* start_ = nullptr;
  QDoubleSpinBox* end_ = nullptr;
  QDoubleSpinBox* gamma_ = nullptr;
  QCheckBox* invert_ = nullptr;
  QPushButton* auto_ = nullptr;
  QLabel* error_ = nullptr;
};

}  // namespace tessera::widgets
