#pragma once
/// Help ▸ Keyboard Shortcuts: a table of every shortcut, read from the actions themselves
/// (QAction::shortcuts(), with the menu or toolbar that holds each), so the list never drifts
/// from the keys that work, plus the keys a view handles itself (given by the caller).
/// GUI thread only.
#include <QDialog>
#include <QString>
#include <vector>

class QTableWidget;

namespace tessera::widgets {

struct ShortcutEntry {
  QString keys;    ///< "Ctrl+S", in the platform's notation
  QString action;  ///< "Save Session", without mnemonics
  QString where;   ///< "File", "Tools", "Image view"
};

/// Every action under `root` (menus, toolbars, the window itself) with a shortcut, one entry
/// per key sequence, each action once, sorted by where it is and then by name.
std::vector<ShortcutEntry> collectShortcuts(const QWidget& root);

class ShortcutsDialog : public QDialog {
  Q_OBJECT
 public:
  ShortcutsDialog(const std::vector<ShortcutEntry>& entries, QWidget* parent = nullptr);
  QTableWidget* table() const { return table_; }

 private:
  QTableWidget* table_ = nullptr;
};

}  // namespace tessera::widgets
