#include "widgets/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMenu>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>
#include <set>
#include <tuple>

namespace tessera::widgets {
namespace {
// The menu (or toolbar) an action is shown in: what a user looks for it under.
QString placeOf(const QAction& a) {
  QString toolbar;
  for (QObject* o : a.associatedObjects()) {
    if (auto* menu = qobject_cast<QMenu*>(o)) {
      QString title = menu->title().remove('&');
      // A submenu reads "File ▸ Recent".
      for (auto* parent = qobject_cast<QMenu*>(menu->parent()); parent;
           parent = qobject_cast<QMenu*>(parent->parent()))
        title = parent->title().remove('&') + QStringLiteral(" ▸ ") + title;
      if (!title.isEmpty()) return title;
    }
    if (auto* bar = qobject_cast<QToolBar*>(o)) toolbar = bar->windowTitle();
  }
  return toolbar.isEmpty() ? QObject::tr("Window") : toolbar;
}
}  // namespace

std::vector<ShortcutEntry> collectShortcuts(const QWidget& root) {
  std::vector<ShortcutEntry> out;
  std::set<const QAction*> seen;
  for (const QAction* a : root.findChildren<QAction*>()) {
    if (!seen.insert(a).second || a->isSeparator()) continue;
    const QString name = a->text().remove('&').remove(QStringLiteral("…"));
    for (const auto& key : a->shortcuts())
      if (!key.isEmpty())
        out.push_back({key.toString(QKeySequence::NativeText), name, placeOf(*a)});
  }
  std::sort(out.begin(), out.end(), [](const ShortcutEntry& x, const ShortcutEntry& y) {
    return std::tie(x.where, x.action, x.keys) < std::tie(y.where, y.action, y.keys);
  });
  return out;
}

ShortcutsDialog::ShortcutsDialog(const std::vector<ShortcutEntry>& entries, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Keyboard Shortcuts"));
  auto* layout = new QVBoxLayout(this);
  table_ = new QTableWidget(static_cast<int>(entries.size()), 3, this);
  table_->setHorizontalHeaderLabels({tr("Keys"), tr("Action"), tr("Where")});
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  for (int r = 0; r < static_cast<int>(entries.size()); ++r) {
    const auto& e = entries[static_cast<std::size_t>(r)];
    table_->setItem(r, 0, new QTableWidgetItem(e.keys));
    table_->setItem(r, 1, new QTableWidgetItem(e.action));
    table_->setItem(r, 2, new QTableWidgetItem(e.where));
  }
  table_->resizeColumnsToContents();
  table_->horizontalHeader()->setStretchLastSection(true);
  layout->addWidget(table_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
  resize(560, 520);
}

}  // namespace tessera::widgets
