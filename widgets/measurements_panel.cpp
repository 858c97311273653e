#include "widgets/measurements_panel.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTextStream>
#include <QVBoxLayout>

namespace tessera::widgets {
namespace {

QString cell(const nlohmann::json& v) {
  if (v.is_null()) return {};
  if (v.is_number()) return QString::number(v.get<double>(), 'g', 8);
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  return QString::fromStdString(v.dump());
}

QString quoted(QString s) {
  if (s.contains(',') || s.contains('"') || s.contains('\n'))
    return '"' + s.replace('"', QStringLiteral("\"\"")) + '"';
  return s;
}

}  // namespace

MeasurementsPanel::MeasurementsPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Level")));
  level_ = new QSpinBox;
  level_->setRange(0, 0);
  top->addWidget(level_);
  status_ = new QLabel;
  top->addWidget(status_, 1);
  auto* exportCsv = new QPushButton(tr("Export CSV…"));
  top->addWidget(exportCsv);
  layout->addLayout(top);
  table_ = new QTableWidget(0, 0, this);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSortingEnabled(true);
  table_->verticalHeader()->hide();
  layout->addWidget(table_);
  connect(level_, &QSpinBox::valueChanged, this, &MeasurementsPanel::levelChanged);
  connect(exportCsv, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Measurements"), QStringLiteral("measurements.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
      QMessageBox::warning(this, tr("Export Measurements"),
                           tr("%1: cannot write the file").arg(path));
      return;
    }
    f.write(csv().toUtf8());
  });
}

void MeasurementsPanel::setLevels(int count) {
  level_->setRange(0, std::max(0, count - 1));
}

int MeasurementsPanel::level() const {
  return level_->value();
}

void MeasurementsPanel::setStatus(const QString& text) {
  status_->setText(text);
}

void MeasurementsPanel::setRows(const nlohmann::json& rows) {
  QStringList header = {tr("Name"),       tr("Class"),          tr("Area (px)"),
                        tr("Area (µm²)"), tr("Perimeter (px)"), tr("Cells")};
  std::vector<std::string> genes;
  if (!rows.empty() && rows[0].contains("genes"))
    for (const auto& [g, v] : rows[0]["genes"].items())
      genes.push_back(g);
  for (const auto& g : genes)
    header << tr("%1 mean").arg(QString::fromStdString(g));
  if (!rows.empty())
    for (const auto& c : rows[0]["channels"])
      for (const char* stat : {"mean", "median", "min", "max", "std"})
        header << QStringLiteral("%1 %2").arg(QString::fromStdString(c["name"].get<std::string>()),
                                              QString::fromLatin1(stat));
  table_->setSortingEnabled(false);
  table_->clear();
  table_->setColumnCount(header.size());
  table_->setHorizontalHeaderLabels(header);
  table_->setRowCount(static_cast<int>(rows.size()));
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    const auto& row = rows[static_cast<std::size_t>(r)];
    QStringList values = {
        cell(row["name"]),
        row["classification"].is_null() ? QString() : cell(row["classification"]["name"]),
        cell(row["area_px"]),
        cell(row["area_um2"]),
        cell(row["perimeter_px"]),
        cell(row["cells"])};
    for (const auto& g : genes)
      values << (row.contains("genes") && row["genes"].contains(g) ? cell(row["genes"][g])
                                                                   : QString());
    for (const auto& c : row["channels"])
      for (const char* stat : {"mean", "median", "min", "max", "std"})
        values << cell(c[stat]);
    for (int c = 0; c < values.size(); ++c) {
      auto* item = new QTableWidgetItem;
      bool isNumber = false;
      const double v = values[c].toDouble(&isNumber);
      if (isNumber)
        item->setData(Qt::DisplayRole, v);
      else
        item->setText(values[c]);
      table_->setItem(r, c, item);
    }
  }
  table_->setSortingEnabled(true);
}

QString MeasurementsPanel::csv() const {
  QString out;
  QTextStream s(&out);
  for (int c = 0; c < table_->columnCount(); ++c)
    s << (c ? "," : "") << quoted(table_->horizontalHeaderItem(c)->text());
  s << "\n";
  for (int r = 0; r < table_->rowCount(); ++r) {
    for (int c = 0; c < table_->columnCount(); ++c) {
      const auto* item = table_->item(r, c);
      s << (c ? "," : "") << quoted(item ? item->data(Qt::DisplayRole).toString() : QString());
    }
    s << "\n";
  }
  return out;
}

}  // namespace tessera::widgets
