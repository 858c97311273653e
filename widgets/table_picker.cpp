#include "widgets/table_picker.h"

#include <QComboBox>
#include <QLabel>
#include <QVBoxLayout>

namespace tessera::widgets {
namespace {

QString count(std::int64_t n, const char* one, const char* many) {
  if (n < 0) return QObject::tr("? %1").arg(QString::fromLatin1(many));
  return QStringLiteral("%L1 %2").arg(n).arg(QString::fromLatin1(n == 1 ? one : many));
}

}  // namespace

TablePicker::TablePicker(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  title_ = new QLabel(tr("The table the cells show:"), this);
  title_->setWordWrap(true);
  layout->addWidget(title_);
  box_ = new QComboBox(this);
  box_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  layout->addWidget(box_);
  layout->addStretch(1);
  // Only the user's pick (or choose()) switches tables, never a list being filled.
  connect(box_, &QComboBox::activated, this,
          [this](int index) { emit tableChosen(box_->itemData(index).toString()); });
}

QString TablePicker::describe(const data::SpatialDataTableInfo& t) {
  QStringList parts{
      QString::fromStdString(t.name),
      count(t.cells, "cell", "cells") + QStringLiteral(" × ") + count(t.genes, "gene", "genes")};
  QStringList regions;
  for (const auto& r : t.regions)
    regions << QString::fromStdString(r);
  parts << (regions.isEmpty() ? tr("no region") : regions.join(QStringLiteral(", ")));
  return parts.join(QStringLiteral(" — "));
}

void TablePicker::setTables(const std::vector<data::SpatialDataTableInfo>& tables,
                            const QString& shown) {
  box_->clear();
  for (const auto& t : tables) {
    const QString name = QString::fromStdString(t.name);
    box_->addItem(describe(t), name);
    box_->setItemData(box_->count() - 1, describe(t), Qt::ToolTipRole);
  }
  box_->setCurrentIndex(std::max(0, box_->findData(shown)));
}

bool TablePicker::hasChoice() const {
  return box_->count() > 1;
}

QString TablePicker::selected() const {
  return box_->currentData().toString();
}

bool TablePicker::choose(const QString& name) {
  const int index = box_->findData(name);
  if (index < 0) return false;
  box_->setCurrentIndex(index);
  emit tableChosen(name);
  return true;
}

}  // namespace tessera::widgets
