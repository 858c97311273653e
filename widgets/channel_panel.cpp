#include "widgets/channel_panel.h"

#include <QCheckBox>
#include <QColorDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace tessera::widgets {
namespace {
QColor toQColor(std::uint32_t rgb) { return QColor((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF); }
QString windowText(const render::ChannelDisplay& d) {
  if (d.windowFromData) return QObject::tr("auto");
  return QStringLiteral("%1 – %2").arg(d.start, 0, 'g', 6).arg(d.end, 0, 'g', 6);
}
}  // namespace

ChannelPanel::ChannelPanel(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  empty_ = new QLabel(tr("Open an image to list its channels."), this);
  empty_->setWordWrap(true);
  empty_->setAlignment(Qt::AlignCenter);
  outer->addWidget(empty_);
  rows_ = new QVBoxLayout();
  outer->addLayout(rows_);
  outer->addStretch(1);
}

void ChannelPanel::setDisplays(const std::vector<render::ChannelDisplay>& displays) {
  displays_ = displays;
  rebuild();
}

void ChannelPanel::rebuild() {
  while (auto* item = rows_->takeAt(0)) {
    if (auto* w = item->widget()) w->deleteLater();
    delete item;
  }
  empty_->setVisible(displays_.empty());
  for (std::size_t i = 0; i < displays_.size(); ++i) {
    const auto& d = displays_[i];
    auto* row = new QWidget(this);
    auto* h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    auto* visible = new QCheckBox(QString::fromStdString(d.name), row);
    visible->setChecked(d.visible);
    auto* swatch = new QPushButton(row);
    swatch->setFixedSize(22, 22);
    swatch->setToolTip(tr("Channel colour"));
    swatch->setStyleSheet(QStringLiteral("background:%1; border:1px solid #666;").arg(toQColor(d.color).name()));
    auto* window = new QLabel(windowText(d), row);
    window->setToolTip(tr("Contrast window"));
    h->addWidget(swatch);
    h->addWidget(visible, 1);
    h->addWidget(window);
    rows_->addWidget(row);
    connect(visible, &QCheckBox::toggled, this, [this, i](bool on) {
      displays_[i].visible = on;
      emit displaysEdited(displays_);
    });
    connect(swatch, &QPushButton::clicked, this, [this, i] {
      const QColor c = QColorDialog::getColor(toQColor(displays_[i].color), this, tr("Channel colour"));
      if (!c.isValid()) return;
      displays_[i].color = (static_cast<std::uint32_t>(c.red()) << 16) | (c.green() << 8) | c.blue();
      displays_[i].lut = render::Lut::Solid;
      emit displaysEdited(displays_);
      rebuild();
    });
  }
}

}  // namespace tessera::widgets
