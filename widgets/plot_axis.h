#pragma once
/// An axis strip beside a plot: round ticks (1, 2 or 5 × 10^k) over the value range shown,
/// labelled, with the axis name. Bottom strips run left to right; left strips run bottom to
/// top (larger values higher). The owner sets the range whenever the plot's view changes.
/// GUI thread only.
#include <QString>
#include <QWidget>
#include <vector>

namespace tessera::widgets {

class PlotAxis : public QWidget {
  Q_OBJECT
 public:
  enum class Side { Bottom, Left };
  explicit PlotAxis(Side side, QWidget* parent = nullptr);
  /// The values at the strip's two ends: left and right, or bottom and top.
  void setRange(double lo, double hi);
  void setName(const QString& name);
  QString name() const { return name_; }
  struct Tick {
    double value;
    int pos;  ///< along the strip, logical pixels from its left (or top) edge
    QString label;
  };
  /// The ticks as painted at the current size.
  std::vector<Tick> ticks() const;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return sizeHint(); }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  Side side_;
  double lo_ = 0, hi_ = 1;
  QString name_;
};

}  // namespace tessera::widgets
