#pragma once
/// The Genes dock: a search box filtering tens of thousands of gene names as you type (a
/// QSortFilterProxyModel over a flat model, no per-row widgets), a sortable list with each
/// gene's mean and fraction of cells expressing it, multi-select, and a click (or Enter on an
/// exact name or id) that asks for the cells to be coloured by the gene. A search matching nothing
/// says so under the box. GUI thread only; holds plain values, no data access.
#include <QStringList>
#include <QWidget>
#include <vector>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace tessera::widgets {

class GeneListModel;

class GenesPanel : public QWidget {
  Q_OBJECT
 public:
  explicit GenesPanel(QWidget* parent = nullptr);
  /// means/fractions may be empty (unknown yet) or one per name; `ids` (e.g. Ensembl ids), when
  /// one per name, are searched as well as the names and shown as tooltips.
  void setGenes(const QStringList& names, const std::vector<double>& means,
                const std::vector<double>& fractions, const QStringList& ids = {});
  void setFilter(const QString& text);
  /// Rows shown after the filter.
  int visibleCount() const;
  /// Gene name of visible row `row`.
  QString visibleGene(int row) const;
  QStringList selectedGenes() const;
  /// Highlights `gene` as the one colouring the cells (no signal).
  void setCurrentGene(const QString& gene);
  QLineEdit* searchBox() const { return search_; }
  QTableView* table() const { return table_; }
  QString statusText() const;

 signals:
  void geneActivated(const QString& gene);
  void selectionChanged(const QStringList& genes);

 private:
  void updateStatus();
  GeneListModel* model_ = nullptr;
  QSortFilterProxyModel* proxy_ = nullptr;
  QLineEdit* search_ = nullptr;
  QTableView* table_ = nullptr;
  QLabel* status_ = nullptr;
};

}  // namespace tessera::widgets
