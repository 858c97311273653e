#include "widgets/profile_panel.h"

#include <QHelpEvent>
#include <QPainter>
#include <QPolygonF>
#include <QTimer>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace tessera::widgets {
namespace {
constexpr int kRowH = 18;

struct Layout {
  int x, w, labelW, plotX, plotW;
};

Layout layoutFor(int x, int w) {
  Layout l{x, w, std::min(110, w / 3), 0, 0};
  l.plotX = x + l.labelW;
  l.plotW = std::max(20, w - l.labelW - 52);
  return l;
}

// Horizontal bars scaled to the largest value; returns the y below them.
int drawBars(QPainter& p, const Layout& l, int y,
             const std::vector<std::pair<QString, double>>& bars,
             const std::vector<std::uint32_t>& colors) {
  double maxV = 0;
  for (const auto& b : bars)
    maxV = std::max(maxV, b.second);
  if (maxV <= 0) maxV = 1;
  const QFontMetrics fm(p.font());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    p.drawText(QRect(l.x, y, l.labelW - 4, kRowH), Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(bars[i].first, Qt::ElideMiddle, l.labelW - 4));
    const int len = static_cast<int>(l.plotW * bars[i].second / maxV);
    p.fillRect(l.plotX, y + 3, std::max(1, len), kRowH - 6,
               QColor::fromRgb(static_cast<QRgb>(colors[i])));
    p.drawText(QRect(l.plotX + len + 4, y, 60, kRowH), Qt::AlignLeft | Qt::AlignVCenter,
               QString::number(bars[i].second, 'g', 3));
    y += kRowH;
  }
  return y;
}

constexpr int kViolinH = 34;

// The value axis every group of one gene shares: from 0 (or below, for negative values) to the
// largest of the densities' ranges, 95th percentiles and means.
std::pair<double, double> valueRange(const std::vector<ProfilePanel::Box>& boxes) {
  double lo = 0, hi = 0;
  for (const auto& b : boxes) {
    hi = std::max({hi, b.p95, b.mean});
    if (!b.density.empty()) {
      lo = std::min(lo, b.densityLo);
      hi = std::max(hi, b.densityHi);
    }
  }
  if (hi <= lo) hi = lo + 1;
  return {lo, hi};
}

// A violin (when the group has a density) around a box, one row per group; fills `geometry`.
int drawViolins(QPainter& p, const Layout& l, int y, const std::vector<ProfilePanel::Box>& boxes,
                std::vector<ProfilePanel::ViolinGeometry>& geometry) {
  const auto [lo, hi] = valueRange(boxes);
  // Violins are scaled by the share of their group's cells in each bin, on one scale for all
  // groups: a group whose cells crowd around a value is taller there than a spread-out one.
  // Heights go as the square root of the share, so the thin tails of count data (most cells at
  // zero) stay visible beside the zero peak.
  auto total = [](const ProfilePanel::Box& b) {
    double t = 0;
    for (double d : b.density)
      t += d;
    return t;
  };
  double maxShare = 0;
  for (const auto& b : boxes)
    if (const double t = total(b); t > 0)
      maxShare = std::max(maxShare, *std::max_element(b.density.begin(), b.density.end()) / t);
  const QFontMetrics fm(p.font());
  const QPen text = p.pen();
  geometry.clear();
  for (const auto& b : boxes) {
    // One name per row, elided in the middle to the label column (so "…subtype 12" still tells
    // groups apart): names never run into each other or into the violins, however many groups
    // or however long their names. The full name is the label's tooltip.
    const QRect labelCell(l.x, y, l.labelW - 4, kViolinH);
    const QString name = fm.elidedText(b.label, Qt::ElideMiddle, labelCell.width());
    const ProfilePanel::ViolinGeometry g{
        QRect(l.plotX, y, l.plotW, kViolinH),
        fm.boundingRect(labelCell, Qt::AlignRight | Qt::AlignVCenter, name), lo, hi};
    geometry.push_back(g);
    auto px = [&](double v) { return g.xFor(v); };
    p.setPen(text);
    p.drawText(labelCell, Qt::AlignRight | Qt::AlignVCenter, name);
    const QColor c = QColor::fromRgb(static_cast<QRgb>(b.rgb));
    const double mid = y + kViolinH / 2.0;
    const double sum = total(b);
    const double maxD = sum > 0 ? maxShare * sum : 0;  // the count that fills the row
    if (maxD > 0 && b.densityHi > b.densityLo) {
      const double half = kViolinH / 2.0 - 1;
      const double w = (b.densityHi - b.densityLo) / static_cast<double>(b.density.size());
      QPolygonF top, bottom;
      top << QPointF(px(b.densityLo), mid);
      for (std::size_t k = 0; k < b.density.size(); ++k) {
        const double h = half * std::sqrt(b.density[k] / maxD);
        const double x = px(b.densityLo + (static_cast<double>(k) + 0.5) * w);
        top << QPointF(x, mid - h);
        bottom.prepend(QPointF(x, mid + h));
      }
      top << QPointF(px(b.densityHi), mid);
      p.setPen(QPen(c.darker(140), 1));
      p.setBrush(c);
      p.drawPolygon(top + bottom);
      p.setBrush(Qt::NoBrush);
    }
    // The box: thin inside a violin, full height without one.
    const bool thin = maxD > 0;
    const int bh = thin ? 6 : kViolinH - 14;
    const QColor boxColor = thin ? QColor(40, 40, 40) : c;
    p.setPen(QPen(boxColor.darker(thin ? 100 : 130), 1));
    p.drawLine(QPointF(px(b.p5), mid), QPointF(px(b.p95), mid));
    p.fillRect(QRectF(QPointF(px(b.q1), mid - bh / 2.0),
                      QPointF(std::max(px(b.q1) + 1, px(b.q3)), mid + bh / 2.0)),
               boxColor);
    p.setPen(QPen(thin ? Qt::white : Qt::black, 2));
    p.drawLine(QPointF(px(b.median), mid - bh / 2.0 - 1),
               QPointF(px(b.median), mid + bh / 2.0 + 1));
    p.setPen(QPen(Qt::black, 1));
    p.setBrush(Qt::white);
    p.drawEllipse(QPointF(px(b.mean), mid), 3, 3);
    p.setBrush(Qt::NoBrush);
    p.setPen(text);
    p.drawText(QRect(l.plotX + l.plotW + 4, y, 48, kViolinH), Qt::AlignLeft | Qt::AlignVCenter,
               QString::number(b.mean, 'g', 3));
    y += kViolinH;
  }
  return y;
}
}  // namespace

