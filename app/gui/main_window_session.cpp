// The window's session side: adopting an opened session, keeping the model and the panels in
// step (edits into the model as undoable changes, model changes back onto the view and the
// panels), the title's unsaved mark, saving, opening session files and quitting.
#include "app/gui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressDialog>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTimer>
#include <cmath>
#include <set>
#include "app/cells/cells_labels.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/cells/transcripts_layer.h"
#include "app/core/app_context.h"
#include "app/core/layer_order.h"
#include "app/core/session_display.h"
#include "app/core/session_open.h"
#include "app/core/versions.h"
#include "app/gui/annotations_controller.h"
#include "app/gui/axes_choice.h"
#include "app/gui/figure_actions.h"
#include "app/gui/transcripts_panel.h"
#include "data/remote/remote_context.h"
#include "data/session/session_file.h"
#include "widgets/archive_browser.h"
#include "widgets/channel_panel.h"
#include "widgets/clusters_panel.h"
#include "widgets/downloads_panel.h"
#include "widgets/embedding_view.h"
#include "widgets/genes_panel.h"
#include "widgets/image_picker.h"
#include "widgets/image_view.h"
#include "widgets/layer_list.h"
#include "widgets/markers_panel.h"
#include "widgets/profile_panel.h"

namespace tessera::app {
namespace {

QString joinedLines(const std::vector<std::string>& lines) {
  QStringList out;
  for (const auto& l : lines)
    out << QString::fromStdString(l);
  return out.join('\n');
}

}  // namespace

void MainWindow::adoptSession(OpenedSession opened, const QString& file,
                              const QStringList& inputs) {
  inputs_ = inputs;
  if (!file.isEmpty()) {
    addRecent(QFileInfo(file).absoluteFilePath());
  } else {
    for (const auto& d : opened.session.datasets)
      addRecent(QString::fromStdString(d.location()));
  }
  sessionFile_ = file.isEmpty() ? QString() : QFileInfo(file).absoluteFilePath();
  pendingCells_.reset();
  added_.clear();
  if (!file.isEmpty())
    if (const auto* l = opened.session.firstLayer(data::LayerKind::Cells)) pendingCells_ = *l;
  cellsReady_ = false;
  const auto camera = opened.session.camera;
  applying_ = true;
  model_.reset(std::move(opened.session));
  showOpened(std::move(opened.shown));
  applying_ = false;
  if (!model_.session().firstLayer(data::LayerKind::Labels) && view_->labels())
    view_->setLabels(nullptr);
  for (const auto& l : model_.session().layers)
    if (l.kind != data::LayerKind::Cells) applyLayerLook(l);
  centerViewOn(camera);
  // Through the Channels dock's t/z sliders, so that they show the plane drawn.
  channels_->tSlider()->setValue(static_cast<int>(camera.t));
  channels_->zSlider()->setValue(static_cast<int>(camera.z));
  applyLayerOrder();  // the opened session's order
  updateTitle();
  if (!opened.errors.empty()) showError(joinedLines(opened.errors));
}

void MainWindow::reopenWith(data::Session session) {
  structureEdit_ = true;
  model_.setStructure(session, "Run Model");
  structureEdit_ = false;
  openInputs(inputs_, {}, model_.session());
}

void MainWindow::onModelChanged(const data::SessionEvent& e) {
  using data::SessionChange;
  if (e.what == SessionChange::History) {
    undo_->setEnabled(model_.canUndo());
    redo_->setEnabled(model_.canRedo());
    undo_->setText(model_.canUndo() ? tr("&Undo %1").arg(QString::fromStdString(model_.undoLabel()))
                                    : tr("&Undo"));
    redo_->setText(model_.canRedo() ? tr("&Redo %1").arg(QString::fromStdString(model_.redoLabel()))
                                    : tr("&Redo"));
    setWindowModified(model_.modified());
    return;
  }
  if (e.what == SessionChange::Reset || e.what == SessionChange::Datasets) {
    if (structureEdit_) return;  // reopenWith opens what the model now holds
    // Interpret Axes, another image of the container, or their undo: the image is read anew,
    // the model as it is.
    if (const auto* d = model_.session().dataset(shownDataset_);
        e.what == SessionChange::Datasets && d && !data::sameImage(d->select, shownSelect_)) {
      openInputs(inputs_, {}, model_.session());
      return;
    }
    // Another table of the SpatialData store (the Tables dock), or its undo: the store is
    // opened again with that table, in the background.
    if (const auto* l = model_.session().firstLayer(data::LayerKind::Cells);
        e.what == SessionChange::Datasets && l && current_ && !current_->tables.empty())
      if (const auto* d = model_.session().dataset(l->dataset); d && d->table != current_->table) {
        openInputs(inputs_, {}, model_.session());
        return;
      }
    if (e.what == SessionChange::Datasets) syncLayers();
    applyLayerOrder();
    refreshLayerList();
    return;
  }
  if (e.what == SessionChange::Camera) {
    if (!cameraFromView_) cameraToView();
    return;
  }
  if (e.what == SessionChange::Selection || e.what == SessionChange::Selections) {
    if (!editing_ && cellsReady_) applySelections();
    return;
  }
  if (e.what != SessionChange::Layer || applying_) return;
  const auto* l = model_.session().layer(e.layer);
  if (!l) return;
  applyLayerLook(*l);
  if (!listEditing_) refreshLayerList();
  if (editing_) return;
  // An undo or redo: the view and the panels take the model's state.
  if (l->kind == data::LayerKind::Image) {
    applying_ = true;
    const auto displays = toChannelDisplays(shownChannelStates(model_.session()));
    view_->layer().setDisplays(displays);
    channels_->setDisplays(displays);
    applying_ = false;
  } else if (l->kind == data::LayerKind::Cells && cellsReady_) {
    applyCellsLayer(*l);
  }
}

namespace {
// Slider drags on one channel's window or gamma become one undo step.
std::string channelMergeKey(const std::vector<data::ChannelState>& a,
                            const std::vector<data::ChannelState>& b) {
  if (a.size() != b.size()) return {};
  int changed = -1;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i])) {
      if (changed >= 0) return {};
      changed = static_cast<int>(i);
    }
  if (changed < 0) return {};
  const auto& x = a[changed];
  const auto& y = b[changed];
  data::ChannelState only = x;
  only.start = y.start, only.end = y.end, only.autoWindow = y.autoWindow;
  if (only == y) return "window:" + std::to_string(changed);
  only = x;
  only.gamma = y.gamma;
  if (only == y) return "gamma:" + std::to_string(changed);
  return {};
}
}  // namespace

