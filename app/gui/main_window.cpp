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
#include <QLineEdit>
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
#include "app/core/app_context.h"
#include "app/core/session_display.h"
#include "app/core/session_open.h"
#include "app/core/versions.h"
#include "app/gui/annotations_controller.h"
#include "app/gui/axes_choice.h"
#include "app/gui/error_text.h"
#include "app/gui/figure_actions.h"
#include "app/gui/model_actions.h"
#include "app/gui/open_dialog.h"
#include "app/gui/story_actions.h"
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
#include "widgets/table_picker.h"

// The resources live in a static library, whose initialiser the linker would otherwise drop;
// Q_INIT_RESOURCE must be used outside any namespace.
static void initTesseraResources() {
  Q_INIT_RESOURCE(tessera);
}

namespace tessera::app {
namespace {
constexpr int kMaxRecent = 10;

// The file dialogs start where the user last opened something.
QString lastFolder() {
  return QSettings().value("dialogs/lastFolder").toString();
}
void rememberFolder(const QString& path) {
  QSettings().setValue("dialogs/lastFolder", QFileInfo(path).absolutePath());
}

}  // namespace

MainWindow::MainWindow(AppContext& ctx, QWidget* parent) : QMainWindow(parent), ctx_(ctx) {
  initTesseraResources();
  setWindowTitle(QStringLiteral("Tessera"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/tessera.svg")));
  view_ = new widgets::ImageView(ctx_.cache, this);
  setCentralWidget(view_);
  // Before buildDocks(): wireRemote() connects the Downloads panel's status line to it.
  downloadsLabel_ = new QLabel(this);
  buildDocks();
  cells_ = std::make_unique<CellsLinker>(
      ctx_, LinkedWidgets{view_, embedding_, channels_, genes_, profile_, clusters_, markers_,
                          transcripts_});
  labels_ = std::make_unique<CellsLabels>(view_, channels_, cells_->session());
  buildMenus();

  cursorLabel_ = new QLabel(this);
  levelLabel_ = new QLabel(this);
  statusBar()->addPermanentWidget(downloadsLabel_);
  hoverLabel_ = new QLabel(this);
  statusBar()->addWidget(cursorLabel_, 1);
  statusBar()->addPermanentWidget(hoverLabel_);
  connect(cells_.get(), &CellsLinker::hoverText, hoverLabel_, &QLabel::setText);
  connect(cells_.get(), &CellsLinker::message, this,
          [this](const QString& m) { statusBar()->showMessage(m, 10000); });
  // Clearing the previous table also says `loaded` (with no data): not a table that loaded.
  connect(&cells_->session(), &CellsSession::loaded, this, [this] {
    if (cells_->session().data()) emit cellsLoaded();
  });
  connect(&cells_->session(), &CellsSession::failed, this, &MainWindow::cellsFailed);
  statusBar()->addPermanentWidget(levelLabel_);
  connect(view_, &widgets::ImageView::cursorMoved, this, &MainWindow::updateCursor);
  connect(view_, &widgets::ImageView::cursorLeft, this, [this] { cursorLabel_->clear(); });
  connect(view_, &widgets::ImageView::levelChanged, this, &MainWindow::updateLevel);
  // The model is the document: panel edits go into it (undoable), and what it says goes to
  // the view and the panels.
  modelSub_ = model_.observe([this](const data::SessionEvent& e) { onModelChanged(e); });
  connect(view_, &widgets::ImageView::displaysChanged, this, [this] {
    channels_->setDisplays(view_->layer().displays());
    channelsEdited(view_->layer().displays(), false);
  });
  connect(channels_, &widgets::ChannelPanel::displaysEdited, this,
          [this](const std::vector<render::ChannelDisplay>& d) {
            channelsEdited(d, true);  // before the view says its displays changed
            view_->layer().setDisplays(d);
          });
  connect(channels_, &widgets::ChannelPanel::planeChanged, this,
          [this](std::int64_t t, std::int64_t z) {
            view_->layer().setPlane(t, z);
            for (auto* labels : view_->allLabels())
              labels->setPlane(t, z);
            auto cam = model_.session().camera;
            cam.t = t;
            cam.z = z;
            model_.setCamera(cam);
          });
  auto& cs = cells_->session();
  connect(&cs, &CellsSession::coloringChanged, this, [this] { cellsEdited(tr("Cell colouring")); });
  connect(&cs, &CellsSession::groupsChanged, this, [this] { cellsEdited(tr("Clusters column")); });
  connect(&cs, &CellsSession::hiddenChanged, this, [this] { cellsEdited(tr("Hide categories")); });
  wireCellsModel();
  // The view's camera is the model's, as it moves (no undo step); the model's, set otherwise,
  // moves the view.
  connect(view_, &widgets::ImageView::frameRendered, this, &MainWindow::cameraFromView);
  connect(&cs, &CellsSession::loaded, this, [this] {
    // The linker has set the panels up by the time queued calls run; then the session file's
    // cells layer, if any, wins. A table opened anew shows no search or profile of the one
    // before (the model's new layer has none).
    cellsReady_ = false;
    QTimer::singleShot(0, this, [this] {
      if (!cells_->session().data()) return;
      if (pendingCells_) applyCellsLayer(*pendingCells_);
      if (const auto* l = model_.session().firstLayer(data::LayerKind::Cells);
          l && !pendingCells_) {
        genes_->searchBox()->setText(QString::fromStdString(l->cells.geneSearch));
        QStringList genes;
        for (const auto& g : l->cells.profileGenes)
          genes << QString::fromStdString(g);
        if (genes != cells_->profileGenes()) cells_->showProfileGenes(genes);
      }
      applySelections();  // the session's selections, back on the cells (not a change)
      pendingCells_.reset();
      cellsReady_ = true;
      if (const auto* l = model_.session().firstLayer(data::LayerKind::Cells)) {
        data::SessionLayer next = *l;
        fromPanelState(capturePanelState(*cells_), next);
        model_.adjust([&](data::Session& s) { *s.layer(next.id) = next; },
                      {data::SessionChange::Layer, next.id}, false);
      }
    });
  });
  auto overlayEdit = [this](int row, const QString& label) {
    if (row == cells_->overlayRow()) cellsEdited(label);
  };
  connect(channels_, &widgets::ChannelPanel::overlayVisibleChanged, this,
          [overlayEdit](int row, bool) { overlayEdit(row, tr("Show cells")); });
  connect(channels_, &widgets::ChannelPanel::overlayOpacityChanged, this,
          [overlayEdit](int row, double) { overlayEdit(row, tr("Cell opacity")); });
  connect(channels_, &widgets::ChannelPanel::overlayStyleChanged, this,
          [overlayEdit](int row, int) { overlayEdit(row, tr("Cell style")); });
  setAcceptDrops(true);
  // Histograms follow the view, recomputed once it settles rather than on every frame.
  statsTimer_ = new QTimer(this);
  statsTimer_->setSingleShot(true);
  statsTimer_->setInterval(300);
  connect(view_, &widgets::ImageView::frameRendered, statsTimer_, qOverload<>(&QTimer::start));
  connect(statsTimer_, &QTimer::timeout, this, &MainWindow::updateChannelStats);

  updateTitle();
  setUpWorkspace();
}

MainWindow::~MainWindow() {
  if (cancelOpen_) cancelOpen_->store(true);
  // The overlays are VTK actors of the views' renderers: they go before the views.
  labels_.reset();
  cells_.reset();
}

void MainWindow::buildDocks() {
  auto* channelsDock = new QDockWidget(tr("Channels"), this);
  channelsDock->setObjectName("dock.channels");
  channels_ = new widgets::ChannelPanel(channelsDock);
  channelsDock->setWidget(channels_);
  addDockWidget(Qt::LeftDockWidgetArea, channelsDock);
  auto dock = [this](const QString& title, const char* object, QWidget* w,
                     Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(object);
    w->setParent(d);
    d->setWidget(w);
    addDockWidget(area, d);
    return d;
  };
  layers_ = new widgets::LayerList();
  auto* layersDock = dock(tr("Layers"), "dock.layers", layers_, Qt::LeftDockWidgetArea);
  splitDockWidget(layersDock, channelsDock, Qt::Vertical);
  auto layerEdit = [this](auto&& edit) {
    listEditing_ = true;
    edit();
    listEditing_ = false;
  };
  connect(layers_, &widgets::LayerList::visibleToggled, this,
          [this, layerEdit](const QString& id, bool v) {
            layerEdit([&] { model_.setLayerVisible(id.toStdString(), v); });
          });
  connect(layers_, &widgets::LayerList::opacityEdited, this,
          [this, layerEdit](const QString& id, double v) {
            layerEdit([&] { model_.setLayerOpacity(id.toStdString(), v); });
          });
  connect(layers_, &widgets::LayerList::removeRequested, this,
          [this](const QString& id) { model_.removeLayer(id.toStdString()); });
  genes_ = new widgets::GenesPanel();
  auto* genesDock = dock(tr("Genes"), "dock.genes", genes_, Qt::LeftDockWidgetArea);
  clusters_ = new widgets::ClustersPanel();
  auto* clustersDock = dock(tr("Clusters"), "dock.clusters", clusters_, Qt::LeftDockWidgetArea);
  transcripts_ = new TranscriptsPanel();
  auto* transcriptsDock =
      dock(tr("Transcripts"), "dock.transcripts", transcripts_, Qt::LeftDockWidgetArea);
  embedding_ = new widgets::EmbeddingView();
  dock(tr("Embedding"), "dock.embedding", embedding_, Qt::RightDockWidgetArea);
  profile_ = new widgets::ProfilePanel();
  auto* profileScroll = new QScrollArea();  // violins of many groups are taller than the dock
  profileScroll->setWidgetResizable(true);
  profileScroll->setWidget(profile_);
  auto* profileDock =
      dock(tr("Expression profile"), "dock.profile", profileScroll, Qt::RightDockWidgetArea);
  markers_ = new widgets::MarkersPanel();
  auto* markersDock = dock(tr("Markers"), "dock.markers", markers_, Qt::RightDockWidgetArea);
  downloads_ = new widgets::DownloadsPanel();
  auto* downloadsDock =
      dock(tr("Downloads"), "dock.downloads", downloads_, Qt::BottomDockWidgetArea);
  archives_ = new widgets::ArchiveBrowser();
  auto* archivesDock = dock(tr("Archives"), "dock.archives", archives_, Qt::BottomDockWidgetArea);
  // Related panels share a place as tabs, so the image keeps most of the window; the first
  // run shows Channels, Genes, Embedding, Markers and a short Downloads strip.
  tabifyDockWidget(genesDock, clustersDock);
  tabifyDockWidget(clustersDock, transcriptsDock);
  tabifyDockWidget(markersDock, profileDock);
  tabifyDockWidget(downloadsDock, archivesDock);
  picker_ = new widgets::ImagePicker();
  pickerDock_ = dock(tr("Images"), "dock.images", picker_, Qt::RightDockWidgetArea);
  pickerDock_->hide();  // shown for containers with several images
  // Another image of the container: an undo step of the model, which reopens it.
  connect(picker_, &widgets::ImagePicker::imageChosen, this,
          [this](const data::ImageSelection& select) {
            const auto* shown = model_.session().dataset(shownDataset_);
            if (!shown) return openInputs(inputs_, select);
            data::ImageSelection next = select;
            next.axes = shown->select.axes;
            model_.setDatasetSelection(shown->id, next);
          });
  tables_ = new widgets::TablePicker();
  tablesDock_ = dock(tr("Tables"), "dock.tables", tables_, Qt::RightDockWidgetArea);
  tablesDock_->hide();  // shown for SpatialData stores with several tables
  connect(tables_, &widgets::TablePicker::tableChosen, this, &MainWindow::chooseTable);
  genesDock->raise();
  markersDock->raise();
  resizeDocks({downloadsDock}, {120}, Qt::Vertical);
  // Closed until used: a download shows it, View lists it.
  downloadsDock->hide();
  resizeDocks({channelsDock, markersDock}, {330, 330}, Qt::Horizontal);
  wireRemote();
}

void MainWindow::wireRemote() {
  // The session's client (installed by main(); tests get the lazy default).
  auto remote = data::remoteContext();
  if (remote) http_ = remote->client;
  archives_->setServices(http_, &ctx_.jobPool);
  QFile catalog(QStringLiteral(":/catalog.json"));
  if (catalog.open(QIODevice::ReadOnly))
    archives_->setCatalogJson(catalog.readAll(), catalog.fileName());
  connect(archives_, &widgets::ArchiveBrowser::openRequested, this,
          [this](const QString& url) { openInputs({url}); });
  connect(archives_, &widgets::ArchiveBrowser::downloadRequested, this,
          [this](const QString& url, const QString& sha256, const QString& title) {
            if (!http_) return showError(tr("HTTP is not available: %1").arg(url));
            const QString dir = QFileDialog::getExistingDirectory(
                this, tr("Download %1 into").arg(title.isEmpty() ? url : title), lastFolder());
            if (dir.isEmpty()) return;
            QSettings().setValue("dialogs/lastFolder", dir);
            // The Downloads dock stays closed until there is something to show in it.
            if (auto* d = findChild<QDockWidget*>("dock.downloads")) {
              d->show();
              d->raise();
            }
            downloads_->startDownload(http_, ctx_.jobPool, url, dir, sha256, title);
          });
  connect(downloads_, &widgets::DownloadsPanel::statusTextChanged, downloadsLabel_,
          &QLabel::setText);
  connect(downloads_, &widgets::DownloadsPanel::downloadFinished, this,
          [this](const QString&, const QString& path) {
            statusBar()->showMessage(tr("Downloaded %1").arg(path), 8000);
          });
  connect(downloads_, &widgets::DownloadsPanel::downloadFailed, this,
          [this](const QString& url, const QString& message) {
            showError(tr("Download of %1 failed: %2").arg(url, message));
          });
}

void MainWindow::buildMenus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open File…"), QKeySequence::Open, this, &MainWindow::chooseFile);
  file->addAction(tr("Open &Folder…"), QKeySequence(tr("Ctrl+Shift+O")), this,
                  &MainWindow::chooseFolder);
  file->addAction(tr("Open &URL…"), QKeySequence(tr("Ctrl+L")), this, &MainWindow::chooseUrl);
  file->addAction(tr("Open &Session…"), this, &MainWindow::chooseSession);
  file->addAction(tr("&Add to Session…"), this, &MainWindow::chooseAdd);
  recentMenu_ = file->addMenu(tr("&Recent"));
  rebuildRecentMenu();
  file->addSeparator();
  file->addAction(tr("Open &Demo"), this, [this] { openInputs({QStringLiteral("demo")}); });
  file->addSeparator();
  file->addAction(tr("&Save Session"), QKeySequence::Save, this, &MainWindow::saveSession);
  file->addAction(tr("Save Session &As…"), QKeySequence::SaveAs, this, &MainWindow::saveSessionAs);
  // Annotations (toolbar, docks) come before the View menu, which lists every dock.
  auto* annotations = new AnnotationsController(*this, ctx_);
  addFigureActions(file, *this, ctx_, [annotations] { return annotations->annotations(); });
  auto* story = new StoryController(*this, ctx_, file);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  auto* edit = menuBar()->addMenu(tr("&Edit"));
  undo_ = edit->addAction(tr("&Undo"), QKeySequence::Undo, this, [this] { model_.undo(); });
  redo_ = edit->addAction(tr("&Redo"), QKeySequence(tr("Ctrl+Shift+Z")), this,
                          [this] { model_.redo(); });
  undo_->setEnabled(false);
  redo_->setEnabled(false);

  auto* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Fit"), QKeySequence(tr("Ctrl+0")), view_, &widgets::ImageView::fit);
  view->addAction(tr("&1:1"), QKeySequence(tr("Ctrl+1")), view_, &widgets::ImageView::oneToOne);
  view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, this, [this] { view_->zoomBy(1.25); });
  view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, this, [this] { view_->zoomBy(0.8); });
  view->addSeparator();
  // Bare zarr arrays and N5 datasets have no axis metadata: let the user correct the guess.
  interpretAxes_ = view->addAction(tr("Interpret &Axes…"), this, [this] {
    if (!current_ || !current_->image) return;
    if (auto axes = askAxes(this, current_->image->info())) interpretAxes(*axes);
  });
  interpretAxes_->setEnabled(false);
  view->addSeparator();
  for (auto* dock : findChildren<QDockWidget*>())
    view->addAction(dock->toggleViewAction());

