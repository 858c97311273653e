// Panel state kept between runs: on the demo dataset, the user's choices (colour-by gene, LUT
// and range, the Clusters column, overlay visibility and opacity, point size, the profile's
// genes) are saved in QSettings when the window goes away and restored when a new window opens
// the same dataset; another dataset does not get them. XDG_CONFIG_HOME is a fresh temp dir.
#include <QApplication>
#include <QCheckBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/core/app_context.h"
#include "app/core/session_state.h"
#include "app/gui/main_window.h"
#include "widgets/channel_panel.h"
#include "widgets/profile_panel.h"

using namespace tessera;

class SessionStateTest : public QObject {
  Q_OBJECT
  QTemporaryDir config_;
  std::unique_ptr<app::AppContext> ctx_;

  std::unique_ptr<app::MainWindow> openDemo() {
    auto w = std::make_unique<app::MainWindow>(*ctx_);
    w->resize(1200, 800);
    w->show();
    if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
    QSignalSpy cells(w.get(), &app::MainWindow::cellsLoaded);
    w->openInputs({"demo"});
    if (!cells.wait(600000) || !w->cells()->session().data()) return nullptr;
    return w;
  }

 private slots:
  void initTestCase() {
    QVERIFY(config_.isValid());
    // Before the first QSettings: Qt resolves the config location once.
    qputenv("XDG_CONFIG_HOME", config_.path().toUtf8());
    QApplication::setOrganizationName("tessera-test-session");
    QApplication::setApplicationName("tessera");
    ctx_ = std::make_unique<app::AppContext>(512);
  }

  void choicesSurviveClosingAndReopening() {
    std::string gene, other, column, cellsPath;
    {
      auto w = openDemo();
      QVERIFY(w);
      auto* linker = w->cells();
      auto& s = linker->session();
      const auto& t = *s.data()->table;
      QVERIFY(t.geneNames.size() > 3);
      gene = t.geneNames[2];
      other = t.geneNames[3];
      for (const auto& c : t.obs)
        if (c.kind == data::CellColumnKind::Categorical) column = c.name;
      QVERIFY(!column.empty());
      cellsPath = w->current()->cells->string();

      s.setGroups(QString::fromStdString(column));
      QVERIFY(s.colorByGene(QString::fromStdString(gene)));
      s.setLut(render::Lut::Magma);
      s.setRange(std::make_pair(0.25, 1.75));
      const int row = linker->overlayRow();
      QVERIFY(row >= 0);
      w->channelPanel()->overlayOpacity(row)->setValue(40);
      w->channelPanel()->overlayVisible(row)->setChecked(false);
      linker->imageOverlay()->setPointSize(7);
      linker->showProfileGenes({QString::fromStdString(gene), QString::fromStdString(other)});
      QCOMPARE(linker->imageOverlay()->opacity(), 0.4);
      QVERIFY(!linker->imageOverlay()->visible());
      w->close();
    }  // the window, and with it the linker, goes: the state is saved

    const auto saved = app::loadPanelState(cellsPath);
    QVERIFY(saved.has_value());
    QCOMPARE(saved->colorName.toStdString(), gene);
    QVERIFY(QFileInfo::exists(config_.filePath("tessera-test-session/tessera.conf")));

    auto w = openDemo();
    QVERIFY(w);
    auto* linker = w->cells();
    const auto& s = linker->session();
    QCOMPARE(int(s.colorBy().kind), int(app::ColorBy::Kind::Gene));
    QCOMPARE(s.colorBy().name, gene);
    QCOMPARE(int(s.colorBy().lut), int(render::Lut::Magma));
    QVERIFY(s.colorBy().range.has_value());
    QCOMPARE(s.colorBy().range->first, 0.25);
    QCOMPARE(s.colorBy().range->second, 1.75);
    // The gene's values (and so the legend) arrive from the expression engine asynchronously.
    QTRY_COMPARE_WITH_TIMEOUT(s.coloring().legend.min, 0.25, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(s.coloring().legend.max, 1.75, 20000);
    QVERIFY(s.groups());
    QCOMPARE(s.groups()->name, column);
    QCOMPARE(linker->imageOverlay()->opacity(), 0.4);
    QVERIFY(!linker->imageOverlay()->visible());
    QCOMPARE(linker->imageOverlay()->pointSize(), 7.0);
    const int row = linker->overlayRow();
    QCOMPARE(w->channelPanel()->overlayOpacity(row)->value(), 40);
    QVERIFY(!w->channelPanel()->overlayVisible(row)->isChecked());
    QCOMPARE(linker->profileGenes(),
             (QStringList{QString::fromStdString(gene), QString::fromStdString(other)}));
    // Profiles are summarised by the expression engine in the background.
    QTRY_COMPARE_WITH_TIMEOUT(w->profilePanel()->profiles().size(), std::size_t(2), 20000);
    const auto& profiles = w->profilePanel()->profiles();
    QCOMPARE(profiles[0].gene.toStdString(), gene);
    QVERIFY(!profiles[0].groups.empty());
    QVERIFY(!profiles[0].groups[0].density.empty());  // the violins' densities came along
    // The panel grows to its content (two genes' violins and bars) once it has painted.
    auto* panel = w->profilePanel();
    panel->resize(460, 300);
    (void)panel->grab();
    QTRY_VERIFY(panel->minimumHeight() > 300);
    panel->resize(460, panel->minimumHeight());
    panel->grab().save(QString(TESSERA_TEST_WORK_DIR) + "/session_profile.png");  // to look at

    // Another dataset has no saved state; a stale group for a moved file is not applied.
    QVERIFY(!app::loadPanelState(std::filesystem::path(cellsPath).parent_path() / "other.h5ad"));
  }

  void cleanupTestCase() { ctx_.reset(); }
};

QTEST_MAIN(SessionStateTest)
#include "tst_session_state.moc"
