#pragma once
/// The main toolbar: the image view's pointer tools as one exclusive choice. Pan (a press on an
/// annotation selects and moves it; Ctrl+drag lassoes cells), Box and Lasso (select cells, in
/// the image and in the embedding) and the annotation tools (rectangle, ellipse, polygon,
/// freehand, point, line, arrow, text), then the annotations' Undo/Redo. It reuses the
/// Selection menu's tool actions and the annotation tool actions (their shortcuts stay theirs)
/// and makes each switch the other mode off, so one drag never means two things. GUI thread.
class QToolBar;
class QMainWindow;

namespace tessera::widgets {
class AnnotationTool;
class ImageView;
class EmbeddingView;
}  // namespace tessera::widgets

namespace tessera::app {

/// Builds the toolbar into `window` from the actions named "selectPan", "selectBox",
/// "selectLasso" and "annotate<Kind>" already there, replacing the Annotate toolbar.
QToolBar* addMainToolbar(QMainWindow& window, widgets::ImageView& view,
                         widgets::EmbeddingView& embedding, widgets::AnnotationTool& tool);

}  // namespace tessera::app
