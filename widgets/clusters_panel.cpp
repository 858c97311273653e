#include "widgets/clusters_panel.h"

#include <QColorDialog>
#include <QComboBox>
#include <QHeaderView>
#include <QPixmap>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace tessera::widgets {
namespace {
QIcon swatch(std::uint32_t rgb) {
  QPixmap p(14, 14);
  p.fill(QColor::fromRgb(static_cast<QRgb>(rgb)));
  return QIcon(p);
}
}  // namespace

ClustersPanel::ClustersPanel(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(6, 6, 6, 6);
  columns_ = new QComboBox(this);
  tree_ = new QTreeWidget(this);
  tree_->setColumnCount(2);
  tree_->setHeaderLabels({tr("Category"), tr("Cells")});
  tree_->setRootIsDecorated(false);
  tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  tree_->setToolTip(tr("Untick to hide a category's cells; double-click to change its colour."));
  lay->addWidget(columns_);
  lay->addWidget(tree_, 1);
  connect(columns_, &QComboBox::textActivated, this, &ClustersPanel::columnChosen);
  connect(tree_, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int col) {
    if (filling_ || col != 0) return;
    emit visibilityToggled(tree_->indexOfTopLevelItem(item), item->checkState(0) == Qt::Checked);
  });
  connect(tree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item, int) {
    const int i = tree_->indexOfTopLevelItem(item);
    const QColor start = QColor::fromRgb(item->data(0, Qt::UserRole).toUInt());
    const QColor c = QColorDialog::getColor(start, this, tr("Colour of %1").arg(item->text(0)));
    if (!c.isValid()) return;
    const auto rgb = static_cast<std::uint32_t>(c.rgb() & 0xFFFFFF);
    filling_ = true;
    item->setIcon(0, swatch(rgb));
    item->setData(0, Qt::UserRole, rgb);
    filling_ = false;
    emit colorEdited(i, rgb);
  });
}

void ClustersPanel::setColumns(const QStringList& columns, const QString& current) {
  const QSignalBlocker block(columns_);
  columns_->clear();
  columns_->addItems(columns);
  columns_->setCurrentText(current);
  columns_->setVisible(!columns.isEmpty());
}

void ClustersPanel::setCategories(const QStringList& names,
                                  const std::vector<std::uint32_t>& colors,
                                  const std::vector<std::int64_t>& counts,
                                  const std::vector<bool>& hidden) {
  filling_ = true;
  tree_->clear();
  for (int i = 0; i < names.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    auto* item = new QTreeWidgetItem(tree_);
    item->setText(0, names[i]);
    item->setText(1, k < counts.size() ? QString::number(counts[k]) : QString());
    item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    const std::uint32_t rgb = k < colors.size() ? colors[k] : 0x808080;
    item->setIcon(0, swatch(rgb));
    item->setData(0, Qt::UserRole, rgb);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(0, k < hidden.size() && hidden[k] ? Qt::Unchecked : Qt::Checked);
  }
  filling_ = false;
}

int ClustersPanel::categoryCount() const {
  return tree_->topLevelItemCount();
}

bool ClustersPanel::isShown(int category) const {
  const auto* item = tree_->topLevelItem(category);
  return item && item->checkState(0) == Qt::Checked;
}

void ClustersPanel::setShown(int category, bool shown) {
  if (auto* item = tree_->topLevelItem(category))
    item->setCheckState(0, shown ? Qt::Checked : Qt::Unchecked);
}

}  // namespace tessera::widgets
