#include "widgets/story_panel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace tessera::widgets {
namespace {

QString label(int i, const WaypointText& t) {
  return QStringLiteral("%1. %2").arg(i + 1).arg(t.title.isEmpty() ? QObject::tr("(untitled)")
                                                                   : t.title);
}

}  // namespace

StoryPanel::StoryPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  list_ = new QListWidget;
  list_->setObjectName(QStringLiteral("storyWaypoints"));
  layout->addWidget(list_, 1);
  auto* buttons = new QHBoxLayout;
  add_ = new QPushButton(tr("Add"));
  add_->setToolTip(tr("Add a waypoint of the current view and layers after the selected one"));
  up_ = new QPushButton(tr("Up"));
  down_ = new QPushButton(tr("Down"));
  delete_ = new QPushButton(tr("Delete"));
  go_ = new QPushButton(tr("Go to"));
  go_->setToolTip(tr("Show the waypoint's view and layers (double-click does the same)"));
  present_ = new QPushButton(tr("Present"));
  present_->setToolTip(tr("Full screen from this waypoint; arrows or Page Up/Down step, Esc ends"));
  for (auto* b : {add_, up_, down_, delete_, go_, present_})
    buttons->addWidget(b);
  layout->addLayout(buttons);

  auto* form = new QFormLayout;
  title_ = new QLineEdit;
  title_->setPlaceholderText(tr("Title"));
  form->addRow(tr("Title:"), title_);
  reveal_ = new QComboBox;
  reveal_->setEditable(true);
  reveal_->setToolTip(tr("A layer or channel kept hidden until the presenter reveals it"));
  form->addRow(tr("Reveal:"), reveal_);
  selection_ = new QComboBox;
  selection_->setToolTip(tr("A named selection of cells shown at this waypoint"));
  form->addRow(tr("Selection:"), selection_);
  layout->addLayout(form);
  tabs_ = new QTabWidget;
  narration_ = new QPlainTextEdit;
  narration_->setPlaceholderText(tr("Narration in Markdown: **bold**, *italic*, - lists, tables"));
  preview_ = new QTextBrowser;
  tabs_->addTab(narration_, tr("Narration"));
  tabs_->addTab(preview_, tr("Preview"));
  layout->addWidget(tabs_, 2);

  // Typing is sent after a pause, so a paragraph is one undo step rather than one per key.
  typing_ = new QTimer(this);
  typing_->setSingleShot(true);
  typing_->setInterval(700);
  connect(typing_, &QTimer::timeout, this, &StoryPanel::emitText);
  connect(narration_, &QPlainTextEdit::textChanged, this, [this] {
    if (!filling_) typing_->start();
  });
  connect(title_, &QLineEdit::editingFinished, this, &StoryPanel::emitText);
  connect(reveal_, &QComboBox::currentTextChanged, this, [this] {
    if (!filling_) emitText();
  });
  connect(selection_, &QComboBox::currentTextChanged, this, [this] {
    if (!filling_) emitText();
  });
  connect(tabs_, &QTabWidget::currentChanged, this,
          [this] { preview_->setMarkdown(narration_->toPlainText()); });
  connect(list_, &QListWidget::currentRowChanged, this, [this] {
    if (filling_) return;
    flushEdits();
    showCurrent();
  });
  connect(list_, &QListWidget::itemDoubleClicked, this,
          [this] { emit goRequested(list_->currentRow()); });
  connect(add_, &QPushButton::clicked, this, [this] {
    flushEdits();
    emit addRequested(list_->currentRow());
  });
  connect(up_, &QPushButton::clicked, this, [this] {
    flushEdits();
    if (const int i = current(); i > 0) emit moveRequested(i, i - 1);
  });
  connect(down_, &QPushButton::clicked, this, [this] {
    flushEdits();
    if (const int i = current(); i >= 0 && i + 1 < list_->count()) emit moveRequested(i, i + 1);
  });
  connect(delete_, &QPushButton::clicked, this, [this] {
    typing_->stop();
    if (const int i = current(); i >= 0) emit deleteRequested(i);
  });
  connect(go_, &QPushButton::clicked, this, [this] {
    flushEdits();
    if (const int i = current(); i >= 0) emit goRequested(i);
  });
  connect(present_, &QPushButton::clicked, this, [this] {
    flushEdits();
    if (list_->count() > 0) emit presentRequested(std::max(0, current()));
  });
  showCurrent();
}

void StoryPanel::setWaypoints(const std::vector<data::Waypoint>& waypoints) {
  typing_->stop();
  texts_.clear();
  for (const auto& w : waypoints)
    texts_.push_back({QString::fromStdString(w.title), QString::fromStdString(w.narration),
                      QString::fromStdString(w.reveal), QString::fromStdString(w.selection)});
  const int keep = list_->currentRow();
  filling_ = true;
  list_->clear();
  for (std::size_t i = 0; i < texts_.size(); ++i)
    list_->addItem(label(static_cast<int>(i), texts_[i]));
  list_->setCurrentRow(std::min(keep, list_->count() - 1));
  filling_ = false;
  showCurrent();
}

void StoryPanel::setChoices(const QStringList& reveals, const QStringList& selections) {
  filling_ = true;
  reveal_->clear();
  reveal_->addItem(QString());
  reveal_->addItems(reveals);
  selection_->clear();
  selection_->addItem(QString());
  selection_->addItems(selections);
  filling_ = false;
  showCurrent();
}

int StoryPanel::current() const {
  return list_->currentRow();
}

void StoryPanel::setCurrent(int index) {
  list_->setCurrentRow(index);
}

void StoryPanel::showCurrent() {
  shown_ = current();
  const bool have = shown_ >= 0 && shown_ < static_cast<int>(texts_.size());
  const WaypointText t = have ? texts_[static_cast<std::size_t>(shown_)] : WaypointText{};
  filling_ = true;
  title_->setText(t.title);
  narration_->setPlainText(t.narration);
  preview_->setMarkdown(t.narration);
  reveal_->setCurrentText(t.reveal);
  if (selection_->findText(t.selection) < 0 && !t.selection.isEmpty())
    selection_->addItem(t.selection);
  selection_->setCurrentText(t.selection);
  filling_ = false;
  for (QWidget* w : std::initializer_list<QWidget*>{title_, narration_, reveal_, selection_})
    w->setEnabled(have);
  updateButtons();
}

void StoryPanel::updateButtons() {
  const int i = current(), n = list_->count();
  up_->setEnabled(i > 0);
  down_->setEnabled(i >= 0 && i + 1 < n);
  delete_->setEnabled(i >= 0);
  go_->setEnabled(i >= 0);
  present_->setEnabled(n > 0);
}

void StoryPanel::flushEdits() {
  if (typing_->isActive()) {
    typing_->stop();
    emitText();
  }
}

void StoryPanel::emitText() {
  typing_->stop();
  if (shown_ < 0 || shown_ >= static_cast<int>(texts_.size())) return;
  const WaypointText t{title_->text(), narration_->toPlainText(), reveal_->currentText(),
                       selection_->currentText()};
  auto& old = texts_[static_cast<std::size_t>(shown_)];
  if (t == old) return;
  old = t;
  if (auto* item = list_->item(shown_)) item->setText(label(shown_, t));
  emit textEdited(shown_, t);
}

}  // namespace tessera::widgets
