#pragma once
/// The Layers dock (napari's layer list): one row per layer of the session, top of the drawing
/// first, each with a visibility box, its name and kind, an opacity slider, up/down buttons for
/// the drawing order and a remove button. A layer may have details (the cells layer's colour-by,
/// LUT, range and style): a widget the owner hands in, shown under its row by an expander.
/// It shows what it is given and reports edits as signals carrying the layer's id; the window
/// turns them into session-model changes. GUI thread only.
#include <QPointer>
#include <QString>
#include <QWidget>
#include <map>
#include <set>
#include <vector>

class QVBoxLayout;
class QLabel;

namespace tessera::widgets {

struct LayerRow {
  QString id;
  QString name;
  QString kind;  ///< "image", "cells", "labels", "transcripts"
  bool visible = true;
  double opacity = 1;
  bool removable = true;
  bool operator==(const LayerRow&) const = default;
};

class LayerList : public QWidget {
  Q_OBJECT
 public:
  explicit LayerList(QWidget* parent = nullptr);
  /// Replaces the rows (listed top of the drawing first).
  void setLayers(const std::vector<LayerRow>& rows);
  const std::vector<LayerRow>& layers() const { return rows_; }
  /// Shows `details` under layer `id`'s row behind an expander (null removes them). The widget
  /// becomes the list's child (hidden while no row shows it); its maker may delete it any time.
  void setDetails(const QString& id, QWidget* details);
  QWidget* details(const QString& id) const;
  void setExpanded(const QString& id, bool expanded);
  bool isExpanded(const QString& id) const { return expanded_.count(id) > 0; }

 signals:
  void visibleToggled(const QString& id, bool visible);
  void opacityEdited(const QString& id, double opacity);
  /// Up (+1, towards the top of the drawing) or down (-1) one place.
  void moveRequested(const QString& id, int steps);
  void removeRequested(const QString& id);

 private:
  void rebuild();
  void releaseDetails();

  std::vector<LayerRow> rows_;
  std::map<QString, QPointer<QWidget>> details_;
  std::set<QString> expanded_;
  std::map<QString, QPointer<QWidget>> rowWidgets_;  ///< the current row of each layer
  QVBoxLayout* list_ = nullptr;
  QLabel* empty_ = nullptr;
};

}  // namespace tessera::widgets
