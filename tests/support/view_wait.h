#pragma once
// Waiting for a window's image view to finish drawing, and comparing colours, for the GUI tests.
#include <QColor>
#include <QElapsedTimer>
#include <QtTest>

#include <cstdint>
#include <cstdlib>

#include "widgets/image_view.h"

namespace tessera::testing {

/// Waits until every visible tile of the view is drawn at its level, then `settleMs` more for
/// the frame with the last tiles (and anything drawn over them) to be painted.
inline bool waitViewComplete(widgets::ImageView* view, int ms = 120000, int settleMs = 150) {
  QElapsedTimer t;
  t.start();
  // A layer whose channels are all hidden draws nothing; the upper image parts must be drawn.
  const auto drawn = [](const render::ImageLayer& l) {
    return !l.drawsChannels() || (l.status().visibleTiles > 0 && l.status().complete());
  };
  while (t.elapsed() < ms) {
    QTest::qWait(50);
    const auto st = view->layer().status();
    if ((st.visibleTiles > 0 && st.complete()) || (view->layer().info() && drawn(view->layer()))) {
      bool uppers = true;
      for (const auto& u : view->upperImages())
        uppers = uppers && drawn(*u);
      if (!uppers) continue;
      QTest::qWait(settleMs);
      return true;
    }
  }
  return false;
}

/// waitViewComplete, with the label image the cells colour drawn too.
inline bool waitViewAndLabelsComplete(widgets::ImageView* view, int ms = 120000,
                                      int settleMs = 100) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < ms) {
    QTest::qWait(20);
    const auto st = view->layer().status();
    if (st.visibleTiles > 0 && st.complete() && view->labels() &&
        view->labels()->status().complete()) {
      QTest::qWait(settleMs);
      return true;
    }
  }
  return false;
}

inline QColor rgbOf(std::uint32_t rgb) {
  return QColor((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
}

/// Sum of the absolute channel differences.
inline int colorDistance(QColor a, QColor b) {
  return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) +
         std::abs(a.blue() - b.blue());
}

}  // namespace tessera::testing
