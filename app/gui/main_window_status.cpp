// The window's status bar: the cursor's position and pixel values, and the drawn level.
#include "app/gui/main_window.h"

#include <QLabel>
#include <QStatusBar>

#include <cmath>

#include "widgets/image_view.h"

namespace tessera::app {
namespace {

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
  const auto values = view_->valuesAt(world.x(), world.y(), &level);
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

}  // namespace tessera::app
