#include "widgets/channel_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

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
  // Overlay rows follow the channel rows (inserted before this layout) inside the scroll area.
  overlayLayout_ = new QVBoxLayout();
  overlayLayout_->setContentsMargins(0, 0, 0, 0);
  rowLayout_->addLayout(overlayLayout_);
  rowLayout_->addStretch(1);
  scroll->setWidget(inner);
  outer->addWidget(scroll, 1);
}

int ChannelPanel::addOverlay(const QString& name, const QStringList& styles, bool coloring,
                             double opacity) {
  const int index = static_cast<int>(overlays_.size());
  OverlayRow r;
  r.box = new QGroupBox(this);
  auto* form = new QFormLayout(r.box);
  form->setContentsMargins(6, 4, 6, 4);
  r.visible = new QCheckBox(name, r.box);
  r.visible->setChecked(true);
  r.opacity = new QSlider(Qt::Horizontal, r.box);
  r.opacity->setRange(0, 100);
  r.opacity->setValue(static_cast<int>(std::lround(std::clamp(opacity, 0.0, 1.0) * 100)));
  r.style = new QComboBox(r.box);
  r.style->addItems(styles);
  r.colorBy = new QComboBox(r.box);
  r.lut = new QComboBox(r.box);
  for (auto l : {render::Lut::Viridis, render::Lut::Magma, render::Lut::Inferno,
                 render::Lut::Cividis, render::Lut::Fire, render::Lut::Grays})
    r.lut->addItem(QString::fromLatin1(render::lutName(l)));
  r.rangeRow = new QWidget(r.box);
  auto* range = new QHBoxLayout(r.rangeRow);
  range->setContentsMargins(0, 0, 0, 0);
  r.min = new QDoubleSpinBox(r.rangeRow);
  r.max = new QDoubleSpinBox(r.rangeRow);
  for (auto* sb : {r.min, r.max}) {
    sb->setRange(-1e9, 1e9);
    sb->setDecimals(3);
    sb->setKeyboardTracking(false);
    // As wide as the dock allows, not as wide as the longest value.
    sb->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    sb->setMinimumWidth(50);
    range->addWidget(sb);
  }
  for (auto* c : {r.style, r.colorBy, r.lut}) {
    c->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    c->setMinimumWidth(60);
  }
  auto* top = new QHBoxLayout();
  top->addWidget(r.visible, 1);
  top->addWidget(r.style);
  r.style->setVisible(!styles.isEmpty());
  form->addRow(top);
  form->addRow(tr("Opacity"), r.opacity);
  form->addRow(tr("Colour"), r.colorBy);
  form->addRow(tr("LUT"), r.lut);
  form->addRow(tr("Range"), r.rangeRow);
  if (!coloring)
    for (QWidget* w : {static_cast<QWidget*>(r.colorBy), static_cast<QWidget*>(r.lut), r.rangeRow})
      form->setRowVisible(w, false);
  overlayLayout_->addWidget(r.box);
  connect(r.visible, &QCheckBox::toggled, this,
          [this, index](bool v) { emit overlayVisibleChanged(index, v); });
  connect(r.opacity, &QSlider::valueChanged, this,
          [this, index](int v) { emit overlayOpacityChanged(index, v / 100.0); });
  connect(r.style, &QComboBox::currentIndexChanged, this,
          [this, index](int s) { emit overlayStyleChanged(index, s); });
  connect(r.colorBy, &QComboBox::textActivated, this,
          [this, index](const QString& c) { emit overlayColorByChosen(index, c); });
  connect(r.lut, &QComboBox::textActivated, this,
          [this, index](const QString& l) { emit overlayLutChosen(index, l); });
  auto rangeEdited = [this, index] {
    const auto& row = overlays_[static_cast<std::size_t>(index)];
    if (row.max->value() > row.min->value())
      emit overlayRangeEdited(index, row.min->value(), row.max->value());
  };
  connect(r.min, &QDoubleSpinBox::valueChanged, this, rangeEdited);
  connect(r.max, &QDoubleSpinBox::valueChanged, this, rangeEdited);
  overlays_.push_back(r);
  return index;
}

