#include "widgets/channel_row.h"

#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>

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
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 4, 0, 8);
  visible_ = new QCheckBox(this);
  swatch_ = new QPushButton(this);
  swatch_->setFixedSize(22, 22);
  swatch_->setToolTip(tr("Channel colour"));
  lut_ = new QComboBox(this);
  lut_->addItem(tr("Colour"));
  for (std::size_t i = 1; i < std::size(kLuts); ++i)
    lut_->addItem(QString::fromLatin1(render::lutName(kLuts[i])));
  lut_->setToolTip(tr("Solid colour or lookup table"));
  slider_ = new HistogramSlider(this);
  start_ = valueBox(this, tr("Window start"));
  end_ = valueBox(this, tr("Window end"));
  gamma_ = new QDoubleSpinBox(this);
  gamma_->setRange(0.1, 5.0);
  gamma_->setSingleStep(0.1);
  gamma_->setPrefix(QStringLiteral("γ "));
  gamma_->setToolTip(tr("Gamma"));
  invert_ = new QCheckBox(tr("Inv"), this);
  invert_->setToolTip(tr("Invert"));
  auto_ = new QPushButton(tr("Auto"), this);
  auto_->setToolTip(tr("Contrast from the current view (0.5–99.5 %)"));
  error_ = new QLabel(this);
  error_->setStyleSheet(QStringLiteral("color:#c62828"));
  error_->hide();

  grid->addWidget(swatch_, 0, 0);
  grid->addWidget(visible_, 0, 1, 1, 3);
  grid->addWidget(lut_, 0, 4, 1, 2);
  grid->addWidget(slider_, 1, 0, 1, 6);
  grid->addWidget(start_, 2, 0, 1, 2);
  grid->addWidget(end_, 2, 2, 1, 2);
  grid->addWidget(gamma_, 2, 4);
  grid->addWidget(invert_, 2, 5);
  grid->addWidget(auto_, 3, 4, 1, 2);
  grid->addWidget(error_, 3, 0, 1, 4);

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
  visible_->setText(QString::fromStdString(display_.name));
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
