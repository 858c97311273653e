#include "widgets/image_picker.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "data/image_open.h"

namespace tessera::widgets {
namespace {

constexpr int kWellRole = Qt::UserRole + 1;  // index into PlateInfo::wells, -1 for no well
const QColor kWellPresent(70, 130, 180);
const QColor kWellShown(255, 170, 0);

QString shapeText(const data::Shape5& s) {
  if (s[data::kX] <= 0) return {};
  QStringList parts;
  if (s[data::kT] > 1) parts << QObject::tr("%1 t").arg(s[data::kT]);
  if (s[data::kC] > 1) parts << QObject::tr("%1 ch").arg(s[data::kC]);
  if (s[data::kZ] > 1) parts << QObject::tr("%1 z").arg(s[data::kZ]);
  parts << QStringLiteral("%1×%2").arg(s[data::kX]).arg(s[data::kY]);
  return parts.join(QStringLiteral(", "));
}

}  // namespace

ImagePicker::ImagePicker(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  title_ = new QLabel(this);
  title_->setWordWrap(true);
  layout->addWidget(title_);
  pages_ = new QStackedWidget(this);
  series_ = new QListWidget(this);
  pages_->addWidget(series_);
  auto* platePage = new QWidget(this);
  auto* plateLayout = new QVBoxLayout(platePage);
  plateLayout->setContentsMargins(0, 0, 0, 0);
  grid_ = new QTableWidget(platePage);
  grid_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  grid_->setSelectionMode(QAbstractItemView::SingleSelection);
  grid_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  grid_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  plateLayout->addWidget(grid_);
  auto* fieldRow = new QHBoxLayout();
  fieldRow->addWidget(new QLabel(tr("Field"), platePage));
  fields_ = new QComboBox(platePage);
  fieldRow->addWidget(fields_, 1);
  plateLayout->addLayout(fieldRow);
  pages_->addWidget(platePage);
  layout->addWidget(pages_, 1);
  open_ = new QPushButton(tr("Open"), this);
  layout->addWidget(open_);

  connect(open_, &QPushButton::clicked, this, &ImagePicker::choose);
  connect(series_, &QListWidget::itemDoubleClicked, this, &ImagePicker::choose);
  connect(grid_, &QTableWidget::itemSelectionChanged, this, &ImagePicker::fillFields);
  connect(grid_, &QTableWidget::cellDoubleClicked, this, [this] {
    if (selectedWell() >= 0) choose();
  });
}

void ImagePicker::setInfo(const data::ImageInfo& info) {
  plate_ = info.plate;
  hasChoice_ = data::hasImageChoice(info);
  if (plate_)
    showPlate(*plate_);
  else
    showSeries(info);
}

void ImagePicker::showSeries(const data::ImageInfo& info) {
  pages_->setCurrentWidget(series_);
  series_->clear();
  title_->setText(tr("%n image(s) in this file; choose one to open.", "", int(info.series.size())));
  for (std::size_t i = 0; i < info.series.size(); ++i) {
    QString text = QStringLiteral("%1  %2").arg(i).arg(QString::fromStdString(info.series[i]));
    if (i < info.seriesShapes.size()) {
      const QString shape = shapeText(info.seriesShapes[i]);
      if (!shape.isEmpty()) text += QStringLiteral("  (%1)").arg(shape);
    }
    auto* item = new QListWidgetItem(text, series_);
    if (i == info.seriesIndex) {
      QFont f = item->font();
      f.setBold(true);
      item->setFont(f);
    }
  }
  series_->setCurrentRow(static_cast<int>(info.seriesIndex));
}

void ImagePicker::showPlate(const data::PlateInfo& plate) {
  pages_->setCurrentWidget(grid_->parentWidget());
  title_->setText(tr("Plate \"%1\": %2 wells. Choose a well and a field.")
                      .arg(QString::fromStdString(plate.name))
                      .arg(plate.wells.size()));
  grid_->clear();
  grid_->setRowCount(static_cast<int>(plate.rows.size()));
  grid_->setColumnCount(static_cast<int>(plate.columns.size()));
  QStringList rows, cols;
  for (const auto& r : plate.rows)
    rows << QString::fromStdString(r);
  for (const auto& c : plate.columns)
    cols << QString::fromStdString(c);
  grid_->setVerticalHeaderLabels(rows);
  grid_->setHorizontalHeaderLabels(cols);
  for (int r = 0; r < grid_->rowCount(); ++r)
    for (int c = 0; c < grid_->columnCount(); ++c) {
      auto* item = new QTableWidgetItem();
      item->setFlags(Qt::NoItemFlags);  // absent wells cannot be chosen
      item->setData(kWellRole, -1);
      grid_->setItem(r, c, item);
    }
  QTableWidgetItem* shown = nullptr;
  for (std::size_t i = 0; i < plate.wells.size(); ++i) {
    const auto& w = plate.wells[i];
    auto* item = grid_->item(w.row, w.column);
    if (!item) continue;
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setData(kWellRole, static_cast<int>(i));
    const int fieldCount = w.fields.empty() ? plate.fieldCount : static_cast<int>(w.fields.size());
    item->setText(fieldCount > 0 ? QString::number(fieldCount) : QString());
    item->setToolTip(QString::fromStdString(w.path));
    const bool isShown = static_cast<int>(i) == plate.openedWell;
    item->setBackground(isShown ? kWellShown : kWellPresent);
    item->setForeground(Qt::white);
    if (isShown) {
      QFont f = item->font();
      f.setBold(true);
      item->setFont(f);
    }
    if (isShown) shown = item;
  }
  if (shown) grid_->setCurrentItem(shown);
  fillFields();
  if (plate.openedField < fields_->count()) fields_->setCurrentIndex(plate.openedField);
}

int ImagePicker::selectedWell() const {
  const auto items = grid_->selectedItems();
  if (items.isEmpty()) return -1;
  return items.front()->data(kWellRole).toInt();
}

void ImagePicker::fillFields() {
  fields_->clear();
  const int well = selectedWell();
  if (!plate_ || well < 0) return;
  const auto& w = plate_->wells[static_cast<std::size_t>(well)];
  for (std::size_t f = 0; f < w.fields.size(); ++f)
    fields_->addItem(tr("%1 (%2)").arg(f).arg(QString::fromStdString(w.fields[f])));
  // Wells whose field list was not read offer the plate's declared field count.
  if (w.fields.empty())
    for (int f = 0; f < std::max(1, plate_->fieldCount); ++f)
      fields_->addItem(QString::number(f));
}

bool ImagePicker::selectSeries(int index) {
  if (plate_ || index < 0 || index >= series_->count()) return false;
  series_->setCurrentRow(index);
  return true;
}

bool ImagePicker::selectWell(const QString& wellPath) {
  if (!plate_) return false;
  for (std::size_t i = 0; i < plate_->wells.size(); ++i) {
    const auto& w = plate_->wells[i];
    if (QString::fromStdString(w.path) != wellPath) continue;
    grid_->clearSelection();
    grid_->setCurrentItem(grid_->item(w.row, w.column));
    return true;
  }
  return false;
}

bool ImagePicker::selectField(int field) {
  if (!plate_ || field < 0 || field >= fields_->count()) return false;
  fields_->setCurrentIndex(field);
  return true;
}

data::ImageSelection ImagePicker::selection() const {
  data::ImageSelection s;
  if (plate_) {
    const int well = selectedWell();
    if (well >= 0) s.well = plate_->wells[static_cast<std::size_t>(well)].path;
    s.field = std::max(0, fields_->currentIndex());
  } else {
    s.series = std::max(0, series_->currentRow());
  }
  return s;
}

void ImagePicker::choose() {
  emit imageChosen(selection());
}

}  // namespace tessera::widgets