  cells_->populateMenu(menuBar()->addMenu(tr("&Selection")));
  modelActions_ = new ModelActions(*this, ctx_);
  modelActions_->populateMenu(menuBar()->addMenu(tr("&Analysis")));

  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Keyboard Shortcuts"), QKeySequence(tr("F1")), this,
                  &MainWindow::showShortcuts);
  help->addAction(tr("&About Tessera"), this, &MainWindow::about);
  story->addHelpActions(help);
}

void MainWindow::openInputs(const QStringList& inputs, const data::ImageSelection& chosen,
                            std::optional<data::Session> reopen) {
  if (inputs.isEmpty()) return;
  if (cancelOpen_) cancelOpen_->store(true);
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancelOpen_ = cancel;
  delete progress_;
  progress_ =
      new QProgressDialog(tr("Opening %1…").arg(inputs.join(", ")), tr("Cancel"), 0, 1000, this);
  progress_->setWindowModality(Qt::WindowModal);
  progress_->setMinimumDuration(400);
  progress_->setValue(0);
  connect(progress_, &QProgressDialog::canceled, this, [cancel] { cancel->store(true); });

  QPointer<MainWindow> self(this);
  data::ImageSelection select = chosen;
  if (select.axes.empty()) select.axes = loadAxesChoice(inputs.front().toStdString()).toStdString();
  std::vector<std::string> list;
  for (const auto& in : inputs)
    list.push_back(in.toStdString());
  const bool sessionInput = list.size() == 1 && data::isSessionFile(list.front());
  const QString file = sessionInput ? inputs.front() : QString();
  ctx_.jobPool.post(
      [self, cancel, list, select, inputs, sessionInput, reopen, file, &ctx = ctx_] {
        auto onProgress = [self, cancel](double f, const std::string& stage) {
          QMetaObject::invokeMethod(
              qApp,
              [self, f, stage = QString::fromStdString(stage)] {
                if (!self || !self->progress_) return;
                self->progress_->setLabelText(tr("Preparing the demo dataset: %1").arg(stage));
                self->progress_->setValue(static_cast<int>(f * 1000));
              },
              Qt::QueuedConnection);
          return !cancel->load();
        };
        // Everything is opened here, off the GUI thread; the window changes only once it all
        // succeeded (or partly: the datasets that opened, with the others' errors).
        data::Expected<OpenedSession> result = data::fail(data::Errc::Cancelled, "cancelled");
        if (reopen) {
          result = openSession(*reopen, ctx, onProgress, cancel.get());
        } else if (sessionInput) {
          auto saved = data::readSessionFile(list.front());
          result = saved ? openSession(std::move(*saved), ctx, onProgress, cancel.get())
                         : data::Expected<OpenedSession>(std::unexpected(saved.error()));
        } else {
          result = openInputsAsSession(list, select, ctx, onProgress, cancel.get());
        }
        auto shared = std::make_shared<data::Expected<OpenedSession>>(std::move(result));
        QMetaObject::invokeMethod(
            qApp,
            [self, cancel, shared, inputs, file, reopened = reopen.has_value()] {
              if (!self || cancel->load()) return;
              if (self->progress_) self->progress_->reset();
              auto& r = *shared;
              if (!r) {
                if (r.error().code != data::Errc::Cancelled)
                  self->showError(QString::fromStdString(r.error().message));
                return;  // the previous session stays as it was
              }
              if (reopened)
                self->adoptReopened(std::move(*r));
              else
                self->adoptSession(std::move(*r), file, inputs);
            },
            Qt::QueuedConnection);
      },
      data::Priority::Visible);
}

