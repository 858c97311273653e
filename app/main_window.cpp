#include "app/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProgressDialog>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "app/annotations_controller.h"
#include "app/app_context.h"
#include "app/cells_labels.h"
#include "app/cells_linker.h"
#include "app/cells_session.h"
#include "app/figure_actions.h"
#include "app/transcripts_panel.h"
#include "app/versions.h"
#include "data/remote/remote_context.h"
#include "widgets/archive_browser.h"
#include "widgets/channel_panel.h"
#include "widgets/clusters_panel.h"
#include "widgets/downloads_panel.h"
#include "widgets/embedding_view.h"
#include "widgets/genes_panel.h"
#include "widgets/image_picker.h"
#include "widgets/image_view.h"
#include "widgets/markers_panel.h"
#include "widgets/profile_panel.h"

// The resources live in a static library, whose initialiser the linker would otherwise drop;
// Q_INIT_RESOURCE must be used outside any namespace.
static void initTesseraResources() {
  Q_INIT_RESOURCE(tessera);
}

namespace tessera::app {
namespace {
constexpr int kMaxRecent = 10;

QString formatLength(double v, const QString& unit) {
  return QStringLiteral("%1 %2").arg(v, 0, 'f', std::abs(v) < 100 ? 2 : 1).arg(unit);
}

QString shortUnit(const std::string& unit) {
  if (unit == "micrometer") return QStringLiteral("µm");
  if (unit == "nanometer") return QStringLiteral("nm");
  if (unit == "millimeter") return QStringLiteral("mm");
  if (unit.empty()) return QStringLiteral("px");
  return QString::fromStdString(unit);
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
  connect(&cells_->session(), &CellsSession::loaded, this, &MainWindow::cellsLoaded);
  connect(&cells_->session(), &CellsSession::failed, this, &MainWindow::cellsFailed);
  statusBar()->addPermanentWidget(levelLabel_);
  connect(view_, &widgets::ImageView::cursorMoved, this, &MainWindow::updateCursor);
  connect(view_, &widgets::ImageView::cursorLeft, this, [this] { cursorLabel_->clear(); });
  connect(view_, &widgets::ImageView::levelChanged, this, &MainWindow::updateLevel);
  connect(view_, &widgets::ImageView::displaysChanged, this,
          [this] { channels_->setDisplays(view_->layer().displays()); });
  connect(channels_, &widgets::ChannelPanel::displaysEdited, this,
          [this](const std::vector<render::ChannelDisplay>& d) { view_->layer().setDisplays(d); });
  connect(channels_, &widgets::ChannelPanel::planeChanged, this,
          [this](std::int64_t t, std::int64_t z) {
            view_->layer().setPlane(t, z);
            if (view_->labels()) view_->labels()->setPlane(t, z);
          });
  // Histograms follow the view, recomputed once it settles rather than on every frame.
  statsTimer_ = new QTimer(this);
  statsTimer_->setSingleShot(true);
  statsTimer_->setInterval(300);
  connect(view_, &widgets::ImageView::frameRendered, statsTimer_, qOverload<>(&QTimer::start));
  connect(statsTimer_, &QTimer::timeout, this, &MainWindow::updateChannelStats);

  QSettings settings;
  resize(1400, 900);
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
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
  connect(picker_, &widgets::ImagePicker::imageChosen, this,
          [this](const data::ImageSelection& select) { openInputs(inputs_, select); });
  genesDock->raise();
  markersDock->raise();
  downloadsDock->raise();
  resizeDocks({downloadsDock}, {120}, Qt::Vertical);
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
                this, tr("Download %1 into").arg(title.isEmpty() ? url : title));
            if (!dir.isEmpty())
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
  recentMenu_ = file->addMenu(tr("&Recent"));
  rebuildRecentMenu();
  file->addSeparator();
  file->addAction(tr("Open &Demo"), this, [this] { openInputs({QStringLiteral("demo")}); });
  file->addSeparator();
  // Annotations (toolbar, docks) come before the View menu, which lists every dock.
  auto* annotations = new AnnotationsController(*this, ctx_);
  addFigureActions(file, *this, ctx_, [annotations] { return annotations->annotations(); });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  auto* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Fit"), QKeySequence(tr("Ctrl+0")), view_, &widgets::ImageView::fit);
  view->addAction(tr("&1:1"), QKeySequence(tr("Ctrl+1")), view_, &widgets::ImageView::oneToOne);
  view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, this, [this] { view_->zoomBy(1.25); });
  view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, this, [this] { view_->zoomBy(0.8); });
  view->addSeparator();
  for (auto* dock : findChildren<QDockWidget*>())
    view->addAction(dock->toggleViewAction());

  cells_->populateMenu(menuBar()->addMenu(tr("&Selection")));

  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Tessera"), this, &MainWindow::about);
}

