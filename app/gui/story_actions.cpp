#include "app/gui/story_actions.h"

#include <algorithm>
#include <cmath>

#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>
#include <QStandardPaths>
#include <QStatusBar>
#include <QVariantAnimation>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/cells/story_pages.h"
#include "app/core/app_context.h"
#include "app/core/demo_story.h"
#include "app/core/session_display.h"
#include "app/gui/main_window.h"
#include "app/gui/story_presenter.h"
#include "data/session/session_file.h"
#include "widgets/image_view.h"
#include "widgets/story_panel.h"

namespace tessera::app {

/// One handout export in progress: a copy of the story (later edits do not change it) and the
/// page to do next.
struct HandoutJob {
  data::Session session;
  std::shared_ptr<const CellsData> cells;
  std::shared_ptr<const data::TileSource> image, labels;
  std::unique_ptr<HandoutWriter> writer;
  QPointer<QProgressDialog> progress;
  QString path;
  int next = 0, count = 0;
  int width = 1600, height = 1000;  ///< each page's view, in the window's aspect
  bool cancelled = false;
  QStringList notes;
};

namespace {
constexpr int kPageSteps = 100;  // progress steps per page
}

StoryController::StoryController(MainWindow& window, AppContext& ctx, QMenu* fileMenu)
    : QObject(&window), window_(window), ctx_(ctx) {
  panel_ = new widgets::StoryPanel;
  dock_ = new QDockWidget(tr("Story"), &window);
  dock_->setObjectName(QStringLiteral("dock.story"));
  dock_->setWidget(panel_);
  window.addDockWidget(Qt::RightDockWidgetArea, dock_);
  presenter_ = new StoryPresenter(window, *this);

  animation_ = new QVariantAnimation(this);
  animation_->setDuration(400);
  animation_->setStartValue(0.0);
  animation_->setEndValue(1.0);
  connect(animation_, &QVariantAnimation::valueChanged, this, [this](const QVariant& v) {
    const auto s = data::interpolateView(from_, to_, v.toDouble());
    auto* view = window_.imageView();
    if (s.width > 0) view->centerOn(s.centerX, s.centerY, view->camera().viewportWidth() / s.width);
  });
  connect(animation_, &QVariantAnimation::finished, this,
          [this] { moveView(to_, target_, false); });

  fileMenu->addAction(tr("Export Story &Handout…"), this, [this] { exportHandout(); });

  auto& model = window.model();
  sub_ = model.observe([this](const data::SessionEvent& e) { refresh(e); });
  connect(panel_, &widgets::StoryPanel::addRequested, this, &StoryController::addWaypoint);
  connect(panel_, &widgets::StoryPanel::goRequested, this, [this](int i) { goTo(i); });
  connect(panel_, &widgets::StoryPanel::presentRequested, presenter_, &StoryPresenter::start);
  connect(panel_, &widgets::StoryPanel::moveRequested, this, [this](int from, int to) {
    auto list = window_.model().session().waypoints;
    if (from < 0 || to < 0 || from >= static_cast<int>(list.size()) ||
        to >= static_cast<int>(list.size()))
      return;
    std::swap(list[static_cast<std::size_t>(from)], list[static_cast<std::size_t>(to)]);
    window_.model().setWaypoints(std::move(list), tr("Move waypoint").toStdString());
    panel_->setCurrent(to);
  });
  connect(panel_, &widgets::StoryPanel::deleteRequested, this, [this](int i) {
    auto list = window_.model().session().waypoints;
    if (i < 0 || i >= static_cast<int>(list.size())) return;
    list.erase(list.begin() + i);
    window_.model().setWaypoints(std::move(list), tr("Delete waypoint").toStdString());
  });
  connect(panel_, &widgets::StoryPanel::textEdited, this,
          [this](int i, const widgets::WaypointText& t) {
            editText(i, t.title.toStdString(), t.narration.toStdString(), t.reveal.toStdString(),
                     t.selection.toStdString());
          });
  connect(&window, &MainWindow::datasetOpened, this, [this] {
    if (!openDemoPending_) return;
    openDemoPending_ = false;
    dock_->show();
    dock_->raise();
    panel_->setCurrent(0);
    goTo(0, false, false);
  });
  refresh({data::SessionChange::Reset, {}});
}

StoryController::~StoryController() = default;

void StoryController::addHelpActions(QMenu* helpMenu) {
  helpMenu->addAction(tr("&Demo Story"), this, &StoryController::openDemoStory);
}

void StoryController::refresh(const data::SessionEvent& e) {
  using data::SessionChange;
  const auto& s = window_.model().session();
  if (e.what == SessionChange::Reset || e.what == SessionChange::Waypoints)
    panel_->setWaypoints(s.waypoints);
  // A session with a story brings its dock up (closed for datasets without one).
  if (e.what == SessionChange::Reset && !s.waypoints.empty()) dock_->show();
  if (e.what == SessionChange::Reset || e.what == SessionChange::Datasets ||
      e.what == SessionChange::Selections) {
    QStringList reveals, selections;
    for (const auto& l : s.layers) {
      if (l.kind != data::LayerKind::Image) reveals << QString::fromStdString(l.id);
      for (const auto& c : l.channels)
        reveals << QString::fromStdString(c.name);
    }
    for (const auto& [name, cells] : s.selections)
      selections << QString::fromStdString(name);
    panel_->setChoices(reveals, selections);
  }
}

void StoryController::editText(int index, const std::string& title, const std::string& narration,
                               const std::string& reveal, const std::string& selection) {
  auto list = window_.model().session().waypoints;
  if (index < 0 || index >= static_cast<int>(list.size())) return;
  auto& w = list[static_cast<std::size_t>(index)];
  const bool textOnly = w.reveal == reveal && w.selection == selection;
  w.title = title;
  w.narration = narration;
  w.reveal = reveal;
  w.selection = selection;
  window_.model().setWaypoints(std::move(list), textOnly ? tr("Edit narration").toStdString()
                                                         : tr("Edit waypoint").toStdString());
}

void StoryController::addWaypoint(int after) {
  auto* view = window_.imageView();
  auto& model = window_.model();
  data::Session now = model.session();
  now.camera = cameraOf(view->camera(), now.camera.t, now.camera.z);
  auto list = now.waypoints;
  const int at = after < 0 || after >= static_cast<int>(list.size()) ? static_cast<int>(list.size())
                                                                     : after + 1;
  const QString title = tr("Waypoint %1").arg(list.size() + 1);
  auto w = data::captureWaypoint(now, title.toStdString(), {});
  // The cells selected now (a lasso) are kept with the waypoint as a named selection.
  auto& cs = window_.cells()->session();
  if (cs.data() && !cs.selection().empty()) {
    const QString name = tr("Story: %1").arg(title);
    cs.nameSelection(name);
    w.selection = name.toStdString();
  }
  list.insert(list.begin() + at, std::move(w));
  model.setWaypoints(std::move(list), tr("Add waypoint").toStdString());
  panel_->setCurrent(at);
}

data::ViewStop StoryController::targetView(const data::Waypoint& w) const {
  if (w.width > 0) return {w.centerX, w.centerY, w.width};
  // A fit: the whole image in the viewport, as View ▸ Fit shows it.
  const auto& cam = window_.imageView()->camera();
  const auto* ds = window_.current();
  if (!ds || !ds->image) return currentView();
  const double iw = static_cast<double>(ds->image->info().width());
  const double ih = static_cast<double>(ds->image->info().height());
  const double vw = std::max(1, cam.viewportWidth()), vh = std::max(1, cam.viewportHeight());
  const double zoom = std::min(vw / iw, vh / ih);
  return {iw / 2, ih / 2, vw / zoom};
}

data::ViewStop StoryController::currentView() const {
  const auto& cam = window_.imageView()->camera();
  return {cam.centerX(), cam.centerY(), cam.visibleWorld().width()};
}

void StoryController::moveView(const data::ViewStop& to, int index, bool animate) {
  animation_->stop();
  target_ = index;
  from_ = currentView();
  to_ = to;
  auto* view = window_.imageView();
  if (animate && from_.width > 0 && !(from_ == to_)) {
    animation_->start();
    return;
  }
  if (to.width > 0)
    view->centerOn(to.centerX, to.centerY, view->camera().viewportWidth() / to.width);
  emit arrived(index);
}

void StoryController::goTo(int index, bool revealed, bool animate) {
  auto& model = window_.model();
  if (index < 0 || index >= static_cast<int>(model.session().waypoints.size())) return;
  const auto applied =
      data::applyWaypoint(model.session(), static_cast<std::size_t>(index), revealed);
  // Each layer the waypoint changes, through the model, so the view and the panels follow.
  for (const auto& l : applied.session.layers) {
    const auto* now = model.session().layer(l.id);
    if (!now || *now == l) continue;
    model.adjust([&](data::Session& s) { *s.layer(l.id) = l; }, {data::SessionChange::Layer, l.id},
                 false);
  }
  if (applied.session.annotations != model.session().annotations)
    model.adjust([&](data::Session& s) { s.annotations = applied.session.annotations; },
                 {data::SessionChange::Annotations, {}}, false);
  const auto& w = model.session().waypoints[static_cast<std::size_t>(index)];
  auto& cs = window_.cells()->session();
  if (cs.data()) {
    const auto it = model.session().selections.find(w.selection);
    if (!w.selection.empty() && it != model.session().selections.end()) {
      std::vector<std::uint32_t> valid;
      for (auto c : it->second)
        if (c < cs.data()->size()) valid.push_back(c);
      cs.applyPick(valid, widgets::SelectOp::Replace);
    } else if (!cs.selection().empty()) {
      cs.clearSelection();
    }
  }
  if (!applied.notes.empty()) {
    QStringList lines;
    for (const auto& n : applied.notes)
      lines << QString::fromStdString(n);
    window_.statusBar()->showMessage(lines.join(QStringLiteral("; ")), 10000);
  }
  moveView(targetView(w), index, animate);
}

void StoryController::openDemoStory() {
  auto story = demoStory();
  const QString dir =
      QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) + "/tessera";
  const QString file = dir + "/demo-story.tessera";
  data::Expected<void> written = story ? data::writeSessionFile(*story, file.toStdString())
                                       : data::Expected<void>(std::unexpected(story.error()));
  if (!written) {
    QMessageBox::warning(&window_, tr("Demo Story"),
                         QString::fromStdString(written.error().message));
    return;
  }
  openDemoPending_ = true;
  dock_->show();  // now, so that the view has its size before the story's camera is applied
  window_.openInputs({file});
}

