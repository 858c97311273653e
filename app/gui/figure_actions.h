#pragma once
/// File > Export View… and File > Copy View: the window's current view (region, channel
/// displays, plane, cells overlay with its legend, annotations) drawn off-screen by
/// render::exportFigure at a chosen size (pixels, or DPI × print size; up to 16,000 px a side)
/// to PNG or TIFF, with a progress dialog that cancels; or at the view's own size to the
/// clipboard. The same function draws `tessera render`'s figures, so both give the same pixels.
/// GUI thread only. The export runs on the GUI thread (VTK's off-screen context lives there)
/// and keeps the window responsive by processing events between tiles.
#include <functional>
#include <vector>

#include <QDialog>

#include "data/annotation/annotation.h"
#include "render/figure_export.h"

class QMenu;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QLabel;
class QRadioButton;

namespace tessera::app {

class MainWindow;
struct AppContext;

/// What the user chose in the Export View dialog.
struct FigureChoice {
  int width = 0, height = 0;
  double dpi = 0;
  bool legend = true, scaleBar = true, backing = true, annotations = true;
  QString title;
};

class ExportViewDialog : public QDialog {
  Q_OBJECT
 public:
  /// `viewWidth/Height`: the view's size (device pixels), whose aspect the figure keeps.
  ExportViewDialog(int viewWidth, int viewHeight, bool haveAnnotations, QWidget* parent = nullptr);
  FigureChoice choice() const;
  void setPixelWidth(int w);

 private:
  void updateSize();
  double aspect_;
  QRadioButton* byPixels_;
  QSpinBox* width_;
  QDoubleSpinBox* dpi_;
  QDoubleSpinBox* printWidth_;
  QComboBox* printUnit_;
  QLabel* result_;
  QCheckBox *legend_, *scaleBar_, *backing_, *annotations_;
  QLineEdit* title_;
};

/// The figure options for the window's current view at `width` x `height` (the view's
/// region kept; the height follows the aspect when it differs).
render::FigureOptions currentViewFigure(MainWindow& window, const FigureChoice& choice,
                                        const std::vector<data::Annotation>& annotations);

/// Adds Export View… and Copy View to `menu`. `annotations` lists what to draw (may be empty).
void addFigureActions(QMenu* menu, MainWindow& window, AppContext& ctx,
                      std::function<std::vector<data::Annotation>()> annotations = {});

}  // namespace tessera::app
