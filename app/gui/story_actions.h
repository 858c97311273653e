#pragma once
/// The window's story mode: the Story dock (widgets::StoryPanel) kept in step with the session
/// model's waypoints (every change is an undoable SessionModel::setWaypoints, saved in the
/// .tessera file), going to a waypoint (its layers into the model, its view by an animated
/// camera move that never blocks), File ▸ Export Story Handout… (the pages of `tessera story`:
/// each page prepared on the job pool, rendered on the GUI thread with a progress dialog that
/// cancels) and Help ▸ Demo Story (the built-in story over the demo tissue). The presenter
/// (story_presenter.h) drives it full screen. GUI thread only.
#include <QObject>
#include <QPointer>
#include <memory>
#include <string>
#include <vector>

#include "data/session/session_model.h"
#include "data/session/waypoint.h"

class QMenu;
class QDockWidget;
class QVariantAnimation;

namespace tessera::widgets {
class StoryPanel;
}

namespace tessera::app {

class MainWindow;
class StoryPresenter;
struct AppContext;
struct HandoutJob;
struct PreparedPage;

class StoryController : public QObject {
  Q_OBJECT
 public:
  /// Adds the Story dock to `window` and Export Story Handout… to `fileMenu`.
  StoryController(MainWindow& window, AppContext& ctx, QMenu* fileMenu);
  ~StoryController() override;
  /// Adds Demo Story to the Help menu.
  void addHelpActions(QMenu* helpMenu);

  widgets::StoryPanel* panel() const { return panel_; }
  QDockWidget* dock() const { return dock_; }
  StoryPresenter* presenter() const { return presenter_; }

  /// Shows waypoint `index`: its layers (navigation, not an edit: no undo step) and its view,
  /// moved to over ~400 ms unless `animate` is false; `revealed` shows its reveal. Emits
  /// arrived(index) when the camera is there.
  void goTo(int index, bool revealed = false, bool animate = true);
  /// A waypoint of the current view and layers (and the cells selected, kept as a named
  /// selection) inserted after `after` (-1: at the end).
  void addWaypoint(int after);
  /// Writes the handout of the session's story to `path` (asks for it when empty).
  void exportHandout(QString path = {});
  /// Opens the built-in demo story.
  void openDemoStory();
  /// The view a waypoint shows in the current viewport (a fit made concrete).
  data::ViewStop targetView(const data::Waypoint& w) const;
  /// The view shown now.
  data::ViewStop currentView() const;
  /// Moves the view to `to` (animated or at once); arrived(index) follows.
  void moveView(const data::ViewStop& to, int index, bool animate);

 signals:
  void arrived(int index);
  void handoutFinished(const QString& path, const QString& error);

 private:
  void refresh(const data::SessionEvent& e);
  void editText(int index, const std::string& title, const std::string& narration,
                const std::string& reveal, const std::string& selection);
  void exportNext(std::shared_ptr<HandoutJob> job);
  void renderPage(std::shared_ptr<HandoutJob> job, data::Expected<PreparedPage> prepared);
  void finishHandout(std::shared_ptr<HandoutJob> job, const QString& error);

  MainWindow& window_;
  AppContext& ctx_;
  widgets::StoryPanel* panel_;
  QDockWidget* dock_;
  StoryPresenter* presenter_;
  QVariantAnimation* animation_;
  data::ViewStop from_, to_;
  int target_ = -1;
  data::SessionModel::Subscription sub_;
  bool openDemoPending_ = false;
};

}  // namespace tessera::app