ProfilePanel::ProfilePanel(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(120);
}

void ProfilePanel::setProfiles(const QString& groupColumn, const std::vector<GeneProfile>& profiles,
                               qint64 selected) {
  groupColumn_ = groupColumn;
  profiles_ = profiles;
  selected_ = selected;
  update();
}

void ProfilePanel::setHoveredCell(const QString& cellId,
                                  const std::vector<std::pair<QString, double>>& top) {
  cellId_ = cellId;
  top_ = top;
  update();
}

int ProfilePanel::ViolinGeometry::xFor(double v) const {
  return row.left() +
         static_cast<int>(std::lround(row.width() * std::clamp((v - lo) / (hi - lo), 0.0, 1.0)));
}

bool ProfilePanel::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    const auto* help = static_cast<QHelpEvent*>(e);
    for (std::size_t g = 0; g < geometry_.size() && g < profiles_.size(); ++g)
      for (std::size_t i = 0; i < geometry_[g].size() && i < profiles_[g].groups.size(); ++i)
        if (geometry_[g][i].label.contains(help->pos())) {
          QToolTip::showText(help->globalPos(), profiles_[g].groups[i].label, this);
          return true;
        }
    QToolTip::hideText();
    e->ignore();
    return true;
  }
  return QWidget::event(e);
}

ProfilePanel::ViolinGeometry ProfilePanel::violinGeometry(int gene, int group) const {
  if (gene < 0 || gene >= static_cast<int>(geometry_.size())) return {};
  const auto& g = geometry_[static_cast<std::size_t>(gene)];
  if (group < 0 || group >= static_cast<int>(g.size())) return {};
  return g[static_cast<std::size_t>(group)];
}

void ProfilePanel::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().base());
  p.setPen(palette().text().color());
  QFont bold = font();
  bold.setBold(true);
  const Layout l = layoutFor(8, width() - 16);
  int y = 6;
  geometry_.clear();
  auto heading = [&](const QString& t) {
    p.setFont(bold);
    p.drawText(QRect(l.x, y, l.w, kRowH), Qt::AlignLeft | Qt::AlignVCenter, t);
    p.setFont(font());
    y += kRowH + 2;
  };
  if (profiles_.empty()) {
    p.drawText(QRect(l.x, y, l.w, 40), Qt::AlignLeft | Qt::TextWordWrap,
               tr("Click a gene (or select several) to see its profile."));
    y += 44;
  }
  for (const auto& g : profiles_) {
    if (!g.groups.empty()) {
      heading(tr("%1 by %2").arg(g.gene, groupColumn_));
      geometry_.emplace_back();
      y = drawViolins(p, l, y, g.groups, geometry_.back()) + 6;
      heading(tr("%1: mean by %2").arg(g.gene, groupColumn_));
      std::vector<std::pair<QString, double>> means;
      std::vector<std::uint32_t> colors;
      for (const auto& b : g.groups) {
        means.emplace_back(b.label, b.mean);
        colors.push_back(b.rgb);
      }
      y = drawBars(p, l, y, means, colors) + 6;
    } else {
      geometry_.emplace_back();
    }
    if (g.inOut) {
      heading(tr("%1: selection vs rest (means)").arg(g.gene));
      y = drawBars(p, l, y,
                   {{tr("selection (%1)").arg(selected_), g.inOut->first},
                    {tr("rest"), g.inOut->second}},
                   {0xF0C020, 0x8090A0}) +
          8;
    } else if (g.groups.empty()) {
      heading(g.gene);
    }
  }
  if (!profiles_.empty() && !profiles_.front().inOut) {
    p.drawText(QRect(l.x, y, l.w, kRowH), Qt::AlignLeft | Qt::AlignVCenter,
               tr("Select cells to compare them with the rest."));
    y += kRowH + 8;
  }
  if (!cellId_.isEmpty()) {
    heading(tr("Top genes of %1").arg(cellId_));
    std::vector<std::pair<QString, double>> bars(top_.begin(), top_.end());
    y = drawBars(p, l, y, bars, std::vector<std::uint32_t>(bars.size(), 0x50A0E0));
  }
  // Grow to the content so a scroll area around the panel can scroll it; applied after this
  // paint, as resizing while painting is not allowed.
  const int needed = std::max(120, y + 8);
  if (needed != minimumHeight())
    QTimer::singleShot(0, this, [this, needed] { setMinimumHeight(needed); });
}

}  // namespace tessera::widgets
