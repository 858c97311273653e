#include "widgets/channel_row.h"

#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "widgets/elided_label.h"
#include "widgets/histogram_slider.h"

namespace tessera::widgets {
namespace {
QColor toQColor(std::uint32_t rgb) {
  return QColor((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
}
constexpr render::Lut kLuts[] = {render::Lut::Solid,   render::Lut::Grays,  render::Lut::Fire,
                                 render::Lut::Viridis, render::Lut::Magma,  render::Lut::Inferno,
                                 render::Lut::Cividis, render::Lut::Glasbey};

QDoubleSpinBox* valueBox(QWidget* parent, const QString& tip) {
  auto* box = new QDoubleSpinBox(parent);
  box->setRange(-1e12, 1e12);
  box->setDecimals(3);
  box->setToolTip(tip);
  box->setKeyboardTracking(false);
  box->setButtonSymbols(QAbstractSpinBox::NoButtons);
  return box;
}
}  // namespace

ChannelRow::ChannelRow(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 2, 0, 2);
  outer->setSpacing(2);
  // The compact row: what a user scans down the list of channels.
  auto* top = new QHBoxLayout();
  top->setSpacing(4);
  visible_ = new QCheckBox(this);
  visible_->setToolTip(tr("Show the channel"));
  swatch_ = new QPushButton(this);
  swatch_->setFixedSize(16, 16);
  swatch_->setToolTip(tr("Channel colour"));
  name_ = new ElidedLabel(QString(), this);
  range_ = new QLabel(this);
  range_->setToolTip(tr("Display window (start–end)"));
  range_->setStyleSheet(QStringLiteral("color:palette(mid)"));
  expand_ = new QToolButton(this);
  expand_->setCheckable(true);
  expand_->setAutoRaise(true);
  expand_->setArrowType(Qt::RightArrow);
  expand_->setToolTip(tr("LUT, histogram, window, gamma"));
  top->addWidget(visible_);
  top->addWidget(swatch_);
  top->addWidget(name_, 1);
  top->addWidget(range_);
  top->addWidget(expand_);
  outer->addLayout(top);

  // The details, folded until asked for. Entry boxes and the LUT box take what width there is
  // rather than the width of their longest value, so they never widen the dock.
  details_ = new QWidget(this);
  auto* grid = new QGridLayout(details_);
  grid->setContentsMargins(20, 0, 0, 4);
  lut_ = new QComboBox(details_);
  lut_->addItem(tr("Colour"));
  for (std::size_t i = 1; i < std::size(kLuts); ++i)
    lut_->addItem(QString::fromLatin1(render::lutName(kLuts[i])));
  lut_->setToolTip(tr("Solid colour or lookup table"));
  slider_ = new HistogramSlider(details_);
  start_ = valueBox(details_, tr("Window start"));
  end_ = valueBox(details_, tr("Window end"));
  gamma_ = new QDoubleSpinBox(details_);
  gamma_->setRange(0.1, 5.0);
  gamma_->setSingleStep(0.1);
  gamma_->setPrefix(QStringLiteral("γ "));
  gamma_->setToolTip(tr("Gamma"));
  invert_ = new QCheckBox(tr("Inv"), details_);
  invert_->setToolTip(tr("Invert"));
  auto_ = new QPushButton(tr("Auto"), details_);
  auto_->setToolTip(tr("Contrast from the current view (0.5–99.5 %)"));
  error_ = new QLabel(details_);
  error_->setStyleSheet(QStringLiteral("color:#c62828"));
  error_->setWordWrap(true);
  error_->hide();
  for (QWidget* w : {static_cast<QWidget*>(lut_), static_cast<QWidget*>(start_),
                     static_cast<QWidget*>(end_), static_cast<QWidget*>(gamma_)}) {
    w->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    w->setMinimumWidth(44);
  }
  slider_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  grid->addWidget(lut_, 0, 0, 1, 2);
  grid->addWidget(gamma_, 0, 2);
  grid->addWidget(invert_, 0, 3);
  grid->addWidget(slider_, 1, 0, 1, 4);
  grid->addWidget(start_, 2, 0);
  grid->addWidget(end_, 2, 1);
  grid->addWidget(auto_, 2, 2, 1, 2);
  grid->addWidget(error_, 3, 0, 1, 4);
  outer->addWidget(details_);
  details_->hide();
  connect(expand_, &QToolButton::toggled, this, &ChannelRow::setExpanded);

  connect(visible_, &QCheckBox::toggled, this, [this](bool on) {
    display_.visible = on;
    emit edited(display_);
  });
  connect(swatch_, &QPushButton::clicked, this, [this] {
    const QColor c = QColorDialog::getColor(toQColor(display_.color), this, tr("Channel colour"));
    if (!c.isValid()) return;
    display_.color = (static_cast<std::uint32_t>(c.red()) << 16) | (c.green() << 8) | c.blue();
    display_.lut = render::Lut::Solid;
    sync();
    emit edited(display_);
  });
  connect(lut_, &QComboBox::currentIndexChanged, this, [this](int i) {
    display_.lut = kLuts[std::clamp(i, 0, static_cast<int>(std::size(kLuts)) - 1)];
    sync();
    emit edited(display_);
  });
  connect(slider_, &HistogramSlider::windowChanged, this, &ChannelRow::commitWindow);
  auto fromBoxes = [this] { commitWindow(start_->value(), end_->value()); };
  connect(start_, &QDoubleSpinBox::valueChanged, this, fromBoxes);
  connect(end_, &QDoubleSpinBox::valueChanged, this, fromBoxes);
  connect(gamma_, &QDoubleSpinBox::valueChanged, this, [this](double g) {
    display_.gamma = g;
    emit edited(display_);
  });
  connect(invert_, &QCheckBox::toggled, this, [this](bool on) {
    display_.inverted = on;
    emit edited(display_);
  });
  connect(auto_, &QPushButton::clicked, this, &ChannelRow::autoContrast);
}

void ChannelRow::commitWindow(double start, double end) {
  if (!(end > start)) {
    error_->setText(tr("End must be greater than start"));
    error_->show();
    setExpanded(true);  // the message is in the details
    const QSignalBlocker b1(start_), b2(end_);
    start_->setValue(display_.start);
    end_->setValue(display_.end);
    return;
  }
  error_->hide();
  display_.start = start;
  display_.end = end;
  display_.windowFromData = false;
  sync();
  emit edited(display_);
}

void ChannelRow::setExpanded(bool expanded) {
  const QSignalBlocker block(expand_);
  expand_->setChecked(expanded);
  expand_->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
  details_->setVisible(expanded);
}

bool ChannelRow::isExpanded() const {
  return expand_->isChecked();
}

QString ChannelRow::rangeText() const {
  return range_->text();
}

QString ChannelRow::windowError() const {
  return error_->isHidden() ? QString() : error_->text();
}

void ChannelRow::autoContrast() {
  if (!haveStats_ || stats_.samples == 0) return;
  commitWindow(stats_.window[0], stats_.window[1]);
}

void ChannelRow::setDisplay(const render::ChannelDisplay& d) {
  display_ = d;
  sync();
}

void ChannelRow::setStats(const render::ChannelStats& stats) {
  stats_ = stats;
  haveStats_ = true;
  slider_->setHistogram(stats.bins, stats.min, stats.max);
}

void ChannelRow::sync() {
  const QSignalBlocker b0(visible_), b1(lut_), b2(start_), b3(end_), b4(gamma_), b5(invert_),
      b6(slider_);
  name_->setText(QString::fromStdString(display_.name));
  // Whole numbers from 1000 up ("40000", not "4e+04"), 4 significant digits below.
  auto number = [](double v) {
    return std::abs(v) >= 1000 ? QString::number(v, 'f', 0) : QString::number(v, 'g', 4);
  };
  range_->setText(QStringLiteral("%1–%2").arg(number(display_.start), number(display_.end)));
  visible_->setChecked(display_.visible);
  swatch_->setStyleSheet(
      QStringLiteral("background:%1; border:1px solid #666;").arg(toQColor(display_.color).name()));
  const auto it = std::find(std::begin(kLuts), std::end(kLuts), display_.lut);
  lut_->setCurrentIndex(static_cast<int>(it - std::begin(kLuts)));
  start_->setValue(display_.start);
  end_->setValue(display_.end);
  gamma_->setValue(display_.gamma);
  invert_->setChecked(display_.inverted);
  slider_->setWindow(display_.start, display_.end);
  slider_->setColor(display_.lut == render::Lut::Solid ? toQColor(display_.color)
                                                       : QColor(200, 200, 200));
}

}  // namespace tessera::widgets