void StoryController::exportHandout(QString path) {
  const auto* ds = window_.current();
  const auto& s = window_.model().session();
  if (!ds || !ds->image || s.waypoints.empty()) {
    QMessageBox::information(&window_, tr("Export Story Handout"),
                             tr("Add waypoints in the Story panel first."));
    return;
  }
  if (path.isEmpty())
    path = QFileDialog::getSaveFileName(&window_, tr("Export Story Handout"),
                                        QStringLiteral("handout.pdf"), tr("PDF (*.pdf)"));
  if (path.isEmpty()) return;
  panel_->flushEdits();
  const QString title = window_.sessionFile().isEmpty()
                            ? tr("Story")
                            : QFileInfo(window_.sessionFile()).completeBaseName();
  auto writer = HandoutWriter::open(path, title);
  if (!writer) {
    QMessageBox::warning(&window_, tr("Export Story Handout"),
                         QString::fromStdString(writer.error().message));
    return;
  }
  auto job = std::make_shared<HandoutJob>();
  job->session = s;
  job->cells = window_.cells()->session().data();
  job->image = ds->image;
  job->labels = ds->labels;
  job->writer = std::move(*writer);
  job->path = path;
  job->count = static_cast<int>(s.waypoints.size());
  // The pages show the waypoints as the presenter shows them: in the view's aspect (width kept,
  // the height following, as `render --waypoint` does), between a 4:1 strip and 4:3 so that
  // the narration keeps room on the page.
  const auto& cam = window_.imageView()->camera();
  const double aspect = std::clamp(
      double(std::max(1, cam.viewportHeight())) / std::max(1, cam.viewportWidth()), 0.25, 0.75);
  job->height = static_cast<int>(std::lround(job->width * aspect));
  job->progress = new QProgressDialog(tr("Writing the handout…"), tr("Cancel"), 0,
                                      job->count * kPageSteps, &window_);
  job->progress->setWindowModality(Qt::WindowModal);
  job->progress->setMinimumDuration(0);
  job->progress->setAttribute(Qt::WA_DeleteOnClose);
  connect(job->progress, &QProgressDialog::canceled, this, [job] { job->cancelled = true; });
  exportNext(job);
}