void MainWindow::updateChannelStats() {
  const auto& displays = view_->layer().displays();
  for (std::size_t c = 0; c < displays.size(); ++c)
    channels_->setStats(c, render::computeStats(view_->layerOf(c).viewSamples(c, 100000)));
}

void MainWindow::showDataset(std::shared_ptr<OpenedDataset> ds) {
  current_ = std::move(ds);
  // The readouts describe the previous dataset until the cursor moves again.
  cursorLabel_->clear();
  hoverLabel_->clear();
  interpretAxes_->setEnabled(current_->image && canInterpretAxes(current_->image->info()));
  if (current_->image) {
    view_->setSource(current_->image);
    view_->setLabels(current_->labels, current_->labelColors);
    view_->setMoreLabels(current_->moreLabels);
    const auto& labelImages = current_->image->info().labelImages;
    labels_->labelsChanged(
        !current_->labelsName.empty() ? QString::fromStdString(current_->labelsName)
        : labelImages.empty()
            ? QString()
            : QString::fromStdString(
                  std::filesystem::path(labelImages.front().path).filename().string()),
        current_->labelColors);
    const auto& l0 = current_->image->info().levels[0];
    channels_->setPlanes(l0.shape[data::kT], l0.shape[data::kZ]);
    picker_->setInfo(current_->image->info());
    pickerDock_->setVisible(picker_->hasChoice());
    if (picker_->hasChoice()) pickerDock_->raise();
  }
  tables_->setTables(current_->tables, QString::fromStdString(current_->shownTable()));
  tablesDock_->setVisible(tables_->hasChoice());
  if (!current_->image) {
    // A table by itself: nothing of the previous image stays behind it.
    view_->setSource(nullptr);
    view_->setLabels(nullptr);
    labels_->labelsChanged(QString(), {});
    channels_->setPlanes(1, 1);
    pickerDock_->hide();
  }
  // The previous table goes first, so that nothing of it (legend, genes, clusters, overlays)
  // stays while the new one loads or if it fails to.
  cells_->clear();
  // The overlay takes the session's look: a dataset opened anew inherits nothing.
  if (const auto* l = model_.session().firstLayer(data::LayerKind::Cells)) {
    cells_->imageOverlay()->setVisible(l->visible);
    cells_->imageOverlay()->setOpacity(l->opacity);
  }
  if (current_->cells) {
    double w = 0, h = 0;
    if (current_->image) {
      const auto& l0 = current_->image->info().levels[0];
      w = static_cast<double>(l0.shape[data::kX]);
      h = static_cast<double>(l0.shape[data::kY]);
    }
    cells_->open(*current_->cells, w, h, current_->cellsFrame, current_->cellsAffine);
  }
  updateTitle();
  emit datasetOpened(QString::fromStdString(current_->input));
}