void MainWindow::channelsEdited(const std::vector<render::ChannelDisplay>& displays, bool byUser) {
  if (applying_) return;
  // The shown image's channels may come from several image layers (a model's prediction joins
  // the image's channels): each layer gets its part.
  data::Session next = model_.session();
  if (!setShownChannelStates(next, toChannelStates(displays))) return;
  editing_ = true;
  for (const auto* l : shownImageLayers(model_.session())) {
    const std::string id = l->id;
    const auto& states = next.layer(id)->channels;
    if (states == l->channels) continue;
    if (byUser)
      model_.setChannels(id, states, channelMergeKey(l->channels, states));
    else
      model_.adjust([&](data::Session& s) { s.layer(id)->channels = states; },
                    {data::SessionChange::Layer, id}, false);
  }
  editing_ = false;
}

void MainWindow::cellsEdited(const QString& label) {
  if (applying_ || !cellsReady_ || !cells_->session().data()) return;
  const auto* l = model_.session().firstLayer(data::LayerKind::Cells);
  if (!l) return;
  data::SessionLayer next = *l;
  fromPanelState(capturePanelState(*cells_), next);
  next.cells.categoryColors = cells_->session().categoryColors();
  next.cells.hiddenCategories.assign(cells_->session().hiddenCategories().begin(),
                                     cells_->session().hiddenCategories().end());
  // Typing in the Genes search may change the list's selection, and so the profile, before
  // the search itself is told: the step is the search's either way.
  const QString step = next.cells.geneSearch != l->cells.geneSearch ? tr("Search genes") : label;
  const bool drag =
      step == tr("Cell opacity") || step == tr("Cell colouring") || step == tr("Search genes");
  editing_ = true;
  model_.setLayer(next, step.toStdString(), drag ? step.toStdString() : std::string());
  editing_ = false;
}

