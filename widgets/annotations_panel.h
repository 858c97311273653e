#pragma once
/// The Annotations panel: one row per annotation (name, class, kind, length or area shape,
/// a visibility check box), sortable by any column; rename and set the class in place, hide,
/// delete, describe, zoom to, import and export GeoJSON. It shows the list it is given and asks for
/// changes by signals (the app applies them as undoable edits). GUI thread only.
#include <QWidget>
#include <vector>

#include "data/annotation/annotation.h"

class QTableWidget;

namespace tessera::widgets {

class AnnotationsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit AnnotationsPanel(QWidget* parent = nullptr);
  void setAnnotations(const std::vector<data::Annotation>& list);
  void setSelected(int index);
  /// Index (into the list) of the current row, or -1.
  int selected() const;
  QTableWidget* table() const { return table_; }

 signals:
  void selectedChanged(int index);
  void renamed(int index, const QString& name);
  void visibilityChanged(int index, bool visible);
  void deleteRequested(int index);
  void classEdited(int index, const QString& className);
  void describeRequested(int index);
  void zoomRequested(int index);
  void importRequested();
  void exportRequested();

 private:
  QTableWidget* table_;
  bool filling_ = false;
};

}  // namespace tessera::widgets
