#include "widgets/genes_panel.h"

#include <QAbstractTableModel>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace tessera::widgets {

class GeneListModel : public QAbstractTableModel {
 public:
  using QAbstractTableModel::QAbstractTableModel;
  QStringList names, ids;
  std::vector<double> means, fractions;
  static constexpr int kFilterRole = Qt::UserRole + 1;

  int rowCount(const QModelIndex& p = {}) const override {
    return p.isValid() ? 0 : static_cast<int>(names.size());
  }
  int columnCount(const QModelIndex& p = {}) const override { return p.isValid() ? 0 : 3; }
  QVariant data(const QModelIndex& i, int role) const override {
    const auto r = static_cast<std::size_t>(i.row());
    if (role == Qt::DisplayRole) {
      if (i.column() == 0) return names[i.row()];
      if (i.column() == 1 && r < means.size()) return QString::number(means[r], 'g', 3);
      if (i.column() == 2 && r < fractions.size())
        return QStringLiteral("%1%").arg(fractions[r] * 100, 0, 'f', 1);
    }
    if (role == Qt::UserRole) {  // sort key
      if (i.column() == 0) return names[i.row()].toLower();
      if (i.column() == 1 && r < means.size()) return means[r];
      if (i.column() == 2 && r < fractions.size()) return fractions[r];
      return 0.0;
    }
    if (role == kFilterRole) {  // the search matches the symbol or the id
      return r < static_cast<std::size_t>(ids.size()) ? names[i.row()] + u' ' + ids[i.row()]
                                                      : names[i.row()];
    }
    if (role == Qt::ToolTipRole && i.column() == 0 && r < static_cast<std::size_t>(ids.size()))
      return ids[i.row()];
    if (role == Qt::TextAlignmentRole && i.column() > 0)
      return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
  }
  QVariant headerData(int s, Qt::Orientation o, int role) const override {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* h[] = {"Gene", "Mean", "Expr."};
    return QString::fromLatin1(h[s]);
  }
  void reset(QStringList n, QStringList id, std::vector<double> m, std::vector<double> f) {
    beginResetModel();
    names = std::move(n);
    ids = id.size() == names.size() ? std::move(id) : QStringList();
    means = std::move(m);
    fractions = std::move(f);
    endResetModel();
  }
};

GenesPanel::GenesPanel(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(6, 6, 6, 6);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search genes…"));
  search_->setClearButtonEnabled(true);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  model_ = new GeneListModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setFilterKeyColumn(0);
  proxy_->setFilterRole(GeneListModel::kFilterRole);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setSortRole(Qt::UserRole);
  table_ = new QTableView(this);
  table_->setModel(proxy_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setSortingEnabled(true);
  table_->sortByColumn(1, Qt::DescendingOrder);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(20);
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  lay->addWidget(search_);
  lay->addWidget(status_);
  lay->addWidget(table_, 1);

  connect(search_, &QLineEdit::textChanged, this, [this](const QString& t) { setFilter(t); });
  connect(search_, &QLineEdit::returnPressed, this, [this] {
    const QString t = search_->text().trimmed();
    for (qsizetype i = 0; i < model_->names.size(); ++i)
      if (model_->names[i].compare(t, Qt::CaseInsensitive) == 0 ||
          (i < model_->ids.size() && model_->ids[i].compare(t, Qt::CaseInsensitive) == 0)) {
        emit geneActivated(model_->names[i]);
        return;
      }
    if (visibleCount() == 1) emit geneActivated(visibleGene(0));
  });
  connect(table_, &QTableView::clicked, this, [this](const QModelIndex& i) {
    emit geneActivated(proxy_->data(proxy_->index(i.row(), 0)).toString());
  });
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          [this] { emit selectionChanged(selectedGenes()); });
  updateStatus();
}

void GenesPanel::setGenes(const QStringList& names, const std::vector<double>& means,
                          const std::vector<double>& fractions, const QStringList& ids) {
  model_->reset(names, ids, means, fractions);
  updateStatus();
}

void GenesPanel::setFilter(const QString& text) {
  if (search_->text() != text) search_->setText(text);  // re-enters through textChanged
  proxy_->setFilterFixedString(text.trimmed());
  updateStatus();
}

int GenesPanel::visibleCount() const {
  return proxy_->rowCount();
}

QString GenesPanel::visibleGene(int row) const {
  return proxy_->data(proxy_->index(row, 0)).toString();
}

QStringList GenesPanel::selectedGenes() const {
  QStringList out;
  for (const auto& i : table_->selectionModel()->selectedRows(0))
    out << proxy_->data(i).toString();
  return out;
}

void GenesPanel::setCurrentGene(const QString& gene) {
  for (int r = 0; r < proxy_->rowCount(); ++r)
    if (visibleGene(r) == gene) {
      const QSignalBlocker block(table_->selectionModel());
      table_->selectRow(r);
      table_->scrollTo(proxy_->index(r, 0));
      return;
    }
}

QString GenesPanel::statusText() const {
  return status_->text();
}

void GenesPanel::updateStatus() {
  const QString t = search_->text().trimmed();
  if (model_->names.isEmpty()) {
    status_->setText(tr("Open a table with expression values to list its genes."));
    search_->setStyleSheet({});
  } else if (!t.isEmpty() && proxy_->rowCount() == 0) {
    status_->setText(tr("No gene matches “%1”.").arg(t));
    search_->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #d04040; }"));
  } else {
    status_->setText(tr("%1 of %2 genes").arg(proxy_->rowCount()).arg(model_->names.size()));
    search_->setStyleSheet({});
  }
}

}  // namespace tessera::widgets
