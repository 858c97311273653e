// The window's workspace: where the first window goes and how much of it the image gets, the
// main toolbar, the docks that stay closed until used, the Layers dock's order buttons and the
// cells layer's controls under its row, and Help ▸ Keyboard Shortcuts.
#include <QDockWidget>
#include <QGuiApplication>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <algorithm>

#include "app/cells/cells_labels.h"
#include "app/cells/cells_linker.h"
#include "app/gui/annotations_controller.h"
#include "app/gui/main_toolbar.h"
#include "app/gui/main_window.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"
#include "widgets/layer_list.h"
#include "widgets/shortcuts_dialog.h"

namespace tessera::app {
namespace {

// The menus', toolbars' and window's actions, then the keys the image view handles itself.
std::vector<widgets::ShortcutEntry> allShortcuts(const QWidget& window) {
  auto entries = widgets::collectShortcuts(window);
  const QString view = QObject::tr("Image view");
  for (const auto& [keys, what] :
       {std::pair{QObject::tr("Drag / arrows"), QObject::tr("Pan the image")},
        std::pair{QObject::tr("Wheel / + −"), QObject::tr("Zoom about the cursor")},
        std::pair{QObject::tr("0 / 1"), QObject::tr("Fit / one image pixel per screen pixel")},
        std::pair{QObject::tr("Ctrl+drag"), QObject::tr("Lasso cells (Shift adds, Alt removes)")}})
    entries.push_back({keys, what, view});
  return entries;
}

}  // namespace

void MainWindow::setUpWorkspace() {
  if (auto* annotations = findChild<AnnotationsController*>())
    addMainToolbar(*this, *view_, *embedding_, *annotations->tool());
  // Closed until used: a download opens Downloads; View lists both.
  auto dock = [this](const char* name) {
    return findChild<QDockWidget*>(QString::fromLatin1(name));
  };
  for (const char* name : {"dock.downloads", "dock.archives"})
    if (auto* d = dock(name)) d->hide();
  // The Story dock is a tab beside Markers, closed until a session with waypoints opens or the
  // user opens it from View: most datasets have no story, and its form would take the image's
  // room.
  if (auto* markers = dock("dock.markers"), *story = dock("dock.story"); markers && story) {
    tabifyDockWidget(markers, story);
    story->hide();
  }
  // Annotations and Measurements are tabs beside Genes and Markers, not strips of their own
  // that would take the image's room.
  if (auto* genes = dock("dock.genes"), *annotations = dock("annotationsDock");
      genes && annotations)
    tabifyDockWidget(genes, annotations);
  if (auto* markers = dock("dock.markers"), *measurements = dock("measurementsDock");
      markers && measurements)
    tabifyDockWidget(markers, measurements);
  for (const char* name : {"dock.genes", "dock.markers"})
    if (auto* d = dock(name)) d->raise();
  connect(layers_, &widgets::LayerList::moveRequested, this, [this](const QString& id, int steps) {
    // The list shows the top of the drawing first; the model keeps it last.
    const auto& ls = model_.session().layers;
    const auto it =
        std::find_if(ls.begin(), ls.end(), [&](auto& l) { return l.id == id.toStdString(); });
    if (it == ls.end()) return;
    const int to =
        std::clamp(static_cast<int>(it - ls.begin()) + steps, 0, static_cast<int>(ls.size()) - 1);
    // The lowest image layer is the one the other images are placed on and the camera measures
    // in (pickShown): it stays the lowest, so that a move never re-bases the view.
    const auto* first = model_.session().firstLayer(data::LayerKind::Image);
    auto moved = ls;
    const auto layer = *it;
    moved.erase(moved.begin() + (it - ls.begin()));
    moved.insert(moved.begin() + to, layer);
    const auto firstAfter = std::find_if(moved.begin(), moved.end(),
                                         [](auto& l) { return l.kind == data::LayerKind::Image; });
    if (first && firstAfter != moved.end() && firstAfter->id != first->id) {
      statusBar()->showMessage(
          tr("%1 stays the lowest image layer: the other images are placed on it")
              .arg(QString::fromStdString(first->name)),
          5000);
      return;
    }
    model_.moveLayer(layer.id, to);
  });
  // The cells overlay's row is made when its table has loaded.
  auto attachLater = [this] { QTimer::singleShot(0, this, &MainWindow::attachLayerDetails); };
  connect(this, &MainWindow::datasetOpened, this, attachLater);
  connect(this, &MainWindow::cellsLoaded, this, attachLater);
  placeWindow();
}

void MainWindow::placeWindow() {
  QSettings settings;
  const QByteArray saved = settings.value("window/geometry").toByteArray();
  if (saved.isEmpty() || !restoreGeometry(saved)) {
    // The first window: four fifths of the screen, centred, and the side docks a fifth of
    // that each at most, so the image gets most of it.
    const QScreen* screen = QGuiApplication::primaryScreen();
    const QRect avail = screen ? screen->availableGeometry() : QRect(0, 0, 1750, 1125);
    QRect r(0, 0, std::max(800, avail.width() * 4 / 5), std::max(600, avail.height() * 4 / 5));
    r.moveCenter(avail.center());
    setGeometry(r);
    const int side = std::clamp(r.width() / 5, 260, 380);
    auto* channels = findChild<QDockWidget*>(QStringLiteral("dock.channels"));
    auto* markers = findChild<QDockWidget*>(QStringLiteral("dock.markers"));
    if (channels && markers) resizeDocks({channels, markers}, {side, side}, Qt::Horizontal);
  }
  restoreState(settings.value("window/state").toByteArray());
}

void MainWindow::attachLayerDetails() {
  const auto* cells = model_.session().firstLayer(data::LayerKind::Cells);
  const QString cellsId = cells ? QString::fromStdString(cells->id) : QString();
  for (const auto& l : layers_->layers())
    if (l.id != cellsId) layers_->setDetails(l.id, nullptr);
  if (cells) {
    // The cells' colour-by, LUT, range and style under the cells layer's row; its visibility
    // and opacity are the row's own.
    const int row = cells_->overlayRow();
    QWidget* controls = channels_->overlayControls(row);
    const bool first = !layers_->details(cellsId);
    if (controls) channels_->setOverlayCompact(row, true);
    layers_->setDetails(cellsId, controls);
    if (first && controls) layers_->setExpanded(cellsId, true);
  }
  // A label image's only controls, visibility and opacity, are its layer's row.
  if (model_.session().firstLayer(data::LayerKind::Labels))
    if (auto* box = channels_->overlayControls(labels_->row())) box->hide();
}

QString MainWindow::shortcutsText() const {
  QString rows;
  for (const auto& e : allShortcuts(*this))
    rows += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td></tr>")
                .arg(e.keys.toHtmlEscaped(), e.action.toHtmlEscaped(), e.where.toHtmlEscaped());
  return QStringLiteral("<table cellspacing=6>%1</table>").arg(rows);
}

void MainWindow::showShortcuts() {
  auto* dialog = new widgets::ShortcutsDialog(allShortcuts(*this), this);
  dialog->setObjectName(QStringLiteral("shortcutsDialog"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->open();
}

}  // namespace tessera::app
