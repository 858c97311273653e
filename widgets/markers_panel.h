#pragma once
/// The Markers dock: the differential-expression table of the selection against the rest
/// (gene, score, log2FC, p, adjusted p), sortable by any column; a click asks to colour by the
/// gene; a progress bar with Cancel while it runs; export of the table to CSV. Without a
/// selection it says "Select cells…". GUI thread only; plain values.
#include <QString>
#include <QWidget>
#include <vector>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace tessera::widgets {

struct MarkerEntry {
  QString gene;
  double score = 0, log2fc = 0, p = 1, padj = 1;
};

class MarkersPanel : public QWidget {
  Q_OBJECT
 public:
  explicit MarkersPanel(QWidget* parent = nullptr);
  /// Shows `rows` (the first kMaxRows) for a selection of `selected` cells.
  void setRows(const std::vector<MarkerEntry>& rows, qint64 selected);
  /// No selection: an empty table and the hint.
  void showEmpty(const QString& hint);
  void setRunning(bool running, double fraction = 0);
  int rowCount() const;
  QString gene(int row) const;
  QTableWidget* table() const { return table_; }
  QString statusText() const;
  /// Writes gene,score,log2fc,pvalue,padj for every row (not only the shown ones).
  bool exportCsv(const QString& path) const;

  static constexpr int kMaxRows = 500;

 signals:
  void geneActivated(const QString& gene);
  void cancelRequested();

 private:
  QLabel* status_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* export_ = nullptr;
  QTableWidget* table_ = nullptr;
  std::vector<MarkerEntry> rows_;
};

}  // namespace tessera::widgets
