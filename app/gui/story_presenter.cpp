#include "app/gui/story_presenter.h"

#include <QApplication>
#include <QDockWidget>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QStatusBar>
#include <QTextBrowser>
#include <QToolBar>
#include <QVBoxLayout>

#include "app/gui/main_window.h"
#include "app/gui/story_actions.h"
#include "widgets/image_view.h"
#include "widgets/vtk_gl_window.h"

namespace tessera::app {

StoryPresenter::StoryPresenter(MainWindow& window, StoryController& story)
    : QObject(&window), window_(window), story_(story) {}

StoryPresenter::~StoryPresenter() {
  if (active_) qApp->removeEventFilter(this);
}

QWidget* StoryPresenter::sidePanel() const {
  return dock_ ? dock_->widget() : nullptr;
}

void StoryPresenter::start(int index) {
  const auto& s = window_.model().session();
  if (active_ || s.waypoints.empty()) return;
  if (!dock_) {
    dock_ = new QDockWidget(tr("Story"), &window_);
    dock_->setObjectName(QStringLiteral("dock.presenter"));
    dock_->setFeatures(QDockWidget::NoDockWidgetFeatures);
    dock_->setTitleBarWidget(new QWidget(dock_));  // no title bar: the narration is the panel
    auto* panel = new QWidget;
    panel->setObjectName(QStringLiteral("presenterPanel"));
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(24, 24, 24, 16);
    counter_ = new QLabel;
    text_ = new QTextBrowser;
    text_->setFrameShape(QFrame::NoFrame);
    text_->setOpenExternalLinks(true);
    QFont f = text_->font();
    f.setPointSizeF(f.pointSizeF() * 1.35);
    text_->setFont(f);
    layout->addWidget(counter_);
    layout->addWidget(text_, 1);
    auto* row = new QHBoxLayout;
    prev_ = new QPushButton(tr("◀ Previous"));
    reveal_ = new QPushButton(tr("Reveal"));
    explore_ = new QPushButton(tr("Explore"));
    next_ = new QPushButton(tr("Next ▶"));
    exit_ = new QPushButton(tr("End (Esc)"));
    for (auto* b : {prev_, reveal_, explore_, next_, exit_}) {
      b->setFocusPolicy(Qt::NoFocus);  // the keys stay with the presenter
      row->addWidget(b);
    }
    layout->addLayout(row);
    // Dark, as the image beside it is, with the narration in light type.
    panel->setStyleSheet(QStringLiteral(
        "#presenterPanel { background: #1d1f21; }"
        "QLabel { color: #9aa0a6; }"
        "QTextBrowser { background: #1d1f21; color: #e8eaed; }"
        "QPushButton { background: #303336; color: #e8eaed; border: 1px solid #4a4d50;"
        " border-radius: 4px; padding: 6px 10px; }"
        "QPushButton:disabled { color: #6b6e71; }"
        "QPushButton:hover { background: #3c4043; }"));
    panel->setAttribute(Qt::WA_StyledBackground);
    dock_->setWidget(panel);
    window_.addDockWidget(Qt::RightDockWidgetArea, dock_);
    connect(prev_, &QPushButton::clicked, this, &StoryPresenter::previous);
    connect(next_, &QPushButton::clicked, this, &StoryPresenter::next);
    connect(reveal_, &QPushButton::clicked, this, &StoryPresenter::reveal);
    connect(explore_, &QPushButton::clicked, this, [this] { setLocked(!locked_); });
    connect(exit_, &QPushButton::clicked, this, &StoryPresenter::stop);
  }
  state_ = window_.saveState();
  wasFullScreen_ = window_.isFullScreen();
  wasMaximized_ = window_.isMaximized();
  layers_ = s.layers;
  annotations_ = s.annotations;
  view_ = story_.currentView();
  zoom_ = window_.imageView()->camera().zoom();
  for (auto* d : window_.findChildren<QDockWidget*>())
    if (d != dock_) d->hide();
  for (auto* t : window_.findChildren<QToolBar*>())
    t->hide();
  window_.menuBar()->hide();
  window_.statusBar()->hide();
  dock_->show();
  // About a quarter of the screen for the text; the image keeps the rest.
  const int screenW = window_.screen() ? window_.screen()->geometry().width() : 1600;
  window_.resizeDocks({dock_}, {std::clamp(screenW / 4, 320, 640)}, Qt::Horizontal);
  window_.showFullScreen();
  active_ = true;
  qApp->installEventFilter(this);
  emit started();
  show(std::clamp(index, 0, static_cast<int>(s.waypoints.size()) - 1), true);
}

void StoryPresenter::stop() {
  if (!active_) return;
  active_ = false;
  qApp->removeEventFilter(this);
  // The layers and the view as they were before the presentation (navigation, no undo step).
  auto& model = window_.model();
  for (const auto& l : layers_) {
    const auto* now = model.session().layer(l.id);
    if (now && !(*now == l))
      model.adjust([&](data::Session& s) { *s.layer(l.id) = l; },
                   {data::SessionChange::Layer, l.id}, false);
  }
  if (model.session().annotations != annotations_)
    model.adjust([&](data::Session& s) { s.annotations = annotations_; },
                 {data::SessionChange::Annotations, {}}, false);
  // The centre and the zoom: the viewport grows back to the window's size after this.
  window_.imageView()->centerOn(view_.centerX, view_.centerY, zoom_);
  dock_->hide();
  window_.restoreState(state_);
  dock_->hide();  // restoreState shows what the saved state lists; this dock was not in it
  window_.menuBar()->show();
  window_.statusBar()->show();
  if (!wasFullScreen_) wasMaximized_ ? window_.showMaximized() : window_.showNormal();
  emit stopped();
}

void StoryPresenter::show(int index, bool animate) {
  index_ = index;
  revealed_ = false;
  locked_ = true;
  story_.goTo(index, false, animate);
  updatePanel();
}

void StoryPresenter::next() {
  const int n = static_cast<int>(window_.model().session().waypoints.size());
  if (index_ + 1 < n) show(index_ + 1, true);
}

void StoryPresenter::previous() {
  if (index_ > 0) show(index_ - 1, true);
}

bool StoryPresenter::reveal() {
  const auto& s = window_.model().session();
  if (index_ >= static_cast<int>(s.waypoints.size()) || revealed_ ||
      s.waypoints[static_cast<std::size_t>(index_)].reveal.empty())
    return false;
  revealed_ = true;
  story_.goTo(index_, true, true);
  updatePanel();
  return true;
}

void StoryPresenter::setLocked(bool locked) {
  if (locked == locked_) return;
  locked_ = locked;
  // Back to the story: its settings again, from wherever the students went.
  if (locked) story_.goTo(index_, revealed_, true);
  updatePanel();
}

void StoryPresenter::updatePanel() {
  const auto& s = window_.model().session();
  const int n = static_cast<int>(s.waypoints.size());
  if (!text_ || index_ >= n) return;
  const auto& w = s.waypoints[static_cast<std::size_t>(index_)];
  counter_->setText(tr("%1 of %2").arg(index_ + 1).arg(n));
  const QString title =
      w.title.empty() ? tr("Waypoint %1").arg(index_ + 1) : QString::fromStdString(w.title);
  QString md = QStringLiteral("# %1\n\n%2").arg(title, QString::fromStdString(w.narration));
  if (revealed_) md += tr("\n\n---\n\n*Revealed: %1*").arg(QString::fromStdString(w.reveal));
  text_->setMarkdown(md);
  prev_->setEnabled(index_ > 0);
  next_->setEnabled(index_ + 1 < n);
  reveal_->setVisible(!w.reveal.empty());
  reveal_->setEnabled(!revealed_);
  explore_->setText(locked_ ? tr("Explore") : tr("Back to the story"));
  explore_->setToolTip(locked_ ? tr("Let the view be panned and zoomed")
                               : tr("The story's view and layers again"));
}

bool StoryPresenter::isViewInput(QObject* watched) const {
  auto* view = window_.imageView();
  if (watched == view->glWindow()) return true;
  auto* w = qobject_cast<QWidget*>(watched);
  return w && (w == view || view->isAncestorOf(w));
}

bool StoryPresenter::eventFilter(QObject* watched, QEvent* event) {
  if (!active_) return false;
  const auto type = event->type();
  if (type == QEvent::KeyPress || type == QEvent::ShortcutOverride) {
    // Keys for the window or its view only (not for a dialog on top).
    auto* w = qobject_cast<QWidget*>(watched);
    if (!(watched == window_.imageView()->glWindow() || (w && w->window() == &window_)))
      return false;
    const int key = static_cast<QKeyEvent*>(event)->key();
    const bool mine = key == Qt::Key_Right || key == Qt::Key_Left || key == Qt::Key_PageDown ||
                      key == Qt::Key_PageUp || key == Qt::Key_Escape || key == Qt::Key_Space;
    if (type == QEvent::ShortcutOverride) {
      if (mine) event->accept();  // a key press for us, not a menu shortcut
      return false;
    }
    if (key == Qt::Key_Right || key == Qt::Key_PageDown) {
      next();
    } else if (key == Qt::Key_Left || key == Qt::Key_PageUp) {
      previous();
    } else if (key == Qt::Key_Space) {
      if (!reveal()) next();
    } else if (key == Qt::Key_Escape) {
      stop();
    } else {
      return locked_ && isViewInput(watched);  // the view's own keys (pan, zoom) when locked
    }
    return true;
  }
  if (!locked_) return false;
  switch (type) {
    case QEvent::MouseButtonPress:
      // A click on the view shows a waypoint's hidden answer.
      if (!isViewInput(watched)) return false;
      reveal();
      return true;
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseMove:
    case QEvent::Wheel:
      return isViewInput(watched);
    default:
      return false;
  }
}

}  // namespace tessera::app
