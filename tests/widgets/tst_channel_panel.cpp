#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include "widgets/channel_panel.h"
#include "widgets/channel_row.h"
#include "widgets/histogram_slider.h"

using namespace tessera;

namespace {
std::vector<render::ChannelDisplay> three() {
  std::vector<render::ChannelDisplay> ds(3);
  const char* names[] = {"DAPI", "CD45", "PanCK"};
  for (int i = 0; i < 3; ++i) {
    ds[i].name = names[i];
    ds[i].start = 100;
    ds[i].end = 4000;
  }
  return ds;
}
using Displays = std::vector<render::ChannelDisplay>;
}  // namespace

class ChannelPanelTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    qRegisterMetaType<Displays>("std::vector<tessera::render::ChannelDisplay>");
  }

  void overlayRowsKeepTheirIndices() {
    widgets::ChannelPanel panel;
    panel.show();
    const int labels = panel.addOverlay("Labels: cells", {}, false, 0.5);
    const int cells = panel.addOverlay("Cells (10)", {"points", "outlines"});
    QCOMPARE(panel.overlayCount(), 2);
    QCOMPARE(panel.overlayOpacity(labels)->value(), 50);
    QCOMPARE(panel.overlayOpacity(cells)->value(), 100);
    QSignalSpy opacity(&panel, &widgets::ChannelPanel::overlayOpacityChanged);
    QSignalSpy visible(&panel, &widgets::ChannelPanel::overlayVisibleChanged);
    panel.overlayOpacity(labels)->setValue(80);
    QCOMPARE(opacity.count(), 1);
    QCOMPARE(opacity.last().at(0).toInt(), labels);
    QCOMPARE(opacity.last().at(1).toDouble(), 0.8);
    // Removing the cells row (a new table) leaves the label row and its index alone.
    panel.removeOverlay(cells);
    QCOMPARE(panel.overlayCount(), 1);
    QVERIFY(panel.overlayVisible(cells) == nullptr);
    QCOMPARE(panel.overlayName(labels), QStringLiteral("Labels: cells"));
    const int again = panel.addOverlay("Cells (20)", {"points"});
    QVERIFY(again != labels && again != cells);
    panel.resize(360, 420);
    QTest::qWait(50);  // rows added to a shown panel are shown from the event loop
    QVERIFY(panel.overlayOpacity(labels)->isVisible());
    panel.grab().save(QStringLiteral(TESSERA_TEST_WORK_DIR "/channel_panel_overlays.png"));
    panel.overlayVisible(labels)->setChecked(false);
    QCOMPARE(visible.count(), 1);
    QCOMPARE(visible.last().at(0).toInt(), labels);
    QCOMPARE(visible.last().at(1).toBool(), false);
    panel.clearOverlays();
    QCOMPARE(panel.overlayCount(), 0);
  }

  void listsOneRowPerChannel() {
    widgets::ChannelPanel panel;
    panel.setDisplays(three());
    QVERIFY(panel.row(2) != nullptr);
    QVERIFY(panel.row(3) == nullptr);
    QCOMPARE(panel.row(1)->display().name, std::string("CD45"));
  }

  void togglingVisibilityEmitsTheNewList() {
    widgets::ChannelPanel panel;
    panel.setDisplays(three());
    QSignalSpy spy(&panel, &widgets::ChannelPanel::displaysEdited);
    panel.row(1)->findChild<QCheckBox*>()->click();
    QCOMPARE(spy.count(), 1);
    const auto ds = spy.first().first().value<Displays>();
    QVERIFY(ds[0].visible && !ds[1].visible && ds[2].visible);
  }

  void refusesWindowEndBelowStart() {
    widgets::ChannelPanel panel;
    panel.setDisplays(three());
    QSignalSpy spy(&panel, &widgets::ChannelPanel::displaysEdited);
    auto boxes = panel.row(0)->findChildren<QDoubleSpinBox*>();
    QDoubleSpinBox* end = nullptr;
    for (auto* b : boxes)
      if (b->toolTip() == "Window end") end = b;
    QVERIFY(end);
    end->setValue(50);  // below start = 100
    QCOMPARE(spy.count(), 0);
    QVERIFY(panel.row(0)->windowError().contains("greater"));
    QCOMPARE(panel.row(0)->display().end, 4000.0);
    QCOMPARE(end->value(), 4000.0);
  }

  void autoContrastUsesTheViewPercentiles() {
    widgets::ChannelPanel panel;
    panel.setDisplays(three());
    std::vector<double> samples;
    for (int i = 0; i < 1000; ++i)
      samples.push_back(i);
    panel.setStats(2, render::computeStats(samples));
    QSignalSpy spy(&panel, &widgets::ChannelPanel::displaysEdited);
    for (auto* b : panel.row(2)->findChildren<QPushButton*>())
      if (b->text() == "Auto") b->click();
    QCOMPARE(spy.count(), 1);
    const auto ds = spy.first().first().value<Displays>();
    QCOMPARE(ds[2].start, 4.0);
    QCOMPARE(ds[2].end, 994.0);
  }

  void draggingTheSliderMovesTheWindow() {
    widgets::HistogramSlider slider;
    slider.resize(206, 40);
    slider.setHistogram(std::vector<std::uint32_t>(10, 5), 0, 1000);
    slider.setWindow(100, 900);
    QSignalSpy spy(&slider, &widgets::HistogramSlider::windowChanged);
    // Grab the end handle (x = 6 + 0.9 * 194) and drag it to the middle.
    QTest::mousePress(&slider, Qt::LeftButton, {}, QPoint(180, 20));
    QMouseEvent move(QEvent::MouseMove, QPointF(103, 20), QPointF(103, 20), Qt::LeftButton,
                     Qt::LeftButton, {});
    QApplication::sendEvent(&slider, &move);
    QTest::mouseRelease(&slider, Qt::LeftButton, {}, QPoint(103, 20));
    QVERIFY(spy.count() >= 1);
    QCOMPARE(slider.start(), 100.0);
    QVERIFY(std::abs(slider.end() - 500.0) < 10);
  }

  void planeSlidersOnlyForStacks() {
    widgets::ChannelPanel panel;
    panel.show();
    panel.setPlanes(1, 1);
    QVERIFY(!panel.zSlider()->isVisible());
    panel.setPlanes(3, 10);
    QVERIFY(panel.zSlider()->isVisible() && panel.tSlider()->isVisible());
    QSignalSpy spy(&panel, &widgets::ChannelPanel::planeChanged);
    panel.zSlider()->setValue(7);
    QCOMPARE(spy.last().at(1).toLongLong(), 7LL);
  }
};

QTEST_MAIN(ChannelPanelTest)
#include "tst_channel_panel.moc"
