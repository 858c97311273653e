#include "widgets/annotations_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPixmap>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tessera::widgets {
namespace {

enum Column { kName, kClass, kKind, kSize, kColumns };

QIcon swatch(std::uint32_t rgb) {
  QPixmap p(12, 12);
  p.fill(QColor::fromRgb(rgb));
  return QIcon(p);
}

}  // namespace

AnnotationsPanel::AnnotationsPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  table_ = new QTableWidget(0, kColumns, this);
  table_->setHorizontalHeaderLabels({tr("Name"), tr("Class"), tr("Kind"), tr("Size (px)")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setSortingEnabled(true);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  layout->addWidget(table_);
  auto* buttons = new QHBoxLayout;
  auto* zoom = new QPushButton(tr("Zoom to"));
  auto* remove = new QPushButton(tr("Delete"));
  auto* describe = new QPushButton(tr("Describe…"));
  describe->setToolTip(tr("Edit the selected annotation's description"));
  auto* import = new QPushButton(tr("Import…"));
  auto* exp = new QPushButton(tr("Export…"));
  for (auto* b : {zoom, remove, describe, import, exp})
    buttons->addWidget(b);
  layout->addLayout(buttons);
  connect(zoom, &QPushButton::clicked, this, [this] {
    if (selected() >= 0) emit zoomRequested(selected());
  });
  connect(remove, &QPushButton::clicked, this, [this] {
    if (selected() >= 0) emit deleteRequested(selected());
  });
  connect(describe, &QPushButton::clicked, this, [this] {
    if (selected() >= 0) emit describeRequested(selected());
  });
  connect(import, &QPushButton::clicked, this, &AnnotationsPanel::importRequested);
  connect(exp, &QPushButton::clicked, this, &AnnotationsPanel::exportRequested);
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    if (!filling_) emit selectedChanged(selected());
  });
  connect(table_, &QTableWidget::itemDoubleClicked, this, [this](QTableWidgetItem* item) {
    if (item->column() != kName) emit zoomRequested(item->data(Qt::UserRole).toInt());
  });
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (filling_) return;
    if (item->column() == kClass) {
      const int index = item->data(Qt::UserRole).toInt();
      emit classEdited(index, item->text().trimmed());
      return;
    }
    if (item->column() != kName) return;
    // Read everything first: a handler may rebuild the table (and delete `item`).
    const int index = item->data(Qt::UserRole).toInt();
    const QString name = item->text();
    const bool visible = item->checkState() == Qt::Checked;
    emit renamed(index, name);
    emit visibilityChanged(index, visible);
  });
}

void AnnotationsPanel::setAnnotations(const std::vector<data::Annotation>& list) {
  const int keep = selected();
  filling_ = true;
  table_->setSortingEnabled(false);
  table_->setRowCount(static_cast<int>(list.size()));
  for (int i = 0; i < static_cast<int>(list.size()); ++i) {
    const auto& a = list[static_cast<std::size_t>(i)];
    auto* name = new QTableWidgetItem(QString::fromStdString(a.name));
    name->setFlags(name->flags() | Qt::ItemIsEditable | Qt::ItemIsUserCheckable);
    name->setCheckState(a.visible ? Qt::Checked : Qt::Unchecked);
    name->setToolTip(QString::fromStdString(a.description));
    auto* cls = new QTableWidgetItem(swatch(a.classification.color),
                                     QString::fromStdString(a.classification.name));
    cls->setToolTip(tr("Double-click to name the class"));
    auto* kind = new QTableWidgetItem(QString::fromLatin1(data::annotationKindName(a.kind)));
    const auto b = data::annotationBounds(a);
    auto* size = new QTableWidgetItem;
    const double value = data::isArea(a) ? b.width() * b.height() : data::annotationLength(a);
    size->setData(Qt::DisplayRole,
                  data::isArea(a)
                      ? QStringLiteral("%1 × %2").arg(qRound(b.width())).arg(qRound(b.height()))
                      : QString::number(value, 'f', 1));
    for (auto* item : {name, cls, kind, size}) {
      item->setData(Qt::UserRole, i);
      if (item != name && item != cls) item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    }
    table_->setItem(i, kName, name);
    table_->setItem(i, kClass, cls);
    table_->setItem(i, kKind, kind);
    table_->setItem(i, kSize, size);
  }
  table_->setSortingEnabled(true);
  filling_ = false;
  setSelected(keep < static_cast<int>(list.size()) ? keep : -1);
}

void AnnotationsPanel::setSelected(int index) {
  filling_ = true;
  table_->clearSelection();
  for (int r = 0; r < table_->rowCount(); ++r)
    if (table_->item(r, kName) && table_->item(r, kName)->data(Qt::UserRole).toInt() == index)
      table_->selectRow(r);
  filling_ = false;
}

int AnnotationsPanel::selected() const {
  const auto rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return -1;
  auto* item = table_->item(rows.front().row(), kName);
  return item ? item->data(Qt::UserRole).toInt() : -1;
}

}  // namespace tessera::widgets