void MainWindow::refreshLayerList() {
  std::vector<widgets::LayerRow> rows;
  const auto& ls = model_.session().layers;
  const auto* image = model_.session().firstLayer(data::LayerKind::Image);
  for (auto it = ls.rbegin(); it != ls.rend(); ++it)  // the top of the drawing first
    rows.push_back({QString::fromStdString(it->id), QString::fromStdString(it->name),
                    QString::fromLatin1(data::layerKindName(it->kind)), it->visible, it->opacity,
                    it->kind != data::LayerKind::Annotations &&
                        (it->kind != data::LayerKind::Image || it->id != image->id)});
  layers_->setLayers(rows);
}

render::LabelLayer* MainWindow::labelsOf(const std::string& id) const {
  const bool linked = !current_ || current_->labelsLayer.empty() || current_->labelsLayer == id;
  return linked ? view_->labels() : view_->moreLabels(id);
}

void MainWindow::applyLayerLook(const data::SessionLayer& l) {
  const double alpha = l.visible ? l.opacity : 0.0;
  const auto* firstImage = model_.session().firstLayer(data::LayerKind::Image);
  switch (l.kind) {
    case data::LayerKind::Image:
      if (firstImage && firstImage->id != l.id) {
        // A later image layer (an added image, a prediction): shown or hidden through its
        // channels, its opacity that of its part (applyLayerOrder).
        applying_ = true;
        const auto displays = toChannelDisplays(shownChannelStates(model_.session()));
        if (displays.size() == view_->layer().displays().size()) {
          view_->layer().setDisplays(displays);
          channels_->setDisplays(displays);
        }
        applying_ = false;
        applyLayerOrder();
        break;
      }
      view_->layer().setOpacity(alpha);
      break;
    case data::LayerKind::Labels:
      if (auto* labels = labelsOf(l.id)) {
        labels->setVisible(l.visible);
        labels->setOpacity(l.opacity);
      }
      break;
    case data::LayerKind::Cells:
      // Through the Channels dock's overlay row, so that its controls show the same.
      if (const int row = cells_->overlayRow(); row >= 0) {
        applying_ = true;
        if (auto* v = channels_->overlayVisible(row)) v->setChecked(l.visible);
        if (auto* o = channels_->overlayOpacity(row))
          o->setValue(static_cast<int>(std::lround(l.opacity * 100)));
        applying_ = false;
      }
      break;
    case data::LayerKind::Transcripts:
      break;
    case data::LayerKind::Annotations:
      if (auto* a = findChild<AnnotationsController*>()) a->setLayerLook(l.visible, l.opacity);
      break;
  }
  view_->requestRender();
}

