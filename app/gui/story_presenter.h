#pragma once
/// Presenter mode: the window full screen with only the image and, beside it, the waypoint's
/// title and narration (Markdown) with Previous, Reveal, Explore and Next. Right/Page Down
/// step forward, Left/Page Up back (presentation clickers send these), Space reveals the
/// waypoint's hidden layer or else steps forward, Esc leaves. Camera moves are animated by the
/// StoryController. Locked (the default), the view takes no mouse, wheel or keys, so students
/// stay on the story's settings until they press Explore; the next step locks again. Leaving
/// restores the window's docks, menus, the layers, the annotations and the view as they were.
/// GUI thread only.
#include <QByteArray>
#include <QObject>
#include <vector>

#include "data/session/session.h"
#include "data/session/waypoint.h"

class QDockWidget;
class QLabel;
class QPushButton;
class QTextBrowser;

namespace tessera::app {

class MainWindow;
class StoryController;

class StoryPresenter : public QObject {
  Q_OBJECT
 public:
  StoryPresenter(MainWindow& window, StoryController& story);
  ~StoryPresenter() override;

  void start(int index);
  void stop();
  bool active() const { return active_; }
  int index() const { return index_; }
  bool locked() const { return locked_; }
  bool revealed() const { return revealed_; }
  void next();
  void previous();
  /// Shows the waypoint's reveal; false when it has none or it shows already.
  bool reveal();
  /// Explore (unlocked) or back to the story's settings (locked).
  void setLocked(bool locked);
  /// The narration side panel (tests, screenshots).
  QWidget* sidePanel() const;
  QTextBrowser* narration() const { return text_; }

 signals:
  void started();
  void stopped();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void show(int index, bool animate);
  void updatePanel();
  bool isViewInput(QObject* watched) const;

  MainWindow& window_;
  StoryController& story_;
  QDockWidget* dock_ = nullptr;
  QTextBrowser* text_ = nullptr;
  QLabel* counter_ = nullptr;
  QPushButton *prev_ = nullptr, *next_ = nullptr, *reveal_ = nullptr, *explore_ = nullptr,
              *exit_ = nullptr;
  bool active_ = false, locked_ = true, revealed_ = false;
  int index_ = 0;
  // What leaving restores.
  QByteArray state_;
  bool wasFullScreen_ = false, wasMaximized_ = false;
  std::vector<data::SessionLayer> layers_;
  nlohmann::json annotations_;
  data::ViewStop view_;
  double zoom_ = 1;
};

}  // namespace tessera::app
