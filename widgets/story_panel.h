#pragma once
/// The Story panel: the waypoints of a story as a list, with Add (the current view), Up, Down,
/// Delete, Go to (preview) and Present; the current waypoint's title, narration (Markdown, with
/// a rendered preview tab), the layer or channel it reveals on a click and the selection it
/// shows. It shows what it is given (setWaypoints) and asks for changes by signals; the app
/// applies them to the session model as undoable edits. GUI thread only.
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

#include "data/session/session.h"

class QComboBox;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTextBrowser;
class QTimer;

namespace tessera::widgets {

/// The editable texts of a waypoint.
struct WaypointText {
  QString title, narration, reveal, selection;
  bool operator==(const WaypointText&) const = default;
};

class StoryPanel : public QWidget {
  Q_OBJECT
 public:
  explicit StoryPanel(QWidget* parent = nullptr);
  /// Shows `waypoints`; the current row stays where it was when it still exists.
  void setWaypoints(const std::vector<data::Waypoint>& waypoints);
  /// What a waypoint can reveal (layers, channels) and show (named selections).
  void setChoices(const QStringList& reveals, const QStringList& selections);
  int current() const;
  void setCurrent(int index);
  QListWidget* list() const { return list_; }
  QLineEdit* titleEdit() const { return title_; }
  QPlainTextEdit* narrationEdit() const { return narration_; }
  QPushButton* addButton() const { return add_; }
  /// Sends a pending narration edit now (typing is sent after a short pause).
  void flushEdits();

 signals:
  void addRequested(int after);
  void moveRequested(int from, int to);
  void deleteRequested(int index);
  void goRequested(int index);
  void presentRequested(int index);
  void textEdited(int index, const tessera::widgets::WaypointText& text);

 private:
  void showCurrent();
  void emitText();
  void updateButtons();

  QListWidget* list_;
  QPushButton *add_, *up_, *down_, *delete_, *go_, *present_;
  QLineEdit* title_;
  QTabWidget* tabs_;
  QPlainTextEdit* narration_;
  QTextBrowser* preview_;
  QComboBox *reveal_, *selection_;
  QTimer* typing_;
  std::vector<WaypointText> texts_;
  int shown_ = -1;  ///< the waypoint the editors show
  bool filling_ = false;
};

}  // namespace tessera::widgets
