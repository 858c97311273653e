#include "widgets/profile_panel.h"

#include <QPainter>
#include <algorithm>

namespace tessera::widgets {
namespace {
// Horizontal bars, one per row, scaled to the largest value; returns the y below them.
int drawBars(QPainter& p, int x, int y, int w, const std::vector<ProfilePanel::Bar>& bars,
             int rowH) {
  double maxV = 0;
  for (const auto& b : bars)
    maxV = std::max(maxV, b.value);
  if (maxV <= 0) maxV = 1;
  const int labelW = std::min(110, w / 3), valueW = 48;
  const int barW = std::max(10, w - labelW - valueW - 8);
  const QFontMetrics fm(p.font());
  for (const auto& b : bars) {
    p.setPen(p.pen().color());
    p.drawText(QRect(x, y, labelW - 4, rowH), Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(b.label, Qt::ElideRight, labelW - 4));
    const int len = static_cast<int>(barW * b.value / maxV);
    p.fillRect(x + labelW, y + 2, std::max(1, len), rowH - 4,
               QColor::fromRgb(static_cast<QRgb>(b.rgb)));
    p.drawText(QRect(x + labelW + len + 4, y, valueW + barW - len, rowH),
               Qt::AlignLeft | Qt::AlignVCenter, QString::number(b.value, 'g', 3));
    y += rowH;
  }
  return y;
}
}  // namespace

ProfilePanel::ProfilePanel(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(120);
}

void ProfilePanel::setGroupMeans(const QString& gene, const QString& groupColumn,
                                 const std::vector<Bar>& bars) {
  gene_ = gene;
  groupColumn_ = groupColumn;
  bars_ = bars;
  update();
}

void ProfilePanel::setSelectionMeans(std::optional<std::pair<double, double>> inOut,
                                     qint64 selected) {
  inOut_ = inOut;
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
  p.fillRect(rect(), palette().base());
  p.setPen(palette().text().color());
  QFont bold = font();
  bold.setBold(true);
  const int x = 8, w = width() - 16, rowH = 18;
  int y = 6;
  auto heading = [&](const QString& t) {
    p.setFont(bold);
    p.drawText(QRect(x, y, w, rowH), Qt::AlignLeft | Qt::AlignVCenter, t);
    p.setFont(font());
    y += rowH + 2;
  };
  if (gene_.isEmpty()) {
    p.drawText(QRect(x, y, w, 40), Qt::AlignLeft | Qt::TextWordWrap,
               tr("Click a gene to see its profile."));
    y += 44;
  } else {
    if (!bars_.empty()) {
      heading(tr("%1: mean by %2").arg(gene_, groupColumn_));
      y = drawBars(p, x, y, w, bars_, rowH) + 8;
    }
    heading(tr("%1: selection vs rest").arg(gene_));
    if (inOut_) {
      y = drawBars(p, x, y, w,
                   {{tr("selection (%1)").arg(selected_), inOut_->first, 0xF0C020},
                    {tr("rest"), inOut_->second, 0x8090A0}},
                   rowH) +
          8;
    } else {
      p.drawText(QRect(x, y, w, rowH), Qt::AlignLeft | Qt::AlignVCenter,
                 tr("Select cells to compare."));
      y += rowH + 8;
    }
  }
  if (!cellId_.isEmpty()) {
    heading(tr("Top genes of %1").arg(cellId_));
    std::vector<Bar> bars;
    for (const auto& [g, v] : top_)
      bars.push_back({g, v, 0x50A0E0});
    drawBars(p, x, y, w, bars, rowH);
  }
}

}  // namespace tessera::widgets
