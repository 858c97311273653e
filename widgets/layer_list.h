#pragma once
/// The Layers dock (napari's layer list): one row per layer of the session, top of the drawing
/// first, each with a visibility box, its name and kind, an opacity slider and a remove button.
/// It shows what it is given and reports edits as signals carrying the layer's id; the window
/// turns them into session-model changes. GUI thread only.
#include <QString>
#include <QWidget>
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

 signals:
  void visibleToggled(const QString& id, bool visible);
  void opacityEdited(const QString& id, double opacity);
  void removeRequested(const QString& id);

 private:
  std::vector<LayerRow> rows_;
  QVBoxLayout* list_ = nullptr;
  QLabel* empty_ = nullptr;
};

}  // namespace tessera::widgets