void ChannelPanel::removeOverlay(int index) {
  if (!overlay(index)) return;
  auto& r = overlays_[static_cast<std::size_t>(index)];
  r.box->deleteLater();
  r = {};
}

void ChannelPanel::clearOverlays() {
  for (int i = 0; i < static_cast<int>(overlays_.size()); ++i)
    removeOverlay(i);
}

int ChannelPanel::overlayCount() const {
  return static_cast<int>(
      std::count_if(overlays_.begin(), overlays_.end(), [](const auto& r) { return r.box; }));
}

const ChannelPanel::OverlayRow* ChannelPanel::overlay(int index) const {
  if (index < 0 || index >= static_cast<int>(overlays_.size())) return nullptr;
  const auto& r = overlays_[static_cast<std::size_t>(index)];
  return r.box ? &r : nullptr;
}

QString ChannelPanel::overlayName(int index) const {
  const auto* r = overlay(index);
  return r ? r->visible->text() : QString();
}

void ChannelPanel::setOverlayColorChoices(int index, const QStringList& choices,
                                          const QString& current) {
  if (!overlay(index)) return;
  auto* c = overlay(index)->colorBy;
  const QSignalBlocker block(c);
  c->clear();
  c->addItems(choices);
  if (c->findText(current) < 0) c->addItem(current);
  c->setCurrentText(current);
}

void ChannelPanel::setOverlayRange(int index, bool continuous, const QString& lut, double min,
                                   double max) {
  if (!overlay(index)) return;
  const auto& r = *overlay(index);
  const QSignalBlocker b1(r.min), b2(r.max), b3(r.lut);
  r.min->setValue(min);
  r.max->setValue(max);
  r.lut->setCurrentText(lut);
  r.lut->setEnabled(continuous);
  r.rangeRow->setEnabled(continuous);
}

void ChannelPanel::setOverlayStyle(int index, int style) {
  if (!overlay(index)) return;
  const QSignalBlocker block(overlay(index)->style);
  overlay(index)->style->setCurrentIndex(style);
}

QCheckBox* ChannelPanel::overlayVisible(int index) const {
  const auto* r = overlay(index);
  return r ? r->visible : nullptr;
}

QWidget* ChannelPanel::overlayControls(int index) const {
  const auto* r = overlay(index);
  return r ? r->box : nullptr;
}

void ChannelPanel::setOverlayCompact(int index, bool compact) {
  const auto* r = overlay(index);
  if (!r) return;
  auto* form = static_cast<QFormLayout*>(r->box->layout());
  r->visible->setVisible(!compact);
  form->setRowVisible(r->opacity, !compact);
  r->box->setFlat(compact);
}

QSlider* ChannelPanel::overlayOpacity(int index) const {
  const auto* r = overlay(index);
  return r ? r->opacity : nullptr;
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
    for (auto* r : rows_)
      r->deleteLater();
    rows_.clear();
    for (std::size_t i = 0; i < displays.size(); ++i) {
      auto* r = new ChannelRow(this);
      rowLayout_->insertWidget(static_cast<int>(i), r);
      rows_.push_back(r);
      connect(r, &ChannelRow::edited, this, [this] {
        std::vector<render::ChannelDisplay> all;
        for (auto* row : rows_)
          all.push_back(row->display());
        emit displaysEdited(all);
      });
    }
  }
  for (std::size_t i = 0; i < displays.size(); ++i)
    rows_[i]->setDisplay(displays[i]);
}

void ChannelPanel::setStats(std::size_t channel, const render::ChannelStats& stats) {
  if (channel < rows_.size()) rows_[channel]->setStats(stats);
}

}  // namespace tessera::widgets
