#pragma once
/// The Measurements panel: one row per area annotation (name, class, area in px and µm²,
/// perimeter, cells, then mean/median/min/max/std per channel), the level they were measured
/// at, and Export CSV. Fed with data::measurementJson rows; GUI thread only.
#include <QWidget>

#include <nlohmann/json.hpp>

class QTableWidget;
class QSpinBox;
class QLabel;

namespace tessera::widgets {

class MeasurementsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit MeasurementsPanel(QWidget* parent = nullptr);
  /// `rows`: a JSON array of measurementJson objects.
  void setRows(const nlohmann::json& rows);
  void setLevels(int count);
  int level() const;
  void setStatus(const QString& text);
  /// The table as CSV (RFC 4180 quoting), header first.
  QString csv() const;
  QTableWidget* table() const { return table_; }

 signals:
  void levelChanged(int level);

 private:
  QTableWidget* table_;
  QSpinBox* level_;
  QLabel* status_;
};

}  // namespace tessera::widgets
