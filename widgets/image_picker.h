#pragma once
/// The Images panel: picks one image of a container that holds several. For a list of series
/// (OME-TIFF Images, bioformats2raw series, SpatialData images, the fields of a well) it shows
/// one row per series with its name and t,c,z,y,x size; for an HCS plate, the plate grid (rows
/// × columns; wells present are highlighted and selectable, the one shown is marked) and a
/// field selector for the selected well. "Open" (or a double-click) emits imageChosen with the
/// ImageSelection to open; the panel itself never opens anything, so the caller opens it off
/// the GUI thread like any other dataset. GUI thread only.
#include <QWidget>

#include "data/image_info.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTableWidget;

namespace tessera::widgets {

class ImagePicker : public QWidget {
  Q_OBJECT
 public:
  explicit ImagePicker(QWidget* parent = nullptr);

  /// Shows the choices of `info` (its series or its plate) with the opened image selected.
  void setInfo(const data::ImageInfo& info);
  /// True when the last setInfo had more than one image to choose from.
  bool hasChoice() const { return hasChoice_; }

  /// Programmatic selection, as a click would do; false when there is no such entry.
  bool selectSeries(int index);
  bool selectWell(const QString& wellPath);
  bool selectField(int field);
  /// What "Open" would ask for now.
  data::ImageSelection selection() const;
  /// Emits imageChosen(selection()), as "Open" does.
  void choose();

  QListWidget* seriesList() const { return series_; }
  QTableWidget* plateGrid() const { return grid_; }
  QComboBox* fieldBox() const { return fields_; }

 signals:
  void imageChosen(const data::ImageSelection& selection);

 private:
  void showSeries(const data::ImageInfo& info);
  void showPlate(const data::PlateInfo& plate);
  void fillFields();
  int selectedWell() const;

  QLabel* title_;
  QStackedWidget* pages_;
  QListWidget* series_;
  QTableWidget* grid_;
  QComboBox* fields_;
  QPushButton* open_;
  std::optional<data::PlateInfo> plate_;
  bool hasChoice_ = false;
};

}  // namespace tessera::widgets
