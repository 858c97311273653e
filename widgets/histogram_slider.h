#pragma once
/// A contrast-window slider drawn over a histogram: two handles (start, end) dragged with the
/// mouse; end always stays above start. The histogram is shown on a log scale so that sparse
/// bright structures stay visible. GUI thread only.
#include <QWidget>
#include <cstdint>
#include <vector>

namespace tessera::widgets {

class HistogramSlider : public QWidget {
  Q_OBJECT
 public:
  explicit HistogramSlider(QWidget* parent = nullptr);
  /// Bins over [lo, hi]. The slider range becomes [lo, hi] widened to include the window.
  void setHistogram(const std::vector<std::uint32_t>& bins, double lo, double hi);
  void setWindow(double start, double end);
  double start() const { return start_; }
  double end() const { return end_; }
  void setColor(QColor c);
  QSize sizeHint() const override { return {200, 44}; }

 signals:
  /// Emitted while dragging and on release.
  void windowChanged(double start, double end);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;

 private:
  double valueAt(double x) const;
  double xOf(double value) const;
  void widenRange();

  std::vector<std::uint32_t> bins_;
  double binLo_ = 0, binHi_ = 1;
  double lo_ = 0, hi_ = 1;
  double start_ = 0, end_ = 1;
  QColor color_{255, 255, 255};
  int dragging_ = -1;  // 0 start, 1 end
};

}  // namespace tessera::widgets
