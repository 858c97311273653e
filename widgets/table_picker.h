#pragma once
/// The Tables panel: picks which table of a SpatialData store the cells layer shows. One entry
/// per table under `tables/`: its name, cells × genes and the elements its `region` annotates
/// ("labels/cells", "shapes/spots"), the shown one selected. Choosing another emits tableChosen;
/// the panel opens nothing itself, so the caller switches through its session model and loads
/// the table off the GUI thread. GUI thread only.
#include <QWidget>
#include <vector>

#include "data/spatial/spatialdata_tables.h"

class QComboBox;
class QLabel;

namespace tessera::widgets {

class TablePicker : public QWidget {
  Q_OBJECT
 public:
  explicit TablePicker(QWidget* parent = nullptr);

  /// Lists `tables` with `shown` (a name) selected; emits nothing.
  void setTables(const std::vector<data::SpatialDataTableInfo>& tables, const QString& shown);
  /// True when the last setTables listed more than one table.
  bool hasChoice() const;
  /// The table selected now (its name), "" when none is listed.
  QString selected() const;
  /// Selects `name` and emits tableChosen, as picking it in the list does; false when there is
  /// no such table.
  bool choose(const QString& name);
  QComboBox* comboBox() const { return box_; }
  /// An entry's text: "table_2 — 4 cells × 3 genes — labels/nuclei".
  static QString describe(const data::SpatialDataTableInfo& table);

 signals:
  void tableChosen(const QString& name);

 private:
  QLabel* title_;
  QComboBox* box_;
};

}  // namespace tessera::widgets
