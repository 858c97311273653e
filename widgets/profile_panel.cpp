#include "widgets/profile_panel.h"

#include <QPainter>
#include <algorithm>

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
               fm.elidedText(bars[i].first, Qt::ElideRight, l.labelW - 4));
    const int len = static_cast<int>(l.plotW * bars[i].second / maxV);
    p.fillRect(l.plotX, y + 3, std::max(1, len), kRowH - 6,
               QColor::fromRgb(static_cast<QRgb>(colors[i])));
    p.drawText(QRect(l.plotX + len + 4, y, 60, kRowH), Qt::AlignLeft | Qt::AlignVCenter,
               QString::number(bars[i].second, 'g', 3));
    y += kRowH;
  }
  return y;
}

// One box per group on a shared axis from 0 to the largest 95th percentile.
int drawBoxes(QPainter& p, const Layout& l, int y, const std::vector<ProfilePanel::Box>& boxes) {
  double maxV = 0;
  for (const auto& b : boxes)
    maxV = std::max({maxV, b.p95, b.mean});
  if (maxV <= 0) maxV = 1;
  auto px = [&](double v) {
    return l.plotX + static_cast<int>(l.plotW * std::clamp(v / maxV, 0.0, 1.0));
  };
  const QFontMetrics fm(p.font());
  const QPen text = p.pen();
  for (const auto& b : boxes) {
    p.setPen(text);
    p.drawText(QRect(l.x, y, l.labelW - 4, kRowH), Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(b.label, Qt::ElideRight, l.labelW - 4));
    const QColor c = QColor::fromRgb(static_cast<QRgb>(b.rgb));
    const int mid = y + kRowH / 2;
    p.setPen(QPen(c.darker(130), 1));
    p.drawLine(px(b.p5), mid, px(b.p95), mid);
    p.fillRect(
        QRect(QPoint(px(b.q1), y + 3), QPoint(std::max(px(b.q1) + 1, px(b.q3)), y + kRowH - 4)), c);
    p.setPen(QPen(Qt::black, 2));
    p.drawLine(px(b.median), y + 2, px(b.median), y + kRowH - 3);
    p.setPen(Qt::NoPen);
    p.setBrush(Qt::white);
    p.drawEllipse(QPoint(px(b.mean), mid), 3, 3);
    p.setBrush(Qt::NoBrush);
    p.setPen(text);
    p.drawText(QRect(l.plotX + l.plotW + 4, y, 48, kRowH), Qt::AlignLeft | Qt::AlignVCenter,
               QString::number(b.mean, 'g', 3));
    y += kRowH;
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

void ProfilePanel::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().base());
  p.setPen(palette().text().color());
  QFont bold = font();
  bold.setBold(true);
  const Layout l = layoutFor(8, width() - 16);
  int y = 6;
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
      heading(tr("%1 by %2 (box: quartiles, dot: mean)").arg(g.gene, groupColumn_));
      y = drawBoxes(p, l, y, g.groups) + 6;
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
    drawBars(p, l, y, bars, std::vector<std::uint32_t>(bars.size(), 0x50A0E0));
  }
}

}  // namespace tessera::widgets