void MainWindow::syncLayers() {
  if (!current_) return;
  const auto& s = model_.session();
  // A joined image layer (a model's prediction) removed or brought back: the image is shown
  // again as the session opens (its undo history starts there).
  if (current_->image && shownChannelStates(s).size() != view_->layer().displays().size()) {
    return openInputs(inputs_, {}, s);
  }
  const bool labels = current_->labelsLayer.empty()
                          ? s.firstLayer(data::LayerKind::Labels) != nullptr
                          : s.layer(current_->labelsLayer) != nullptr;
  if (!labels && view_->labels()) view_->setLabels(nullptr);
  if (labels && !view_->labels() && current_->labels)
    view_->setLabels(current_->labels, current_->labelColors);
  // Further labels layers removed, or brought back by an undo, with the look the model keeps.
  widgets::ImageView::MoreLabels more;
  for (const auto& m : current_->moreLabels)
    if (s.layer(m.first)) more.push_back(m);
  view_->setMoreLabels(more);
  for (const auto& l : s.layers)
    if (l.kind == data::LayerKind::Labels) applyLayerLook(l);
  const bool cells = s.firstLayer(data::LayerKind::Cells) != nullptr;
  if (!cells && cells_->session().data()) {
    cellsReady_ = false;
    cells_->clear();
  }
  const auto* layer = s.firstLayer(data::LayerKind::Cells);
  const auto added = layer ? added_.find(layer->dataset) : added_.end();
  if (cells && !cells_->session().data() && (added != added_.end() || current_->cells)) {
    // Brought back (undo of a remove) or added: opened with the state the model keeps.
    pendingCells_ = *layer;
    double w = 0, h = 0;
    if (current_->image) {
      w = static_cast<double>(current_->image->info().width());
      h = static_cast<double>(current_->image->info().height());
    }
    if (added != added_.end())
      cells_->open(added->second.cells, w, h, added->second.frame);
    else
      cells_->open(*current_->cells, w, h, current_->cellsFrame, current_->cellsAffine);
  }
  view_->requestRender();
}

void MainWindow::applyLayerOrder() {
  // Depth bands (render/scene.h): a move changes a few actor positions, nothing is rebuilt.
  const auto depths = labelsLayerDepths(model_.session());
  const LayerDepths& d = depths.bands;
  view_->layer().setDepthOffset(d.image);
  // The image layers in their parts, once the view shows the channels the model lists (an
  // added image is shown after the image is opened again).
  auto drawing = imageDrawing(d);
  if (!drawing.first.empty() && drawing.first.size() != view_->layer().displays().size())
    drawing = {};
  view_->layer().setDrawnChannels(drawing.first);
  view_->setUpperImages(drawing.upper);
  const auto& labels = depths.layers;
  const auto linked = current_ ? labels.find(current_->labelsLayer) : labels.end();
  view_->setLabelsDepth(linked != labels.end() ? linked->second : d.labels);
  for (const auto& [id, dz] : labels)
    if (auto* more = view_->moreLabels(id)) more->setDepthOffset(dz);
  cells_->imageOverlay()->setDepthOffset(d.cells);
  if (auto* transcripts = cells_->transcripts()) transcripts->setDepthOffset(d.transcripts);
  if (auto* annotations = findChild<AnnotationsController*>())
    annotations->setDepthOffset(d.annotations);
  view_->requestRender();
}

void MainWindow::applyCellsLayer(const data::SessionLayer& layer) {
  applying_ = true;
  CellsSession& cs = cells_->session();
  if (layer.cells.colorKind.empty()) cs.colorByDefault();
  cs.setCategoryColors(layer.cells.categoryColors);
  const PanelState state = toPanelState(layer);
  applyPanelState(*cells_, state);
  if (!state.range) cs.setRange(std::nullopt);
  if (const auto* g = cs.groups()) {
    const std::set<int> hide(layer.cells.hiddenCategories.begin(),
                             layer.cells.hiddenCategories.end());
    for (std::size_t i = 0; i < g->categories.size(); ++i) {
      const bool hidden = hide.count(static_cast<int>(i)) > 0;
      if (cs.hiddenCategories().count(static_cast<int>(i)) != (hidden ? 1u : 0u))
        cs.setCategoryHidden(static_cast<int>(i), hidden);
    }
  }
  applying_ = false;
}

