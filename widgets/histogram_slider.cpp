#include "widgets/histogram_slider.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace tessera::widgets {
namespace {
constexpr int kMargin = 6;
}

HistogramSlider::HistogramSlider(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(36);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  setToolTip(tr("Drag the handles to set the contrast window"));
}

void HistogramSlider::setHistogram(const std::vector<std::uint32_t>& bins, double lo, double hi) {
  bins_ = bins;
  binLo_ = lo;
  binHi_ = hi > lo ? hi : lo + 1;
  widenRange();
  update();
}

void HistogramSlider::setWindow(double start, double end) {
  start_ = start;
  end_ = std::max(end, start + 1e-9);
  widenRange();
  update();
}

void HistogramSlider::setColor(QColor c) {
  color_ = c;
  update();
}

void HistogramSlider::widenRange() {
  lo_ = std::min(binLo_, start_);
  hi_ = std::max(binHi_, end_);
  if (!(hi_ > lo_)) hi_ = lo_ + 1;
}

double HistogramSlider::xOf(double v) const {
  const double w = std::max(1, width() - 2 * kMargin);
  return kMargin + (v - lo_) / (hi_ - lo_) * w;
}

double HistogramSlider::valueAt(double x) const {
  const double w = std::max(1, width() - 2 * kMargin);
  return lo_ + std::clamp((x - kMargin) / w, 0.0, 1.0) * (hi_ - lo_);
}

void HistogramSlider::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().base());
  const double h = height() - 4;
  if (!bins_.empty()) {
    const auto peak = *std::max_element(bins_.begin(), bins_.end());
    const double logPeak = std::log1p(static_cast<double>(std::max<std::uint32_t>(peak, 1)));
    QPainterPath path;
    path.moveTo(xOf(binLo_), h);
    for (std::size_t i = 0; i < bins_.size(); ++i) {
      const double v = binLo_ + (binHi_ - binLo_) * (static_cast<double>(i) + 0.5) /
                                    static_cast<double>(bins_.size());
      path.lineTo(xOf(v), h - (h - 4) * std::log1p(bins_[i]) / logPeak);
    }
    path.lineTo(xOf(binHi_), h);
    path.closeSubpath();
    QColor fill = color_;
    fill.setAlpha(120);
    p.fillPath(path, fill);
  }
  QColor shade = palette().color(QPalette::Window);
  shade.setAlpha(160);
  p.fillRect(QRectF(0, 0, xOf(start_), height()), shade);
  p.fillRect(QRectF(xOf(end_), 0, width() - xOf(end_), height()), shade);
  p.setPen(QPen(palette().color(QPalette::Text), 2));
  for (const double v : {start_, end_})
    p.drawLine(QPointF(xOf(v), 0), QPointF(xOf(v), height()));
}

void HistogramSlider::mousePressEvent(QMouseEvent* e) {
  const double x = e->position().x();
  dragging_ = std::abs(x - xOf(start_)) <= std::abs(x - xOf(end_)) ? 0 : 1;
  mouseMoveEvent(e);
}

void HistogramSlider::mouseMoveEvent(QMouseEvent* e) {
  if (dragging_ < 0) return;
  const double v = valueAt(e->position().x());
  const double gap = (hi_ - lo_) * 1e-3;
  if (dragging_ == 0)
    start_ = std::min(v, end_ - gap);
  else
    end_ = std::max(v, start_ + gap);
  update();
  emit windowChanged(start_, end_);
}

void HistogramSlider::mouseReleaseEvent(QMouseEvent*) {
  dragging_ = -1;
}

}  // namespace tessera::widgets
