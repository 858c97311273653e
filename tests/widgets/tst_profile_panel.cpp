// The Expression profile panel paints a violin per group from the groups' shared-bin densities:
// the violin is tall where its group's density is high and absent where it is zero, the box
// and mean dot sit inside, group means come as bars, and selection vs rest is drawn.
#include <QImage>
#include <QtTest>

#include "widgets/profile_panel.h"

using namespace tessera;
using Box = widgets::ProfilePanel::Box;

namespace {
constexpr QRgb kRed = 0xE04040, kBlue = 0x4060E0;

// How many pixels of column `x` inside `row` are close to the colour `rgb`.
int coloredHeight(const QImage& img, const QRect& row, int x, QRgb rgb) {
  int n = 0;
  const QColor want = QColor::fromRgb(rgb);
  for (int y = row.top(); y <= row.bottom(); ++y) {
    const QColor c = img.pixelColor(x, y);
    if (std::abs(c.red() - want.red()) < 12 && std::abs(c.green() - want.green()) < 12 &&
        std::abs(c.blue() - want.blue()) < 12)
      ++n;
  }
  return n;
}

Box box(const char* label, QRgb rgb, std::vector<double> density) {
  Box b;
  b.label = label;
  b.rgb = rgb;
  b.mean = 5, b.p5 = 1, b.q1 = 3, b.median = 5, b.q3 = 7, b.p95 = 9;
  b.density = std::move(density);
  b.densityLo = 0, b.densityHi = 10;
  return b;
}
}  // namespace

class ProfilePanelTest : public QObject {
  Q_OBJECT
 private slots:
  void violinsFollowEachGroupsDensity() {
    widgets::ProfilePanel panel;
    panel.resize(420, 400);
    // Red is concentrated in bins 1 and 8 (values 1.5 and 8.5), with fewer cells in bin 9 and
    // none in 2..7; blue is spread evenly.
    std::vector<double> red(10, 0.0), blue(10, 10.0);
    red[1] = 50, red[8] = 50, red[9] = 15;
    widgets::ProfilePanel::GeneProfile g;
    g.gene = "CD3E";
    g.groups = {box("T cells", kRed, red), box("B cells", kBlue, blue)};
    g.groups[1].mean = 2.5;
    g.inOut = std::pair{4.0, 1.0};
    panel.setProfiles("cluster", {g}, 100);
    const QImage img = panel.grab().toImage();
    img.save(QString(TESSERA_TEST_WORK_DIR) + "/profile_panel_violins.png");  // to look at

    const auto r = panel.violinGeometry(0, 0);
    const auto b = panel.violinGeometry(0, 1);
    QVERIFY(!r.row.isEmpty() && !b.row.isEmpty());
    QVERIFY(b.row.top() >= r.row.bottom());
    // Where red's share peaks its violin fills the row; blue's even spread is narrower there.
    const int redPeak = coloredHeight(img, r.row, r.xFor(1.5), kRed);
    const int bluePeak = coloredHeight(img, b.row, b.xFor(1.5), kBlue);
    QVERIFY2(redPeak >= r.row.height() - 8, qPrintable(QString::number(redPeak)));
    QVERIFY2(bluePeak >= 4 && 2 * bluePeak < redPeak,
             qPrintable(QString("%1 vs %2").arg(bluePeak).arg(redPeak)));
    // Where red has no cells (bin 3, value 3.5) there is no red above and below the box, and
    // blue keeps its width.
    const int redGap = coloredHeight(img, r.row, r.xFor(3.5), kRed);
    QVERIFY2(redGap <= 2, qPrintable(QString::number(redGap)));
    QVERIFY(std::abs(coloredHeight(img, b.row, b.xFor(8.5), kBlue) - bluePeak) <= 2);
    // A smaller bump (bin 9) is narrower than the peak.
    const int redBump = coloredHeight(img, r.row, r.xFor(9.5), kRed);
    QVERIFY2(redBump > 4 && redBump < redPeak - 6,
             qPrintable(QString("%1 vs %2").arg(redBump).arg(redPeak)));
    // Nothing red in the blue row and vice versa.
    QCOMPARE(coloredHeight(img, b.row, b.xFor(1.5), kRed), 0);
    // The group means are drawn as bars below the violins, in the groups' colours.
    int redBar = 0, blueBar = 0;
    for (int y = b.row.bottom() + 1; y < img.height(); ++y) {
      redBar += img.pixel(r.xFor(0.2), y) == (0xFF000000 | kRed);
      blueBar += img.pixel(r.xFor(0.2), y) == (0xFF000000 | kBlue);
    }
    QVERIFY(redBar > 4 && blueBar > 4);
  }

  void boxOnlyWithoutDensityAndEmptyClears() {
    widgets::ProfilePanel panel;
    panel.resize(420, 300);
    widgets::ProfilePanel::GeneProfile g;
    g.gene = "MS4A1";
    g.groups = {box("only", kRed, {})};
    panel.setProfiles("cluster", {g}, 0);
    const QImage img = panel.grab().toImage();
    const auto geo = panel.violinGeometry(0, 0);
    // Without a density the box spans most of the row between q1 and q3 and nothing beyond.
    QVERIFY(coloredHeight(img, geo.row, geo.xFor(4), kRed) >= geo.row.height() - 16);
    QCOMPARE(coloredHeight(img, geo.row, geo.xFor(8.5), kRed), 0);
    panel.setProfiles({}, {}, 0);
    (void)panel.grab();
    QVERIFY(panel.violinGeometry(0, 0).row.isEmpty());
  }

  void longGroupNamesNeverOverlap() {
    // Forty groups with long, similar names, in a narrow dock: each name stays in its own row,
    // elided before the violin starts.
    widgets::ProfilePanel panel;
    panel.resize(300, 400);
    widgets::ProfilePanel::GeneProfile g;
    g.gene = "KDR";
    for (int i = 0; i < 40; ++i) {
      const QByteArray name =
          QStringLiteral("Endothelial cell of the lymphatic vessel, subtype %1").arg(i).toUtf8();
      g.groups.push_back(box(name.constData(), i % 2 ? kRed : kBlue, std::vector<double>(10, 1)));
    }
    panel.setProfiles("cell_type_long_annotation", {g}, 0);
    panel.resize(300, panel.minimumHeight());
    (void)panel.grab();
    QTRY_VERIFY(panel.minimumHeight() > 40 * 30);
    panel.resize(300, panel.minimumHeight());
    panel.grab().save(QString(TESSERA_TEST_WORK_DIR) + "/profile_panel_long_names.png");
    std::vector<QRect> labels;
    for (int i = 0; i < 40; ++i) {
      const auto geo = panel.violinGeometry(0, i);
      QVERIFY2(!geo.label.isEmpty(), qPrintable(QString::number(i)));
      QVERIFY2(geo.label.right() < geo.row.left(), "a name runs into its violin");
      QVERIFY(geo.label.left() >= 0 && geo.label.bottom() <= panel.height());
      labels.push_back(geo.label);
    }
    for (std::size_t a = 0; a < labels.size(); ++a)
      for (std::size_t b = a + 1; b < labels.size(); ++b)
        QVERIFY2(!labels[a].intersects(labels[b]),
                 qPrintable(QStringLiteral("labels %1 and %2 overlap").arg(a).arg(b)));
  }
};

QTEST_MAIN(ProfilePanelTest)
#include "tst_profile_panel.moc"
