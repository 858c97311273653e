#include "app/gui/annotations_controller.h"

#include <QAction>
#include <QActionGroup>
#include <QDockWidget>
#include <QFileDialog>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QToolBar>
#include <QUuid>

#include <nlohmann/json.hpp>

#include "app/cells/cells_data.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "app/gui/main_window.h"
#include "data/annotation/geojson.h"
#include "data/annotation/measure.h"
#include "render/annotation_overlay.h"
#include "widgets/annotation_tool.h"
#include "widgets/annotations_panel.h"
#include "widgets/image_view.h"
#include "widgets/measurements_panel.h"
#include "widgets/vtk_gl_window.h"

namespace tessera::app {
namespace {

struct ToolEntry {
  std::optional<data::AnnotationKind> kind;
  const char* label;
  const char* shortcut;
};

}  // namespace

AnnotationsController::AnnotationsController(MainWindow& window, AppContext& ctx)
    : QObject(&window), window_(window), ctx_(ctx) {
  auto* view = window.imageView();
  auto* renderer = view->glWindow()->renderer();
  overlay_ = std::make_unique<render::AnnotationOverlay>(renderer);
  previewOverlay_ = std::make_unique<render::AnnotationOverlay>(renderer, 0.05);
  tool_ = new widgets::AnnotationTool(
      view->glWindow(), [view]() -> const render::ViewCamera& { return view->camera(); }, this);
  tool_->setAnnotations(&list_);
  tool_->askText = [this]() -> std::optional<QString> {
    bool ok = false;
    const QString t = QInputDialog::getText(&window_, tr("Text Annotation"), tr("Text:"),
                                            QLineEdit::Normal, {}, &ok);
    return ok ? std::optional<QString>(t) : std::nullopt;
  };

  // The toolbar: Select and one tool per kind, then Undo and Redo.
  auto* bar = window.addToolBar(tr("Annotate"));
  bar->setObjectName(QStringLiteral("annotateToolbar"));
  auto* group = new QActionGroup(this);
  // Keys beside the Selection menu's P (pan), B (box), L (lasso) and Esc (clear selection).
  const ToolEntry tools[] = {{std::nullopt, "Select", ""},
                             {data::AnnotationKind::Rectangle, "Rectangle", "R"},
                             {data::AnnotationKind::Ellipse, "Ellipse", "E"},
                             {data::AnnotationKind::Polygon, "Polygon", "Shift+P"},
                             {data::AnnotationKind::Freehand, "Freehand", "F"},
                             {data::AnnotationKind::Point, "Point", "."},
                             {data::AnnotationKind::Line, "Line", "Shift+L"},
                             {data::AnnotationKind::Arrow, "Arrow", "A"},
                             {data::AnnotationKind::Text, "Text", "T"}};
  for (const auto& t : tools) {
    auto* a = bar->addAction(tr(t.label));
    a->setCheckable(true);
    a->setObjectName(QStringLiteral("annotate%1").arg(QString::fromLatin1(t.label)));
    a->setShortcut(QKeySequence(QString::fromLatin1(t.shortcut)));
    a->setToolTip(a->shortcut().isEmpty()
                      ? tr(t.label)
                      : tr("%1 (%2)").arg(tr(t.label), a->shortcut().toString()));
    group->addAction(a);
    if (!t.kind) a->setChecked(true);
    connect(a, &QAction::triggered, this, [this, kind = t.kind] { tool_->setTool(kind); });
  }
  bar->addSeparator();
  // The session's one history (Edit ▸ Undo holds the shortcuts; these are the toolbar's
  // buttons for it).
  auto* undo = bar->addAction(tr("Undo"), this, [this] { window_.model().undo(); });
  auto* redo = bar->addAction(tr("Redo"), this, [this] { window_.model().redo(); });
  undo->setEnabled(false);
  redo->setEnabled(false);
  sub_ = window.model().observe([this, undo, redo](const data::SessionEvent& e) {
    if (e.what == data::SessionChange::History) {
      undo->setEnabled(window_.model().canUndo());
      redo->setEnabled(window_.model().canRedo());
    }
    if (e.what == data::SessionChange::Annotations || e.what == data::SessionChange::Reset)
      fromModel();
  });

  panel_ = new widgets::AnnotationsPanel;
  auto* dock = new QDockWidget(tr("Annotations"), &window);
  dock->setObjectName(QStringLiteral("annotationsDock"));
  dock->setWidget(panel_);
  window.addDockWidget(Qt::LeftDockWidgetArea, dock);
  measurements_ = new widgets::MeasurementsPanel;
  auto* mdock = new QDockWidget(tr("Measurements"), &window);
  mdock->setObjectName(QStringLiteral("measurementsDock"));
  mdock->setWidget(measurements_);
  window.addDockWidget(Qt::BottomDockWidgetArea, mdock);

  connect(tool_, &widgets::AnnotationTool::preview, this,
          [this](const std::vector<data::Annotation>& shown) {
            preview_ = shown;
            previewOverlay_->setAnnotations(preview_);
            previewOverlay_->update(window_.imageView()->camera());
            window_.imageView()->requestRender();
          });
  connect(tool_, &widgets::AnnotationTool::drawn, this, [this](const data::Annotation& drawn) {
    auto a = drawn;
    a.name = QStringLiteral("%1 %2")
                 .arg(QString::fromLatin1(data::annotationKindName(a.kind)))
                 .arg(++counter_)
                 .toStdString();
    auto next = list_;
    next.push_back(a);
    apply(std::move(next),
          tr("Draw %1").arg(QString::fromLatin1(data::annotationKindName(a.kind))));
    select(static_cast<int>(list_.size()) - 1);
  });
  connect(tool_, &widgets::AnnotationTool::edited, this,
          [this](int index, const data::Annotation& after) {
            if (index < 0 || index >= static_cast<int>(list_.size())) return;
            auto next = list_;
            next[static_cast<std::size_t>(index)] = after;
            apply(std::move(next), tr("Edit %1").arg(QString::fromStdString(after.name)));
          });
  connect(tool_, &widgets::AnnotationTool::selected, this, &AnnotationsController::select);
  connect(panel_, &widgets::AnnotationsPanel::selectedChanged, this,
          &AnnotationsController::select);
  connect(panel_, &widgets::AnnotationsPanel::zoomRequested, this, &AnnotationsController::zoomTo);
  connect(panel_, &widgets::AnnotationsPanel::renamed, this, [this](int i, const QString& name) {
    if (i < 0 || i >= static_cast<int>(list_.size()) ||
        list_[static_cast<std::size_t>(i)].name == name.toStdString())
      return;
    auto next = list_;
    next[static_cast<std::size_t>(i)].name = name.toStdString();
    apply(std::move(next), tr("Rename"));
  });
  connect(panel_, &widgets::AnnotationsPanel::visibilityChanged, this, [this](int i, bool visible) {
    if (i < 0 || i >= static_cast<int>(list_.size()) ||
        list_[static_cast<std::size_t>(i)].visible == visible)
      return;
    auto next = list_;
    next[static_cast<std::size_t>(i)].visible = visible;
    apply(std::move(next), visible ? tr("Show") : tr("Hide"));
  });
  connect(panel_, &widgets::AnnotationsPanel::deleteRequested, this, [this](int i) {
    if (i < 0 || i >= static_cast<int>(list_.size())) return;
    auto next = list_;
    next.erase(next.begin() + i);
    selected_ = -1;
    apply(std::move(next), tr("Delete"));
  });
  connect(panel_, &widgets::AnnotationsPanel::classEdited, this, &AnnotationsController::setClass);
  connect(panel_, &widgets::AnnotationsPanel::describeRequested, this, [this](int i) {
    if (i < 0 || i >= static_cast<int>(list_.size())) return;
    const auto& a = list_[static_cast<std::size_t>(i)];
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(
        &window_, tr("Describe Annotation"), tr("Description of %1:").arg(a.name.c_str()),
        QString::fromStdString(a.description), &ok);
    if (ok) describe(i, text);
  });
  connect(panel_, &widgets::AnnotationsPanel::importRequested, this,
          &AnnotationsController::importFile);
  connect(panel_, &widgets::AnnotationsPanel::exportRequested, this,
          &AnnotationsController::exportFile);
  connect(measurements_, &widgets::MeasurementsPanel::levelChanged, this,
          &AnnotationsController::remeasure);
  // Screen-sized parts (point rings, arrow heads, handles) follow the zoom: redraw after a
  // frame whose zoom changed (one frame late at most).
  connect(view, &widgets::ImageView::frameRendered, this, [this] {
    const double z = window_.imageView()->camera().zoom();
    if (z == lastZoom_) return;
    lastZoom_ = z;
    show();
    window_.imageView()->requestRender();
  });
  // The annotations come with the session (a Reset); measured once its image is shown.
  connect(&window, &MainWindow::datasetOpened, this, [this] {
    if (const auto* ds = window_.current(); ds && ds->image)
      measurements_->setLevels(static_cast<int>(ds->image->info().levels.size()));
    remeasure();
  });
}

AnnotationsController::~AnnotationsController() {
  if (running_) running_->request_stop();
}

void AnnotationsController::apply(std::vector<data::Annotation> next, const QString& what) {
  // Every annotation gets a stable id (a UUID, as QuPath writes), by which a waypoint names the
  // annotations it shows; imported ones keep theirs.
  for (auto& a : next)
    if (a.id.empty()) a.id = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
  window_.model().setAnnotations(data::annotationsToGeoJson(next)["features"], what.toStdString());
}

void AnnotationsController::fromModel() {
  const auto& stored = window_.model().session().annotations;
  std::vector<data::Annotation> list;
  if (stored.is_array() && !stored.empty()) {
    auto parsed = data::geoJsonAnnotations(stored, "the session's annotations");
    if (parsed)
      list = std::move(parsed->annotations);
    else
      window_.statusBar()->showMessage(QString::fromStdString(parsed.error().message), 10000);
  }
  if (list != list_) reset(std::move(list));
}

void AnnotationsController::reset(std::vector<data::Annotation> list) {
  list_ = std::move(list);
  if (selected_ >= static_cast<int>(list_.size())) selected_ = -1;
  show();
  panel_->setAnnotations(list_);
  panel_->setSelected(selected_);
  emit changed();
  remeasure();
}

void AnnotationsController::setLayerLook(bool visible, double opacity) {
  overlay_->setVisible(visible);
  overlay_->setOpacity(opacity);
  show();
  window_.imageView()->requestRender();
}

void AnnotationsController::setDepthOffset(double dz) {
  // The drawing preview stays in front of the band, as the overlay's own z is.
  overlay_->setDepthOffset(dz);
  previewOverlay_->setDepthOffset(dz);
  window_.imageView()->requestRender();
}

void AnnotationsController::show() {
  overlay_->setAnnotations(list_);
  overlay_->setSelected(selected_);
  overlay_->update(window_.imageView()->camera());
  window_.imageView()->requestRender();
}

void AnnotationsController::select(int index) {
  selected_ = index;
  tool_->setSelected(index);
  panel_->setSelected(index);
  show();
}

void AnnotationsController::setClass(int index, const QString& className) {
  if (index < 0 || index >= static_cast<int>(list_.size())) return;
  const std::string name = className.toStdString();
  auto next = list_;
  auto& cls = next[static_cast<std::size_t>(index)].classification;
  if (cls.name == name) return;
  cls.name = name;
  for (const auto& other : list_)
    if (!name.empty() && other.classification.name == name) cls.color = other.classification.color;
  apply(std::move(next), tr("Set class"));
}

void AnnotationsController::describe(int index, const QString& description) {
  if (index < 0 || index >= static_cast<int>(list_.size())) return;
  auto next = list_;
  auto& a = next[static_cast<std::size_t>(index)];
  if (a.description == description.toStdString()) return;
  a.description = description.toStdString();
  apply(std::move(next), tr("Describe"));
}

void AnnotationsController::zoomTo(int index) {
  if (index < 0 || index >= static_cast<int>(list_.size())) return;
  const auto b = data::annotationBounds(list_[static_cast<std::size_t>(index)]);
  const auto& cam = window_.imageView()->camera();
  const double w = std::max(b.width(), 32.0) * 1.3, h = std::max(b.height(), 32.0) * 1.3;
  const double zoom = std::min(cam.viewportWidth() / w, cam.viewportHeight() / h);
  window_.imageView()->centerOn((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, zoom);
  select(index);
}

void AnnotationsController::remeasure() {
  if (running_) running_->request_stop();
  const auto* ds = window_.current();
  if (!ds || !ds->image || list_.empty()) {
    measurements_->setRows(nlohmann::json::array());
    measurements_->setStatus({});
    return;
  }
  auto stop = std::make_shared<std::stop_source>();
  running_ = stop;
  measurements_->setStatus(tr("measuring…"));
  data::MeasureOptions opt;
  opt.level =
      std::min(measurements_->level(), static_cast<int>(ds->image->info().levels.size()) - 1);
  opt.t = window_.imageView()->layer().planeT();
  opt.z = window_.imageView()->layer().planeZ();
  auto cells = window_.cells()->session().data();
  const auto genes = window_.cells()->profileGenes();
  std::vector<std::string> geneNames;
  for (const auto& g : genes)
    geneNames.push_back(g.toStdString());
  QPointer<AnnotationsController> self(this);
  ctx_.jobPool.post(
      [self, image = ds->image, list = list_, opt, stop, cells, geneNames, &cache = ctx_.cache]() {
        const auto id = cache.registerSource(image);
        nlohmann::json rows = nlohmann::json::array();
        std::string error;
        std::vector<std::pair<std::string, std::vector<float>>> columns;
        if (cells && cells->expression)
          for (const auto& g : geneNames)
            if (auto gi = cells->table->geneIndex(g); gi >= 0)
              // A worker of the job pool may wait for the engine (which runs on the HDF5
              // thread and the tile pool), never the GUI thread.
              if (auto values = geneValuesNow(*cells, gi))
                columns.emplace_back(g, std::move(*values));
        for (const auto& a : list) {
          if (!data::isArea(a)) continue;
          auto m = data::measureAnnotation(a, cache, id, image->info(), opt, stop->get_token());
          if (!m) {
            error = m.error().message;
            break;
          }
          if (cells && cells->hasSpatialCells()) {
            const auto inside = data::pointsInside(a, cells->px, cells->py);
            m->cells = static_cast<std::int64_t>(inside.size());
            for (const auto& [name, column] : columns) {
              double sum = 0;
              for (auto c : inside)
                sum += column[static_cast<std::size_t>(c)];
              m->geneMeans.emplace_back(name, inside.empty() ? std::nan("") : sum / inside.size());
            }
          }
          rows.push_back(data::measurementJson(*m));
        }
        cache.unregisterSource(id);
        if (stop->stop_requested()) return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, rows = std::move(rows), error, stop] {
              if (!self || self->running_ != stop) return;
              self->running_.reset();
              self->measurements_->setRows(rows);
              self->measurements_->setStatus(
                  error.empty() ? tr("%n area(s)", nullptr, static_cast<int>(rows.size()))
                                : QString::fromStdString(error));
              emit self->measured();
            },
            Qt::QueuedConnection);
      });
}

void AnnotationsController::importFile() {
  const QString path = QFileDialog::getOpenFileName(&window_, tr("Import Annotations"), {},
                                                    tr("GeoJSON (*.geojson *.json)"));
  if (path.isEmpty()) return;
  auto r = data::readGeoJson(path.toStdString());
  if (!r) {
    QMessageBox::warning(&window_, tr("Import Annotations"),
                         QString::fromStdString(r.error().message));
    return;
  }
  auto next = list_;
  next.insert(next.end(), r->annotations.begin(), r->annotations.end());
  apply(std::move(next), tr("Import %1").arg(path));
}

void AnnotationsController::exportFile() {
  const QString path = QFileDialog::getSaveFileName(&window_, tr("Export Annotations"),
                                                    QStringLiteral("annotations.geojson"),
                                                    tr("GeoJSON (*.geojson)"));
  if (path.isEmpty()) return;
  if (auto w = data::writeGeoJson(list_, path.toStdString()); !w)
    QMessageBox::warning(&window_, tr("Export Annotations"),
                         QString::fromStdString(w.error().message));
}

}  // namespace tessera::app
