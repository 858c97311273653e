#include "app/gui/main_toolbar.h"

#include <QAction>
#include <QActionGroup>
#include <QMainWindow>
#include <QToolBar>

#include "widgets/annotation_tool.h"
#include "widgets/embedding_view.h"
#include "widgets/image_view.h"
#include "widgets/selection_tool.h"

namespace tessera::app {

QToolBar* addMainToolbar(QMainWindow& window, widgets::ImageView& view,
                         widgets::EmbeddingView& embedding, widgets::AnnotationTool& tool) {
  auto* bar = new QToolBar(QObject::tr("Tools"), &window);
  bar->setObjectName(QStringLiteral("mainToolbar"));
  window.addToolBar(Qt::TopToolBarArea, bar);
  auto* group = new QActionGroup(bar);
  group->setExclusive(true);
  auto named = [&window](const QString& name) { return window.findChild<QAction*>(name); };
  // Each comes checked or not from its old group; the new group starts with none checked (a
  // group adopting two checked actions would keep both), and Pan is checked at the end.
  auto join = [group](QAction* a) {
    a->setChecked(false);
    group->addAction(a);
  };
  // A tooltip that names the real shortcut, so it cannot disagree with the key.
  auto tip = [](QAction* a) {
    const QString text = a->text().remove('&');
    a->setIconText(text.section(QStringLiteral(" ("), 0, 0));  // "Pan", not its whole help
    a->setToolTip(a->shortcut().isEmpty()
                      ? text
                      : QStringLiteral("%1 (%2)").arg(
                            text, a->shortcut().toString(QKeySequence::NativeText)));
  };
  for (const char* name : {"selectPan", "selectBox", "selectLasso"}) {
    QAction* a = named(QString::fromLatin1(name));
    if (!a) continue;
    join(a);
    bar->addAction(a);
    tip(a);
    // Selecting cells is not drawing: the annotation tool goes back to Select (moves, vertices).
    QObject::connect(a, &QAction::triggered, &tool, [&tool] { tool.setTool(std::nullopt); });
  }
  bar->addSeparator();
  auto* annotate = window.findChild<QToolBar*>(QStringLiteral("annotateToolbar"));
  if (!annotate) {
    if (auto* pan = named(QStringLiteral("selectPan"))) pan->setChecked(true);
    return bar;
  }
  for (QAction* a : annotate->actions()) {
    // QToolBar::addAction(text) made them the Annotate toolbar's children: they stay alive.
    if (a->parent() == annotate) a->setParent(bar);
    if (a->isSeparator()) {
      bar->addSeparator();
      continue;
    }
    // The annotations' Select is what Pan does: it stays in the group, off the bar.
    if (a->objectName() == QLatin1String("annotateSelect")) {
      join(a);
      continue;
    }
    if (a->isCheckable()) {
      join(a);
      QObject::connect(a, &QAction::triggered, &view, [&view, &embedding] {
        view.setSelectionShape(widgets::SelectionShape::None);
        embedding.selectionTool()->setShape(widgets::SelectionShape::None);
      });
    }
    tip(a);
    bar->addAction(a);
  }
  if (auto* pan = named(QStringLiteral("selectPan"))) pan->setChecked(true);
  window.removeToolBar(annotate);
  annotate->deleteLater();
  return bar;
}

}  // namespace tessera::app