void MainWindow::showError(const QString& message) {
  // The app's words in the dialog; what a library said, under Details.
  const ErrorText words = splitErrorText(message);
  statusBar()->showMessage(words.text, 10000);
  auto* box =
      new QMessageBox(QMessageBox::Warning, tr("Cannot open"), words.text, QMessageBox::Ok, this);
  if (!words.details.isEmpty()) box->setDetailedText(words.details);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
  emit openFailed(message);
}

void MainWindow::addRecent(const QString& input) {
  QSettings settings;
  QStringList recent = settings.value("recent").toStringList();
  recent.removeAll(input);
  recent.prepend(input);
  while (recent.size() > kMaxRecent)
    recent.removeLast();
  settings.setValue("recent", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = QSettings().value("recent").toStringList();
  for (const auto& r : recent)
    recentMenu_->addAction(r, this, [this, r] { openInputs({r}); });
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::chooseFile() {
  // A zarr folder is chosen by entering it (see open_dialog.h).
  std::unique_ptr<QFileDialog> dialog(makeOpenDialog(this, lastFolder()));
  if (dialog->exec() != QDialog::Accepted) return;
  const QString f = chosenPath(*dialog);
  if (f.isEmpty()) return;
  rememberFolder(f);
  // A .zarr picked inside its folder (its .zattrs or zarr.json) opens the folder.
  QFileInfo info(f);
  const QString parent = info.absolutePath();
  if (parent.endsWith(".zarr") && (info.fileName() == ".zattrs" || info.fileName() == ".zgroup" ||
                                   info.fileName() == "zarr.json"))
    return openInputs({parent});
  openInputs({f});
}

void MainWindow::chooseFolder() {
  const QString d = QFileDialog::getExistingDirectory(
      this, tr("Open Folder (OME-Zarr, Visium, Xenium)"), lastFolder());
  if (d.isEmpty()) return;
  QSettings().setValue("dialogs/lastFolder", d);
  openInputs({d});
}

void MainWindow::chooseUrl() {
  archives_->openUrlDialog();
}

void MainWindow::about() {
  QMessageBox::about(this, tr("About Tessera"),
                     tr("<h3>Tessera %1</h3><p>A viewer for large multichannel microscopy images "
                        "correlated with omics data.</p><p>%2</p><p>BSD-3-Clause licence.</p>")
                         .arg(QString::fromStdString(tesseraVersion()),
                              QString::fromStdString(libraryVersions()).toHtmlEscaped()));
}

}  // namespace tessera::app
