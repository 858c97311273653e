#include <QtTest>

#include "render/scale_bar.h"

using namespace tessera::render;

class ScaleBarTest : public QObject {
  Q_OBJECT
 private slots:
  void picksRoundMicrometres() {
    // 0.5 µm per screen pixel, at most 300 px: 150 µm fits, so 100 µm (200 px).
    const auto b = chooseScaleBar(0.5, "micrometer", 300);
    QCOMPARE(b.unit, std::string("µm"));
    QCOMPARE(b.value, 100.0);
    QCOMPARE(b.pixels, 200.0);
    QCOMPARE(b.label(), std::string("100 µm"));
  }
  void switchesToMillimetres() {
    const auto b = chooseScaleBar(20, "micrometer", 300);  // 6 mm fit
    QCOMPARE(b.unit, std::string("mm"));
    QCOMPARE(b.value, 5.0);
    QCOMPARE(b.pixels, 250.0);
  }
  void usesTwoAndFive() {
    QCOMPARE(chooseScaleBar(1, "micrometer", 250).value, 200.0);
    QCOMPARE(chooseScaleBar(1, "micrometer", 99).value, 50.0);
  }
  void nanometresWhenZoomedFarIn() {
    const auto b = chooseScaleBar(0.001, "micrometer", 300);  // 300 nm fit
    QCOMPARE(b.unit, std::string("nm"));
    QCOMPARE(b.value, 200.0);
  }
  void pixelsWithoutAUnit() {
    const auto b = chooseScaleBar(3, "", 300);
    QCOMPARE(b.unit, std::string("px"));
    QCOMPARE(b.value, 500.0);
  }
};

QTEST_GUILESS_MAIN(ScaleBarTest)
#include "tst_scale_bar.moc"
