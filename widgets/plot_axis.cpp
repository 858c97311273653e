#include "widgets/plot_axis.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace tessera::widgets {

PlotAxis::PlotAxis(Side side, QWidget* parent) : QWidget(parent), side_(side) {
  setSizePolicy(side == Side::Bottom ? QSizePolicy::Expanding : QSizePolicy::Fixed,
                side == Side::Bottom ? QSizePolicy::Fixed : QSizePolicy::Expanding);
}

void PlotAxis::setRange(double lo, double hi) {
  if (lo == lo_ && hi == hi_) return;
  lo_ = lo, hi_ = hi;
  update();
}

void PlotAxis::setName(const QString& name) {
  name_ = name;
  update();
}

QSize PlotAxis::sizeHint() const {
  const int line = fontMetrics().height();
  return side_ == Side::Bottom ? QSize(100, 2 * line + 6) : QSize(2 * line + 34, 100);
}

std::vector<PlotAxis::Tick> PlotAxis::ticks() const {
  std::vector<Tick> out;
  const int length = side_ == Side::Bottom ? width() : height();
  const double span = hi_ - lo_;
  if (!(span > 0) || !std::isfinite(span) || length < 20) return out;
  // About one tick per 60 px and at least two, at a round step (at most twice the raw one).
  const double raw = span / std::max(4, length / 60);
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  double step = decade;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * decade >= raw) {
      step = m * decade;
      break;
    }
  for (double v = std::ceil(lo_ / step) * step; v <= hi_ + step * 1e-9; v += step) {
    const double f = (v - lo_) / span;
    const int pos = static_cast<int>(
        std::lround(side_ == Side::Bottom ? f * (length - 1) : (1 - f) * (length - 1)));
    const double shown = std::abs(v) < step * 1e-9 ? 0.0 : v;
    out.push_back({shown, pos, QString::number(shown, 'g', 4)});
  }
  return out;
}

void PlotAxis::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setPen(palette().color(QPalette::WindowText));
  const QFontMetrics fm = fontMetrics();
  const int line = fm.height();
  for (const auto& t : ticks()) {
    if (side_ == Side::Bottom) {
      p.drawLine(t.pos, 0, t.pos, 4);
      const int w = fm.horizontalAdvance(t.label);
      p.drawText(std::clamp(t.pos - w / 2, 0, width() - w), 4 + fm.ascent(), t.label);
    } else {
      p.drawLine(width() - 5, t.pos, width() - 1, t.pos);
      const QRect r(line + 2, t.pos - line / 2, width() - line - 9, line);
      p.drawText(r.translated(0, std::clamp(r.top(), 0, height() - line) - r.top()),
                 Qt::AlignRight | Qt::AlignVCenter, t.label);
    }
  }
  if (name_.isEmpty()) return;
  if (side_ == Side::Bottom) {
    p.drawText(QRect(0, 4 + line, width(), line), Qt::AlignHCenter | Qt::AlignVCenter, name_);
  } else {
    // Read bottom to top, as a y axis name is.
    p.save();
    p.translate(0, height());
    p.rotate(-90);
    p.drawText(QRect(0, 0, height(), line), Qt::AlignHCenter | Qt::AlignVCenter, name_);
    p.restore();
  }
}

}  // namespace tessera::widgets