void StoryController::finishHandout(std::shared_ptr<HandoutJob> job, const QString& error) {
  job->writer.reset();  // a cancelled or failed handout leaves no file behind
  if (job->progress) job->progress->close();
  const bool cancelled = job->cancelled && !error.isEmpty();
  if (!error.isEmpty() && !cancelled)
    QMessageBox::warning(&window_, tr("Export Story Handout"), error);
  if (error.isEmpty())
    window_.statusBar()->showMessage(
        tr("Wrote %1").arg(job->path) +
            (job->notes.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(job->notes.join("; "))),
        10000);
  emit handoutFinished(job->path, error);
}

void StoryController::exportNext(std::shared_ptr<HandoutJob> job) {
  if (job->cancelled) return finishHandout(job, tr("Cancelled"));
  if (job->next == job->count) {
    auto f = job->writer->finish();
    return finishHandout(job, f ? QString() : QString::fromStdString(f.error().message));
  }
  // Resolving a gene colouring may wait for the expression engine: off the GUI thread.
  QPointer<StoryController> self(this);
  ctx_.jobPool.post([self, job] {
    auto prepared = std::make_shared<data::Expected<PreparedPage>>(
        prepareStoryPage(job->session, static_cast<std::size_t>(job->next), job->cells));
    QMetaObject::invokeMethod(
        qApp,
        [self, job, prepared] {
          if (self) self->renderPage(job, std::move(*prepared));
        },
        Qt::QueuedConnection);
  });
}

void StoryController::renderPage(std::shared_ptr<HandoutJob> job,
                                 data::Expected<PreparedPage> prepared) {
  if (job->cancelled) return finishHandout(job, tr("Cancelled"));
  if (!prepared) return finishHandout(job, QString::fromStdString(prepared.error().message));
  for (const auto& n : prepared->notes)
    job->notes << QString::fromStdString(n);
  // VTK's off-screen context lives on the GUI thread: the frame renders here, tile by tile,
  // with events processed in between so the dialog's Cancel works.
  const int base = job->next * kPageSteps;
  auto page = renderStoryPage(std::move(*prepared), job->image, job->labels, ctx_, job->width,
                              job->height, [job, base](double f) {
                                if (job->progress)
                                  job->progress->setValue(base + static_cast<int>(f * 90));
                                QCoreApplication::processEvents();
                                return !job->cancelled;
                              });
  if (!page)
    return finishHandout(job, page.error().code == data::Errc::Cancelled
                                  ? tr("Cancelled")
                                  : QString::fromStdString(page.error().message));
  job->writer->addPage(*page, job->next + 1, job->count);
  ++job->next;
  if (job->progress) job->progress->setValue(job->next * kPageSteps);
  exportNext(job);
}

}  // namespace tessera::app
