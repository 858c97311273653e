#include "widgets/markers_panel.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTextStream>
#include <QVBoxLayout>

namespace tessera::widgets {
namespace {
// Numeric cells sort by value, not by their text.
class NumberItem : public QTableWidgetItem {
 public:
  NumberItem(double v, const QString& text) : QTableWidgetItem(text) {
    setData(Qt::UserRole, v);
    setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  }
  bool operator<(const QTableWidgetItem& o) const override {
    return data(Qt::UserRole).toDouble() < o.data(Qt::UserRole).toDouble();
  }
};
}  // namespace

MarkersPanel::MarkersPanel(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(6, 6, 6, 6);
  auto* top = new QHBoxLayout();
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setMinimumWidth(0);
  cancel_ = new QPushButton(tr("Cancel"), this);
  export_ = new QPushButton(tr("Export CSV…"), this);
  // Progress and Cancel get their own row: showing them must not widen the dock (and so
  // shrink the image view) while markers run.
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  top->addWidget(status_, 1);
  top->addWidget(export_);
  lay->addLayout(top);
  auto* running = new QHBoxLayout();
  running->addWidget(progress_, 1);
  running->addWidget(cancel_);
  lay->addLayout(running);
  table_ = new QTableWidget(0, 5, this);
  table_->setHorizontalHeaderLabels({tr("Gene"), tr("Score"), tr("log2FC"), tr("p"), tr("adj. p")});
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(20);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  table_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Expanding);
  lay->addWidget(table_, 1);
  connect(cancel_, &QPushButton::clicked, this, &MarkersPanel::cancelRequested);
  connect(table_, &QTableWidget::cellClicked, this,
          [this](int r, int) { emit geneActivated(gene(r)); });
  connect(export_, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getSaveFileName(
        this, tr("Export markers"), QStringLiteral("markers.csv"), tr("CSV (*.csv)"));
    if (!f.isEmpty() && !exportCsv(f)) status_->setText(tr("Cannot write %1").arg(f));
  });
  setRunning(false);
  showEmpty(tr("Select cells (Ctrl+drag to lasso) to see their markers against the rest."));
}

void MarkersPanel::setRows(const std::vector<MarkerEntry>& rows, qint64 selected) {
  rows_ = rows;
  table_->setSortingEnabled(false);
  const int n = std::min<int>(static_cast<int>(rows.size()), kMaxRows);
  table_->setRowCount(n);
  for (int r = 0; r < n; ++r) {
    const auto& m = rows[static_cast<std::size_t>(r)];
    table_->setItem(r, 0, new QTableWidgetItem(m.gene));
    table_->setItem(r, 1, new NumberItem(m.score, QString::number(m.score, 'f', 2)));
    table_->setItem(r, 2, new NumberItem(m.log2fc, QString::number(m.log2fc, 'f', 2)));
    table_->setItem(r, 3, new NumberItem(m.p, QString::number(m.p, 'g', 3)));
    table_->setItem(r, 4, new NumberItem(m.padj, QString::number(m.padj, 'g', 3)));
  }
  table_->setSortingEnabled(true);
  table_->sortItems(1, Qt::DescendingOrder);
  status_->setText(tr("%1 selected cells vs the rest: %2 genes").arg(selected).arg(rows.size()));
  export_->setEnabled(!rows.empty());
}

void MarkersPanel::showEmpty(const QString& hint) {
  rows_.clear();
  table_->setRowCount(0);
  status_->setText(hint);
  export_->setEnabled(false);
}

void MarkersPanel::setRunning(bool running, double fraction) {
  progress_->setVisible(running);
  cancel_->setVisible(running);
  progress_->setValue(static_cast<int>(fraction * 1000));
  if (running) status_->setText(tr("Computing markers…"));
}

int MarkersPanel::rowCount() const {
  return table_->rowCount();
}

QString MarkersPanel::gene(int row) const {
  const auto* item = table_->item(row, 0);
  return item ? item->text() : QString();
}

QString MarkersPanel::statusText() const {
  return status_->text();
}

bool MarkersPanel::exportCsv(const QString& path) const {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return false;
  QTextStream out(&f);
  out << "gene,score,log2fc,pvalue,padj\n";
  for (const auto& m : rows_)
    out << m.gene << ',' << QString::number(m.score, 'g', 8) << ','
        << QString::number(m.log2fc, 'g', 8) << ',' << QString::number(m.p, 'g', 8) << ','
        << QString::number(m.padj, 'g', 8) << '\n';
  return f.error() == QFile::NoError;
}

}  // namespace tessera::widgets