void MainWindow::openInputs(const QStringList& inputs, const data::ImageSelection& select) {
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
  std::vector<std::string> list;
  for (const auto& in : inputs)
    list.push_back(in.toStdString());
  ctx_.jobPool.post(
      [self, cancel, list, select, inputs, &ctx = ctx_] {
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
        // Several inputs make one dataset: the first image is shown and the first table is linked
        // to it (e.g. `tessera image.ome.zarr cells.h5ad`).
        auto merged = std::make_shared<OpenedDataset>();
        QStringList opened, errors;
        for (const auto& in : list) {
          if (cancel->load()) return;
          auto result = openDataset(in, ctx, onProgress,
                                    &in == &list.front() ? select : data::ImageSelection{});
          if (!result) {
            errors << QString::fromStdString(result.error().message);
            continue;
          }
          opened << QString::fromStdString(in);
          if (merged->input.empty()) merged->input = in;
          if (!merged->image && result->image) {
            merged->image = result->image;
            merged->labels = result->labels;  // labels belong to their image
            merged->labelColors = result->labelColors;
            merged->labelsName = result->labelsName;
          }
          if (!merged->cells && result->cells) {
            merged->cells = result->cells;
            merged->cellsFrame = result->cellsFrame;
          }
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, cancel, merged, opened, errors, inputs] {
              if (!self || cancel->load()) return;
              if (self->progress_) self->progress_->reset();
              if (!opened.isEmpty()) self->inputs_ = inputs;
              for (const auto& in : opened)
                self->addRecent(in);
              if (!opened.isEmpty()) self->showDataset(merged);
              if (!errors.isEmpty()) self->showError(errors.join('\n'));
            },
            Qt::QueuedConnection);
      },
      data::Priority::Visible);
}

void MainWindow::updateChannelStats() {
  const auto& displays = view_->layer().displays();
  for (std::size_t c = 0; c < displays.size(); ++c)
    channels_->setStats(c, render::computeStats(view_->layer().viewSamples(c, 100000)));
}

void MainWindow::showDataset(std::shared_ptr<OpenedDataset> ds) {
  current_ = std::move(ds);
  // The readouts describe the previous dataset until the cursor moves again.
  cursorLabel_->clear();
  hoverLabel_->clear();
  if (current_->image) {
    view_->setSource(current_->image);
    view_->setLabels(current_->labels, current_->labelColors);
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
  } else {
    pickerDock_->hide();
  }
  if (current_->cells) {
    double w = 0, h = 0;
    if (current_->image) {
      const auto& l0 = current_->image->info().levels[0];
      w = static_cast<double>(l0.shape[data::kX]);
      h = static_cast<double>(l0.shape[data::kY]);
    }
    cells_->open(*current_->cells, w, h, current_->cellsFrame);
  } else {
    cells_->clear();
  }
  const QString name = QString::fromStdString(current_->input);
  setWindowTitle(tr("%1 — Tessera").arg(name == "demo" ? tr("Demo tissue") : name));
  emit datasetOpened(name);
}

void MainWindow::showError(const QString& message) {
  statusBar()->showMessage(message, 10000);
  auto* box =
      new QMessageBox(QMessageBox::Warning, tr("Cannot open"), message, QMessageBox::Ok, this);
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

void MainWindow::updateCursor(QPointF world, bool inside) {
  const auto* info = view_->layer().info();
  if (!info || !inside) {
    cursorLabel_->clear();
    return;
  }
  const auto& l0 = info->levels[0];
  const QString unit = shortUnit(info->spaceUnit);
  const double px = std::floor(world.x()), py = std::floor(world.y());
  QString text = QStringLiteral("x %1, y %2")
                     .arg(formatLength(px * l0.scale[data::kX] + l0.translation[data::kX], unit),
                          formatLength(py * l0.scale[data::kY] + l0.translation[data::kY], unit));
  text += QStringLiteral("  (px %1, %2)").arg(px).arg(py);
  int level = 0;
  const auto values = view_->layer().valuesAt(world.x(), world.y(), &level);
  const auto& displays = view_->layer().displays();
  for (std::size_t c = 0; c < values.size() && c < displays.size(); ++c)
    text += QStringLiteral("  %1: %2").arg(QString::fromStdString(displays[c].name)).arg(values[c]);
  if (!values.empty() && level > 0) text += tr("  (values from level %1)").arg(level);
  cursorLabel_->setText(text);
}

void MainWindow::updateLevel(int level) {
  const auto* info = view_->layer().info();
  if (!info) {
    levelLabel_->clear();
    return;
  }
  const auto& l = info->levels.at(static_cast<std::size_t>(level));
  levelLabel_->setText(tr("Level %1 of %2 (%3 × %4)")
                           .arg(level)
                           .arg(info->levels.size())
                           .arg(l.shape[data::kX])
                           .arg(l.shape[data::kY]));
}

QString MainWindow::statusText() const {
  return cursorLabel_->text() + " | " + levelLabel_->text();
}

void MainWindow::chooseFile() {
  const QString f =
      QFileDialog::getOpenFileName(this, tr("Open File"), QString(),
                                   tr("Images and tables (*.tif *.tiff *.ome.tif *.ome.tiff *.zarr "
                                      "*.h5ad *.h5 *.png *.jpg *.svs *.ndpi);;All files (*)"));
  if (!f.isEmpty()) openInputs({f});
}

void MainWindow::chooseFolder() {
  const QString d =
      QFileDialog::getExistingDirectory(this, tr("Open Folder (OME-Zarr, Visium, Xenium)"));
  if (!d.isEmpty()) openInputs({d});
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

void MainWindow::closeEvent(QCloseEvent* e) {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  QMainWindow::closeEvent(e);
}

}  // namespace tessera::app
