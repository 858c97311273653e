#pragma once
/// A one-line label that elides its text ("Very long na…") to whatever width the layout gives
/// it instead of asking for the text's full width, so that long names never push a narrow dock
/// into a horizontal scrollbar. The full text is its tooltip. GUI thread only.
#include <QString>
#include <QWidget>

namespace tessera::widgets {

class ElidedLabel : public QWidget {
  Q_OBJECT
 public:
  explicit ElidedLabel(const QString& text = {}, QWidget* parent = nullptr);
  void setText(const QString& text);
  QString text() const { return text_; }
  /// The text as painted at the current width.
  QString shownText() const;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  QString text_;
};

}  // namespace tessera::widgets