void MainWindow::updateTitle() {
  QString name;
  if (!sessionFile_.isEmpty()) {
    name = QFileInfo(sessionFile_).fileName();
  } else if (!model_.session().datasets.empty()) {
    const auto& d = model_.session().datasets.front();
    name = d.builtin == "demo" ? tr("Demo tissue") : QString::fromStdString(d.location());
  }
  // [*] is where Qt shows the unsaved-changes mark.
  setWindowTitle(name.isEmpty() ? tr("Tessera[*]") : tr("%1[*] — Tessera").arg(name));
  setWindowModified(model_.modified());
}

void MainWindow::cameraFromView() {
  if (!current_ || !current_->image || applying_) return;
  const auto& cam = model_.session().camera;
  const bool was = std::exchange(cameraFromView_, true);
  model_.setCamera(cameraOf(view_->camera(), cam.t, cam.z));
  cameraFromView_ = was;
}

void MainWindow::cameraToView() {
  const auto& cam = model_.session().camera;
  if (!current_ || !current_->image || cam.isFit()) return;
  const auto& v = view_->camera();
  const double width = v.visibleWorld().width();
  // Within a hundredth of a pixel (of the viewport) the view shows that camera already.
  const double tol = width / std::max(1, v.viewportWidth()) * 0.01;
  if (std::abs(v.centerX() - cam.centerX) <= tol && std::abs(v.centerY() - cam.centerY) <= tol &&
      std::abs(width - cam.width) <= tol)
    return;
  view_->centerOn(cam.centerX, cam.centerY, std::max(1, v.viewportWidth()) / cam.width);
}

bool MainWindow::saveSessionTo(const QString& path) {
  QString target = path;
  if (!target.endsWith(QLatin1String(data::kSessionExtension))) target += data::kSessionExtension;
  if (model_.session().empty()) {
    showError(tr("Nothing to save: open a dataset first."));
    return false;
  }
  cameraFromView();  // the view has not rendered since its last move
  if (auto w = data::writeSessionFile(model_.session(), target.toStdString()); !w) {
    showError(tr("Cannot save the session: %1").arg(QString::fromStdString(w.error().message)));
    return false;
  }
  sessionFile_ = QFileInfo(target).absoluteFilePath();
  emit sessionSaved(sessionFile_);
  model_.markSaved();
  addRecent(sessionFile_);
  QSettings().setValue("dialogs/sessionFolder", QFileInfo(target).absolutePath());
  updateTitle();
  statusBar()->showMessage(tr("Saved %1").arg(sessionFile_), 5000);
  return true;
}

void MainWindow::saveSession() {
  if (sessionFile_.isEmpty())
    saveSessionAs();
  else
    saveSessionTo(sessionFile_);
}

void MainWindow::saveSessionAs() {
  const QString f = QFileDialog::getSaveFileName(
      this, tr("Save Session"), QSettings().value("dialogs/sessionFolder").toString(),
      tr("Tessera sessions (*.tessera)"));
  if (!f.isEmpty()) saveSessionTo(f);
}

void MainWindow::interpretAxes(const QString& axes) {
  const auto* shown = model_.session().firstLayer(data::LayerKind::Image);
  if (!shown) return;
  if (const auto* d = model_.session().dataset(shown->dataset)) saveAxesChoice(d->location(), axes);
  model_.setDatasetAxes(shown->dataset, axes.toStdString());  // onModelChanged reopens it
}

void MainWindow::chooseTable(const QString& name) {
  const auto* l = model_.session().firstLayer(data::LayerKind::Cells);
  if (!l || !current_ || name.toStdString() == current_->shownTable()) return;
  const auto& tables = current_->tables;
  const auto chosen = std::find_if(tables.begin(), tables.end(),
                                   [&](const auto& t) { return t.name == name.toStdString(); });
  if (chosen == tables.end()) return;
  // The labels element it annotates, if any, is the one a labels layer then draws (as
  // attachSpatialData links it: the first region that is a labels or image element).
  std::string labels;
  for (const auto& r : chosen->regions)
    if (r.starts_with("labels/") || r.starts_with("images/")) {
      if (r.starts_with("labels/")) labels = r.substr(7);
      break;
    }
  model_.setDatasetTable(l->dataset, chosen->name, labels);  // onModelChanged reopens the store
}

