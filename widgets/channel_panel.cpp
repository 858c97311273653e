#include "widgets/channel_panel.h"

#include <QFormLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSlider>
#include <QVBoxLayout>

#include "widgets/channel_row.h"

namespace tessera::widgets {

ChannelPanel::ChannelPanel(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(6, 6, 6, 6);
  empty_ = new QLabel(tr("Open an image to list its channels."), this);
  empty_->setWordWrap(true);
  empty_->setAlignment(Qt::AlignCenter);
  empty_->setEnabled(false);
  outer->addWidget(empty_);

  auto* planes = new QFormLayout();
  t_ = new QSlider(Qt::Horizontal, this);
  z_ = new QSlider(Qt::Horizontal, this);
  tLabel_ = new QLabel(this);
  zLabel_ = new QLabel(this);
  planes->addRow(tLabel_, t_);
  planes->addRow(zLabel_, z_);
  outer->addLayout(planes);
  auto emitPlane = [this] {
    tLabel_->setText(tr("t %1").arg(t_->value()));
    zLabel_->setText(tr("z %1").arg(z_->value()));
    emit planeChanged(t_->value(), z_->value());
  };
  connect(t_, &QSlider::valueChanged, this, emitPlane);
  connect(z_, &QSlider::valueChanged, this, emitPlane);
  setPlanes(1, 1);

  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* inner = new QWidget(scroll);
  rowLayout_ = new QVBoxLayout(inner);
  rowLayout_->setContentsMargins(0, 0, 0, 0);
  rowLayout_->addStretch(1);
  scroll->setWidget(inner);
  outer->addWidget(scroll, 1);
}

void ChannelPanel::setPlanes(std::int64_t sizeT, std::int64_t sizeZ) {
  t_->setRange(0, static_cast<int>(std::max<std::int64_t>(0, sizeT - 1)));
  z_->setRange(0, static_cast<int>(std::max<std::int64_t>(0, sizeZ - 1)));
  t_->setValue(0);
  z_->setValue(0);
  t_->setVisible(sizeT > 1);
  tLabel_->setVisible(sizeT > 1);
  z_->setVisible(sizeZ > 1);
  zLabel_->setVisible(sizeZ > 1);
  tLabel_->setText(tr("t 0"));
  zLabel_->setText(tr("z 0"));
}

ChannelRow* ChannelPanel::row(std::size_t channel) const {
  return channel < rows_.size() ? rows_[channel] : nullptr;
}

void ChannelPanel::setDisplays(const std::vector<render::ChannelDisplay>& displays) {
  empty_->setVisible(displays.empty());
  if (displays.size() != rows_.size()) {
    for (auto* r : rows_) r->deleteLater();
    rows_.clear();
    for (std::size_t i = 0; i < displays.size(); ++i) {
      auto* r = new ChannelRow(this);
      rowLayout_->insertWidget(static_cast<int>(i), r);
      rows_.push_back(r);
      connect(r, &ChannelRow::edited, this, [this] {
        std::vector<render::ChannelDisplay> all;
        for (auto* row : rows_) all.push_back(row->display());
        emit displaysEdited(all);
      });
    }
  }
  for (std::size_t i = 0; i < displays.size(); ++i) rows_[i]->setDisplay(displays[i]);
}

void ChannelPanel::setStats(std::size_t channel, const render::ChannelStats& stats) {
  if (channel < rows_.size()) rows_[channel]->setStats(stats);
}

}  // namespace tessera::widgets
