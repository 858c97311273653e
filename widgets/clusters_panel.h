#pragma once
/// The Clusters dock: the categories of one categorical obs column as a legend with a
/// visibility toggle (hides/shows those cells in every view), the count of cells, and a colour
/// swatch that opens a colour picker. A combo picks the column. GUI thread only; plain values.
#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <vector>

class QComboBox;
class QTreeWidget;
class QTreeWidgetItem;

namespace tessera::widgets {

class ClustersPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ClustersPanel(QWidget* parent = nullptr);
  /// The categorical columns offered, and the one shown.
  void setColumns(const QStringList& columns, const QString& current);
  /// One row per category: name, colour 0xRRGGBB, count, hidden.
  void setCategories(const QStringList& names, const std::vector<std::uint32_t>& colors,
                     const std::vector<std::int64_t>& counts, const std::vector<bool>& hidden);
  int categoryCount() const;
  bool isShown(int category) const;
  /// Toggles a category as a click on its checkbox would.
  void setShown(int category, bool shown);
  QTreeWidget* tree() const { return tree_; }

 signals:
  void columnChosen(const QString& column);
  void visibilityToggled(int category, bool shown);
  void colorEdited(int category, std::uint32_t rgb);

 private:
  QComboBox* columns_ = nullptr;
  QTreeWidget* tree_ = nullptr;
  bool filling_ = false;
};

}  // namespace tessera::widgets