void MainWindow::showOpened(OpenedDataset shown) {
  showDataset(std::make_shared<OpenedDataset>(std::move(shown)));
  const auto* l = model_.session().firstLayer(data::LayerKind::Image);
  if (l) {
    // With the channels of the image layers joined to it (a model's prediction).
    const auto displays = toChannelDisplays(shownChannelStates(model_.session()));
    view_->layer().setDisplays(displays);
    channels_->setDisplays(displays);
  }
  const auto* d = l ? model_.session().dataset(l->dataset) : nullptr;
  shownDataset_ = d ? d->id : std::string();
  shownSelect_ = d ? d->select : data::ImageSelection{};
}

void MainWindow::centerViewOn(const data::SessionCamera& camera) {
  if (camera.isFit() || !current_ || !current_->image) return;
  int vw = view_->camera().viewportWidth();
  if (vw <= 1) vw = static_cast<int>(view_->width() * view_->devicePixelRatioF());
  view_->centerOn(camera.centerX, camera.centerY, vw / camera.width);
}

void MainWindow::adoptReopened(OpenedSession opened) {
  // Another table of the same store (the Tables dock, or its undo): the image is the same, so
  // the view stays where it was.
  const bool tableSwitch = current_ && !current_->tables.empty() &&
                           current_->input == opened.shown.input &&
                           current_->table != opened.shown.table;
  const auto camera = model_.session().camera;
  applying_ = true;
  if (const auto* shown = opened.session.firstLayer(data::LayerKind::Image))
    model_.adjust(
        [&](data::Session& s) {
          if (auto* l = s.layer(shown->id)) l->channels = shown->channels;
        },
        {data::SessionChange::Layer, shown->id}, false);
  // The table reloads with the image; it comes back as the model has it.
  if (const auto* cells = model_.session().firstLayer(data::LayerKind::Cells))
    pendingCells_ = *cells;
  cellsReady_ = false;
  showOpened(std::move(opened.shown));
  for (const auto& l : model_.session().layers)
    if (l.kind != data::LayerKind::Cells) applyLayerLook(l);
  applying_ = false;
  if (tableSwitch) centerViewOn(camera);
  applyLayerOrder();  // the layers a run added (its structure edit left the depths as they were)
  refreshLayerList();
  if (!opened.errors.empty()) showError(joinedLines(opened.errors));
}

void MainWindow::chooseSession() {
  if (!confirmDiscard()) return;
  const QString f = QFileDialog::getOpenFileName(
      this, tr("Open Session"), QSettings().value("dialogs/sessionFolder").toString(),
      tr("Tessera sessions (*.tessera);;All files (*)"));
  if (f.isEmpty()) return;
  QSettings().setValue("dialogs/sessionFolder", QFileInfo(f).absolutePath());
  openInputs({f});
}

bool MainWindow::confirmDiscard() {
  if (!model_.modified()) return true;
  const auto answer = QMessageBox::question(
      this, tr("Unsaved changes"),
      tr("The session has changes that are not saved. Save them first?"),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) {
    saveSession();
    return !model_.modified();
  }
  return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  QStringList inputs;
  for (const auto& url : e->mimeData()->urls())
    inputs << (url.isLocalFile() ? url.toLocalFile() : url.toString());
  if (inputs.isEmpty()) return;
  e->acceptProposedAction();
  // A dropped session opens by itself; other files open together as one dataset.
  for (const auto& in : inputs)
    if (data::isSessionFile(in.toStdString())) inputs = QStringList{in};
  openInputs(inputs);
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (!confirmDiscard()) {
    e->ignore();
    return;
  }
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  QMainWindow::closeEvent(e);
}

}  // namespace tessera::app
