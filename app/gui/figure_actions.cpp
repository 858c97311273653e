#include "app/gui/figure_actions.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/cells/session_render.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "app/core/layer_order.h"
#include "app/gui/main_window.h"
#include "widgets/image_view.h"

namespace tessera::app {

ExportViewDialog::ExportViewDialog(int viewWidth, int viewHeight, bool haveAnnotations,
                                   QWidget* parent)
    : QDialog(parent),
      aspect_(static_cast<double>(std::max(1, viewHeight)) / std::max(1, viewWidth)) {
  setWindowTitle(tr("Export View"));
  auto* form = new QFormLayout(this);
  byPixels_ = new QRadioButton(tr("Pixels"));
  auto* byPrint = new QRadioButton(tr("Print size × DPI"));
  byPixels_->setChecked(true);
  width_ = new QSpinBox;
  width_->setRange(16, render::kMaxFigureSide);
  width_->setValue(std::clamp(viewWidth * 2, 16, render::kMaxFigureSide));
  width_->setSuffix(tr(" px wide"));
  dpi_ = new QDoubleSpinBox;
  dpi_->setRange(30, 2400);
  dpi_->setValue(300);
  printWidth_ = new QDoubleSpinBox;
  printWidth_->setRange(1, 2000);
  printWidth_->setValue(180);
  printUnit_ = new QComboBox;
  printUnit_->addItems({tr("mm"), tr("in")});
  auto* print = new QHBoxLayout;
  print->addWidget(printWidth_);
  print->addWidget(printUnit_);
  print->addWidget(new QLabel(tr("at")));
  print->addWidget(dpi_);
  print->addWidget(new QLabel(tr("DPI")));
  result_ = new QLabel;
  form->addRow(byPixels_, width_);
  form->addRow(byPrint, print);
  form->addRow(tr("Output:"), result_);
  legend_ = new QCheckBox(tr("Legend"));
  scaleBar_ = new QCheckBox(tr("Scale bar"));
  backing_ = new QCheckBox(tr("Dark backing behind the scale bar"));
  annotations_ = new QCheckBox(tr("Annotations"));
  for (auto* c : {legend_, scaleBar_, backing_, annotations_})
    c->setChecked(true);
  annotations_->setEnabled(haveAnnotations);
  annotations_->setChecked(haveAnnotations);
  title_ = new QLineEdit;
  title_->setPlaceholderText(tr("none"));
  form->addRow(tr("Draw:"), legend_);
  form->addRow(QString(), scaleBar_);
  form->addRow(QString(), backing_);
  form->addRow(QString(), annotations_);
  form->addRow(tr("Title:"), title_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Export…"));
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  for (auto* b : {byPixels_, byPrint})
    connect(b, &QRadioButton::toggled, this, &ExportViewDialog::updateSize);
  connect(width_, &QSpinBox::valueChanged, this, &ExportViewDialog::updateSize);
  connect(dpi_, &QDoubleSpinBox::valueChanged, this, &ExportViewDialog::updateSize);
  connect(printWidth_, &QDoubleSpinBox::valueChanged, this, &ExportViewDialog::updateSize);
  connect(printUnit_, &QComboBox::currentIndexChanged, this, &ExportViewDialog::updateSize);
  connect(scaleBar_, &QCheckBox::toggled, backing_, &QWidget::setEnabled);
  updateSize();
}

void ExportViewDialog::setPixelWidth(int w) {
  byPixels_->setChecked(true);
  width_->setValue(w);
}

FigureChoice ExportViewDialog::choice() const {
  FigureChoice c;
  if (byPixels_->isChecked()) {
    c.width = width_->value();
  } else {
    const double inches = printWidth_->value() / (printUnit_->currentIndex() == 0 ? 25.4 : 1.0);
    c.width = static_cast<int>(std::lround(inches * dpi_->value()));
    c.dpi = dpi_->value();
  }
  c.height = static_cast<int>(std::lround(c.width * aspect_));
  // Keep both sides within the limit, the aspect kept.
  const double over = std::max(c.width, c.height) / static_cast<double>(render::kMaxFigureSide);
  if (over > 1) {
    c.width = static_cast<int>(c.width / over);
    c.height = static_cast<int>(c.height / over);
  }
  c.width = std::max(1, c.width);
  c.height = std::max(1, c.height);
  c.legend = legend_->isChecked();
  c.scaleBar = scaleBar_->isChecked();
  c.backing = backing_->isChecked();
  c.annotations = annotations_->isChecked();
  c.title = title_->text();
  return c;
}

void ExportViewDialog::updateSize() {
  const auto c = choice();
  result_->setText(tr("%1 × %2 px").arg(c.width).arg(c.height));
}

render::FigureOptions currentViewFigure(MainWindow& window, const FigureChoice& choice,
                                        const std::vector<data::Annotation>& annotations) {
  auto* view = window.imageView();
  render::FigureOptions o;
  const auto& cam = view->camera();
  const auto world = cam.visibleWorld();
  o.view.region = render::Rect{world.x0, world.y0, world.x1, world.y1};
  o.view.width = choice.width;
  o.view.height = choice.height;
  o.view.displays = view->layer().displays();
  o.view.t = view->layer().planeT();
  o.view.z = view->layer().planeZ();
  setImageOrder(o.view, window.model().session());  // the image layers' places, as drawn
  o.view.scaleBar = choice.scaleBar;
  o.scaleBarBacking = choice.backing;
  o.dpi = choice.dpi;
  o.title = choice.title.toStdString();
  if (choice.annotations) o.annotations = annotations;
  o.annotationsDepth = layerDepths(window.model().session()).annotations;
  if (const auto* l = window.model().session().firstLayer(data::LayerKind::Annotations)) {
    if (!l->visible) o.annotations.clear();
    o.annotationsOpacity = l->opacity;
  }
  // The cells as the window draws them: same data, colouring, hidden groups, style and legend.
  auto* linker = window.cells();
  auto* shown = linker->imageOverlay();
  auto data = linker->session().data();
  if (shown && shown->visible() && data && data->hasSpatialCells()) {
    o.view.decorate = [data, coloring = linker->session().coloring(),
                       hidden = linker->session().hiddenMask(), style = shown->style(),
                       opacity = shown->opacity(), pointPx = shown->pointSize(),
                       depth = shown->depthOffset(),
                       legend = choice.legend](vtkRenderer* r, const render::ViewCamera& c) {
      auto overlay = std::make_shared<CellsOverlay>(r);
      if (!overlay->setData(data)) return std::shared_ptr<void>();
      overlay->setStyle(style);
      overlay->setDepthOffset(depth);
      (void)overlay->setColoring(coloring.coloring);
      if (!hidden.empty()) (void)overlay->setHidden(hidden);
      overlay->setOpacity(opacity);
      overlay->setPointSize(pointPx);
      overlay->setLegend(coloring.legend);
      overlay->setLegendVisible(legend);
      overlay->update(c);
      return std::static_pointer_cast<void>(overlay);
    };
  }
  return o;
}

void addFigureActions(QMenu* menu, MainWindow& window, AppContext& ctx,
                      std::function<std::vector<data::Annotation>()> annotations) {
  auto current = [&window]() -> std::shared_ptr<const data::TileSource> {
    const auto* ds = window.current();
    return ds ? ds->image : nullptr;
  };
  menu->addAction(QObject::tr("&Export View…"), &window, [&window, &ctx, annotations, current] {
    auto source = current();
    if (!source) {
      QMessageBox::information(&window, QObject::tr("Export View"),
                               QObject::tr("Open an image first."));
      return;
    }
    const auto list = annotations ? annotations() : std::vector<data::Annotation>{};
    const auto& cam = window.imageView()->camera();
    ExportViewDialog dialog(cam.viewportWidth(), cam.viewportHeight(), !list.empty(), &window);
    if (dialog.exec() != QDialog::Accepted) return;
    const QString path = QFileDialog::getSaveFileName(
        &window, QObject::tr("Export View"), QStringLiteral("figure.png"),
        QObject::tr("PNG image (*.png);;TIFF image (*.tif *.tiff)"));
    if (path.isEmpty()) return;
    auto options = currentViewFigure(window, dialog.choice(), list);
    QProgressDialog progress(QObject::tr("Exporting the view…"), QObject::tr("Cancel"), 0, 1000,
                             &window);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(0);
    options.progress = [&progress](double f) {
      progress.setValue(static_cast<int>(f * 1000));
      QCoreApplication::processEvents();
      return !progress.wasCanceled();
    };
    auto r = render::exportFigure(source, ctx.cache, options, path.toStdString());
    progress.reset();
    if (!r && r.error().code != data::Errc::Cancelled)
      QMessageBox::warning(&window, QObject::tr("Export View"),
                           QString::fromStdString(r.error().message));
  });
  menu->addAction(QObject::tr("&Copy View"), QKeySequence(QObject::tr("Ctrl+Shift+C")), &window,
                  [&window, &ctx, annotations, current] {
                    auto source = current();
                    if (!source) return;
                    const auto& cam = window.imageView()->camera();
                    FigureChoice c;
                    c.width = cam.viewportWidth();
                    c.height = cam.viewportHeight();
                    c.backing = false;
                    auto options = currentViewFigure(
                        window, c, annotations ? annotations() : std::vector<data::Annotation>{});
                    auto r = render::renderFigure(source, ctx.cache, options);
                    if (!r) {
                      QMessageBox::warning(&window, QObject::tr("Copy View"),
                                           QString::fromStdString(r.error().message));
                      return;
                    }
                    QImage img(r->rgb.data(), r->width, r->height, r->width * 3,
                               QImage::Format_RGB888);
                    QApplication::clipboard()->setImage(img.copy());
                  });
}

}  // namespace tessera::app
