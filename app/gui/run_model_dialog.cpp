#include "app/gui/run_model_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <algorithm>
#include <cmath>

namespace tessera::app {

void viewRegion(const data::ImageInfo& info, int level, const render::Rect& view,
                RunModelChoice& choice) {
  const auto& l0 = info.levels.at(0);
  const auto& l = info.levels.at(static_cast<std::size_t>(level));
  const double dx =
      static_cast<double>(l0.shape[data::kX]) / static_cast<double>(l.shape[data::kX]);
  const double dy =
      static_cast<double>(l0.shape[data::kY]) / static_cast<double>(l.shape[data::kY]);
  const auto clampX = [&](double v) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(v), 0, l.shape[data::kX]);
  };
  const auto clampY = [&](double v) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(v), 0, l.shape[data::kY]);
  };
  const auto x0 = clampX(std::floor(view.x0 / dx)), x1 = clampX(std::ceil(view.x1 / dx));
  const auto y0 = clampY(std::floor(view.y0 / dy)), y1 = clampY(std::ceil(view.y1 / dy));
  choice.x = x0;
  choice.y = y0;
  choice.width = std::max<std::int64_t>(0, x1 - x0);
  choice.height = std::max<std::int64_t>(0, y1 - y0);
}

RunModelDialog::RunModelDialog(const data::ImageInfo& info, const render::Rect& view,
                               QWidget* parent)
    : QDialog(parent), info_(info), view_(view) {
  setWindowTitle(tr("Run Model"));
  auto* form = new QFormLayout(this);

  model_ = new QLineEdit(QSettings().value("ai/lastModel").toString());
  model_->setPlaceholderText(tr("model.onnx, rdf.yaml, a package folder or .zip"));
  auto* browse = new QPushButton(tr("Browse…"));
  connect(browse, &QPushButton::clicked, this, &RunModelDialog::browse);
  auto* modelRow = new QHBoxLayout;
  modelRow->addWidget(model_, 1);
  modelRow->addWidget(browse);
  form->addRow(tr("Model:"), modelRow);

  channels_ = new QListWidget;
  for (std::size_t c = 0; c < info.channels.size(); ++c) {
    const auto& name = info.channels[c].name;
    auto* item = new QListWidgetItem(QStringLiteral("%1: %2").arg(c).arg(
        name.empty() ? tr("channel %1").arg(c) : QString::fromStdString(name)));
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Unchecked);
    channels_->addItem(item);
  }
  channels_->setMaximumHeight(120);
  form->addRow(tr("Input channels:"), channels_);
  form->addRow(QString(), new QLabel(tr("In the model's order; none checked: every channel, "
                                        "when the model takes that many.")));

  inView_ = new QRadioButton(tr("The part in view"));
  whole_ = new QRadioButton(tr("The whole image"));
  inView_->setChecked(true);
  auto* regionRow = new QHBoxLayout;
  regionRow->addWidget(inView_);
  regionRow->addWidget(whole_);
  form->addRow(tr("Region:"), regionRow);

  level_ = new QSpinBox;
  level_->setRange(0, static_cast<int>(info.levels.size()) - 1);
  form->addRow(tr("Level:"), level_);
  region_ = new QLabel;
  form->addRow(QString(), region_);
  connect(level_, &QSpinBox::valueChanged, this, &RunModelDialog::updateRegionText);
  connect(whole_, &QRadioButton::toggled, this, &RunModelDialog::updateRegionText);

  instances_ = new QCheckBox(tr("Label cells (watershed) and measure them"));
  form->addRow(tr("Instances:"), instances_);
  foreground_ = new QSpinBox;
  foreground_->setRange(0, 255);
  boundary_ = new QSpinBox;
  boundary_->setRange(-1, 255);
  boundary_->setValue(-1);
  boundary_->setSpecialValueText(tr("none"));
  form->addRow(tr("Foreground output channel:"), foreground_);
  form->addRow(tr("Boundary output channel:"), boundary_);
  auto syncInstances = [this] {
    foreground_->setEnabled(instances_->isChecked());
    boundary_->setEnabled(instances_->isChecked());
  };
  connect(instances_, &QCheckBox::toggled, this, syncInstances);
  syncInstances();

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Run"));
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    QSettings().setValue("ai/lastModel", model_->text());
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  form->addRow(buttons);
  updateRegionText();
}

void RunModelDialog::browse() {
  const QString f = QFileDialog::getOpenFileName(
      this, tr("Choose a model"), model_->text(),
      tr("Models (*.onnx rdf.yaml bioimageio.yaml *.zip);;All files (*)"));
  if (!f.isEmpty()) model_->setText(f);
}

void RunModelDialog::updateRegionText() {
  const auto c = choice();
  const auto& l = info_.levels.at(static_cast<std::size_t>(c.level));
  region_->setText(
      c.wholeImage ? tr("%1 × %2 pixels").arg(l.shape[data::kX]).arg(l.shape[data::kY])
                   : tr("%1 × %2 pixels at %3, %4").arg(c.width).arg(c.height).arg(c.x).arg(c.y));
}

RunModelChoice RunModelDialog::choice() const {
  RunModelChoice c;
  c.model = model_->text().trimmed();
  for (int i = 0; i < channels_->count(); ++i)
    if (channels_->item(i)->checkState() == Qt::Checked) c.channels.push_back(i);
  c.wholeImage = whole_->isChecked();
  c.level = level_->value();
  if (!c.wholeImage) viewRegion(info_, c.level, view_, c);
  c.instances = instances_->isChecked();
  c.foreground = foreground_->value();
  if (boundary_->value() >= 0) c.boundary = boundary_->value();
  return c;
}

}  // namespace tessera::app
