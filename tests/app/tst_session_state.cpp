// State the session model owns beyond layers and selections, in real windows under Xvfb: the
// cells choices (colour-by gene, LUT and range, the Clusters column the Expression profile groups
// by, overlay visibility and opacity, the profile's genes), the Embedding dock's basis, the Genes
// search text, the live camera, the Transcripts dock's gene filter and the Images dock's plate
// well. Each is an edit of the model as it happens (the camera without an undo step), is saved
// in the session file, comes back in a fresh window opening it, and is not inherited by a dataset
// opened anew (nothing is kept in QSettings). A basis switch keeps a gene colouring in flight.
// Fixtures: the demo, tests/fixtures/xenium/make_xenium.py, tests/fixtures/ome/
// make_ome_zarr_fixtures.py (the plate).
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/transcripts_layer.h"
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "app/gui/transcripts_panel.h"
#include "widgets/channel_panel.h"
#include "widgets/embedding_view.h"
#include "widgets/genes_panel.h"
#include "widgets/image_picker.h"
#include "widgets/image_view.h"
#include "widgets/profile_panel.h"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "session_state";

QString path(const std::string& rel) {
  return QString::fromStdString((kWork / rel).string());
}

nlohmann::json readJson(const QString& file) {
  std::ifstream in(file.toStdString());
  return nlohmann::json::parse(in);
}

bool runPython(const QStringList& args) {
  QProcess py;
  py.start(TESSERA_PYTHON, args);
  if (!py.waitForFinished(300000) || py.exitCode() != 0) {
    qWarning("%s", py.readAllStandardError().constData());
    return false;
  }
  return true;
}

// The saved cells layer's "cells" object.
nlohmann::json savedCells(const QString& file) {
  const auto j = readJson(file);
  for (const auto& l : j["layers"])
    if (l["kind"] == "cells") return l["cells"];
  return {};
}

const data::SessionLayer* cellsLayer(app::MainWindow& w) {
  return w.model().session().firstLayer(data::LayerKind::Cells);
}

}  // namespace

class SessionStateTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;

  std::unique_ptr<app::MainWindow> window() {
    auto w = std::make_unique<app::MainWindow>(*ctx_);
    w->resize(1200, 800);
    w->show();
    if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
    return w;
  }

  // Opens `inputs` and waits for the table and the window's handling of it (a queued call that
  // applies a session file's cells layer).
  static bool openWithCells(app::MainWindow& w, const QStringList& inputs) {
    QSignalSpy cells(&w, &app::MainWindow::cellsLoaded);
    w.openInputs(inputs);
    if (!cells.wait(600000) || !w.cells()->session().data()) return false;
    QTest::qWait(200);
    return true;
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test-session-state");
    QApplication::setApplicationName("tessera");
    fs::remove_all(kWork);
    fs::create_directories(kWork);
    ctx_ = std::make_unique<app::AppContext>(512);
  }

  void cellsChoicesComeBackFromTheSessionFile() {
    std::string gene, other, column, basis, defaultBasis;
    data::SessionCamera camera;
    const QString file = path("cells.tessera");
    {
      auto w = window();
      QVERIFY(w);
      QVERIFY(openWithCells(*w, {"demo"}));
      auto* linker = w->cells();
      auto& s = linker->session();
      const auto& t = *s.data()->table;
      QVERIFY(t.geneNames.size() > 3);
      gene = t.geneNames[2];
      other = t.geneNames[3];
      for (const auto& c : t.obs)
        if (c.kind == data::CellColumnKind::Categorical && c.name != s.groups()->name)
          column = c.name;
      QVERIFY(!column.empty());
      defaultBasis = s.data()->embeddingKey;
      const QStringList bases = [&] {
        QStringList out;
        for (int i = 0; i < w->embeddingView()->basisBox()->count(); ++i)
          out << w->embeddingView()->basisBox()->itemText(i);
        return out;
      }();
      for (const auto& b : bases)
        if (b.toStdString() != defaultBasis) basis = b.toStdString();
      QVERIFY2(!basis.empty(), qPrintable(bases.join(",")));

      s.setGroups(QString::fromStdString(column));
      QVERIFY(s.colorByGene(QString::fromStdString(gene)));
      s.setLut(render::Lut::Magma);
      s.setRange(std::make_pair(0.25, 1.75));
      const int row = linker->overlayRow();
      QVERIFY(row >= 0);
      w->channelPanel()->overlayOpacity(row)->setValue(40);
      w->channelPanel()->overlayVisible(row)->setChecked(false);
      emit w->embeddingView()->basisChosen(QString::fromStdString(basis));
      w->genesPanel()->searchBox()->setText(QString::fromStdString(other.substr(0, 3)));
      linker->showProfileGenes({QString::fromStdString(gene), QString::fromStdString(other)});

      // Each is in the model as it happens, an undo step of its own.
      const auto* l = cellsLayer(*w);
      QVERIFY(l);
      QCOMPARE(l->cells.colorKind, std::string("gene"));
      QCOMPARE(l->cells.colorName, gene);
      QCOMPARE(l->cells.lut, std::string("magma"));
      QVERIFY(l->cells.range == std::make_pair(0.25, 1.75));
      QCOMPARE(l->cells.groups, column);
      QCOMPARE(l->opacity, 0.4);
      QVERIFY(!l->visible);
      QVERIFY2(l->cells.profileGenes == (std::vector<std::string>{gene, other}),
               qPrintable(QString::number(l->cells.profileGenes.size()) +
                          w->cells()->profileGenes().join(",")));
      QCOMPARE(l->cells.basis, basis);
      QCOMPARE(l->cells.geneSearch, other.substr(0, 3));
      // The profile shows the genes asked for, after the search's filtering changed the Genes
      // list's selection (and so the profile).
      while (w->model().undoLabel() == "Profile genes")
        w->undoAction()->trigger();
      QCOMPARE(QString::fromStdString(w->model().undoLabel()), QString("Search genes"));
      w->undoAction()->trigger();
      QVERIFY(w->genesPanel()->searchBox()->text().isEmpty());
      QCOMPARE(QString::fromStdString(w->model().undoLabel()), QString("Embedding basis"));
      w->undoAction()->trigger();
      QCOMPARE(s.data()->embeddingKey, defaultBasis);
      QVERIFY(cellsLayer(*w)->cells.basis == defaultBasis);
      while (w->model().canRedo())
        w->redoAction()->trigger();
      QCOMPARE(s.data()->embeddingKey, basis);
      QCOMPARE(linker->profileGenes().size(), 2);
      QCOMPARE(w->genesPanel()->searchBox()->text().toStdString(), other.substr(0, 3));

      // The camera follows the view as it moves, without an undo step or an unsaved mark.
      QVERIFY(w->model().modified());
      QVERIFY(w->saveSessionTo(file));
      const std::string undo = w->model().undoLabel();
      QSignalSpy frame(w->imageView(), &widgets::ImageView::frameRendered);
      w->imageView()->centerOn(300, 200, 2.0);
      QVERIFY(frame.wait(10000));
      camera = w->model().session().camera;
      QCOMPARE(camera.centerX, 300.0);
      QCOMPARE(camera.centerY, 200.0);
      QVERIFY(std::abs(camera.width - w->imageView()->camera().viewportWidth() / 2.0) < 1e-6);
      QCOMPARE(w->model().undoLabel(), undo);
      QVERIFY(!w->model().modified());
      // The model's camera set otherwise moves the view.
      auto moved = camera;
      moved.centerX = 340;
      w->model().setCamera(moved);
      QCOMPARE(w->imageView()->camera().centerX(), 340.0);
      w->model().setCamera(camera);
      QCOMPARE(w->imageView()->camera().centerX(), 300.0);
      QVERIFY(w->saveSessionTo(file));
    }  // the window goes without writing anything anywhere but the session file

    const auto j = readJson(file);
    const auto cj = savedCells(file);
    QCOMPARE(cj["basis"].get<std::string>(), basis);
    QCOMPARE(cj["gene_search"].get<std::string>(), other.substr(0, 3));
    QCOMPARE(j["view"]["center"][0].get<double>(), 300.0);
    QVERIFY(!QSettings().childGroups().contains("datasets"));

    auto w = window();
    QVERIFY(w);
    QVERIFY(openWithCells(*w, {file}));
    auto* linker = w->cells();
    const auto& s = linker->session();
    QCOMPARE(int(s.colorBy().kind), int(app::ColorBy::Kind::Gene));
    QCOMPARE(s.colorBy().name, gene);
    QCOMPARE(int(s.colorBy().lut), int(render::Lut::Magma));
    QVERIFY(s.colorBy().range == std::make_pair(0.25, 1.75));
    // The gene's values (and so the legend) arrive from the expression engine asynchronously.
    QTRY_COMPARE_WITH_TIMEOUT(s.coloring().legend.min, 0.25, 20000);
    QCOMPARE(s.groups()->name, column);
    QCOMPARE(linker->imageOverlay()->opacity(), 0.4);
    QVERIFY(!linker->imageOverlay()->visible());
    QVERIFY(!w->channelPanel()->overlayVisible(linker->overlayRow())->isChecked());
    QCOMPARE(s.data()->embeddingKey, basis);
    QCOMPARE(w->embeddingView()->basisBox()->currentText().toStdString(), basis);
    QCOMPARE(w->genesPanel()->searchBox()->text().toStdString(), other.substr(0, 3));
    QCOMPARE(linker->profileGenes(),
             (QStringList{QString::fromStdString(gene), QString::fromStdString(other)}));
    // The profile's violins are grouped by the Clusters column.
    QTRY_COMPARE_WITH_TIMEOUT(w->profilePanel()->profiles().size(), std::size_t(2), 20000);
    QCOMPARE(w->profilePanel()->profiles()[0].gene.toStdString(), gene);
    const auto* groups = s.data()->table->column(column);
    QVERIFY(groups);
    QCOMPARE(w->profilePanel()->profiles()[0].groups.size(), groups->categories.size());
    QVERIFY(std::abs(w->imageView()->camera().centerX() - 300) < 1e-6);
    QVERIFY(std::abs(w->imageView()->camera().centerY() - 200) < 1e-6);
    QVERIFY(std::abs(w->model().session().camera.centerX - 300) < 1e-6);
    QVERIFY(!w->model().modified());

    // The same dataset opened anew comes up as the table has it: nothing is inherited.
    QVERIFY(openWithCells(*w, {"demo"}));
    const auto* l = cellsLayer(*w);
    QVERIFY(l);
    QVERIFY(l->cells.colorKind != "gene");
    QCOMPARE(l->cells.basis, defaultBasis);
    QVERIFY(l->cells.geneSearch.empty());
    QVERIFY(l->cells.profileGenes.empty());
    QVERIFY(l->visible);
    QCOMPARE(l->opacity, 1.0);
    QVERIFY(s.colorBy().kind != app::ColorBy::Kind::Gene);
    QCOMPARE(s.data()->embeddingKey, defaultBasis);
    QVERIFY(w->genesPanel()->searchBox()->text().isEmpty());
    QVERIFY(linker->profileGenes().isEmpty());
    QVERIFY(linker->imageOverlay()->visible());
    QVERIFY(s.groups()->name != column);
    QVERIFY(w->model().session().camera.centerX != 300.0);
  }

  void basisSwitchKeepsAGeneColouringInFlight() {
    auto w = window();
    QVERIFY(w);
    QVERIFY(openWithCells(*w, {"demo"}));
    auto& s = w->cells()->session();
    const std::string gene = s.data()->table->geneNames[5];
    const std::string from = s.data()->embeddingKey;
    QString to;
    for (int i = 0; i < w->embeddingView()->basisBox()->count(); ++i)
      if (w->embeddingView()->basisBox()->itemText(i).toStdString() != from)
        to = w->embeddingView()->basisBox()->itemText(i);
    QVERIFY(!to.isEmpty());
    QVERIFY(s.colorByGene(QString::fromStdString(gene)));
    emit w->embeddingView()->basisChosen(to);  // before the gene's values arrive
    QCOMPARE(s.data()->embeddingKey, to.toStdString());
    QTRY_COMPARE_WITH_TIMEOUT(s.coloring().values().size(), s.data()->size(), 20000);
    QCOMPARE(s.coloring().legend.title, gene);
    QCOMPARE(cellsLayer(*w)->cells.colorName, gene);
    QCOMPARE(cellsLayer(*w)->cells.basis, to.toStdString());
  }

  void transcriptFilterComesBackFromTheSessionFile() {
    const fs::path run = kWork / "xenium" / "run";
    QVERIFY(runPython({QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/xenium/make_xenium.py",
                       QString::fromStdString(run.string()), "4000"}));
    const QString file = path("transcripts.tessera");
    QStringList genes;
    {
      auto w = window();
      QVERIFY(w);
      QSignalSpy loaded(w->cells()->transcripts(), &app::TranscriptsLayer::loaded);
      w->openInputs({QString::fromStdString(run.string())});
      QVERIFY(loaded.wait(120000));
      QTest::qWait(200);
      auto* panel = w->findChild<app::TranscriptsPanel*>();
      QVERIFY(panel);
      for (const auto& g : w->cells()->transcripts()->data()->genes)
        genes << QString::fromStdString(g);
      QCOMPARE(genes.size(), 8);
      panel->showOnly({genes[1], genes[4]});
      const auto* l = cellsLayer(*w);
      QVERIFY(l);
      QCOMPARE(l->cells.hiddenTranscriptGenes.size(), std::size_t(6));
      QCOMPARE(QString::fromStdString(w->model().undoLabel()), QString("Transcript genes"));
      w->undoAction()->trigger();
      QVERIFY(cellsLayer(*w)->cells.hiddenTranscriptGenes.empty());
      auto shown = panel->shownGenes();
      QCOMPARE(std::count(shown.begin(), shown.end(), true), 8);
      w->redoAction()->trigger();
      shown = panel->shownGenes();
      QCOMPARE(std::count(shown.begin(), shown.end(), true), 2);
      QVERIFY(w->saveSessionTo(file));
    }
    QCOMPARE(savedCells(file)["hidden_transcript_genes"].size(), std::size_t(6));

    auto w = window();
    QVERIFY(w);
    QSignalSpy loaded(w->cells()->transcripts(), &app::TranscriptsLayer::loaded);
    w->openInputs({file});
    QVERIFY(loaded.wait(120000));
    auto* panel = w->findChild<app::TranscriptsPanel*>();
    const auto shown = panel->shownGenes();
    QCOMPARE(std::count(shown.begin(), shown.end(), true), 2);
    QVERIFY(shown[1] && shown[4]);
    QCOMPARE(cellsLayer(*w)->cells.hiddenTranscriptGenes.size(), std::size_t(6));
    QVERIFY(!w->model().modified());

    // Opened anew: every gene drawn.
    QSignalSpy again(w->cells()->transcripts(), &app::TranscriptsLayer::loaded);
    w->openInputs({QString::fromStdString(run.string())});
    QVERIFY(again.wait(120000));
    const auto all = panel->shownGenes();
    QCOMPARE(std::count(all.begin(), all.end(), true), 8);
    QVERIFY(cellsLayer(*w)->cells.hiddenTranscriptGenes.empty());
  }

  void plateWellIsAnEditOfTheModel() {
    const QString blobs = QString(TESSERA_TEST_DATA_DIR) + "/ome-zarr/";
    QVERIFY(
        runPython({QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ome/make_ome_zarr_fixtures.py",
                   path("zarr"), blobs + "blobs_v04.ome.zarr", blobs + "blobs_v05.ome.zarr"}));
    const QString plate = path("zarr/plate.ome.zarr");
    const QString file = path("plate.tessera");
    {
      auto w = window();
      QVERIFY(w);
      QSignalSpy opened(w.get(), &app::MainWindow::datasetOpened);
      w->openInputs({plate});
      QVERIFY(opened.wait(60000));
      QCOMPARE(w->current()->image->info().plate->openedImage, std::string("A/1/0"));
      auto* picker = w->imagePicker();
      QVERIFY(picker->selectWell("A/2"));
      QVERIFY(picker->selectField(1));
      picker->choose();
      QVERIFY(opened.wait(60000));
      QCOMPARE(w->current()->image->info().plate->openedImage, std::string("A/2/1"));
      const auto& d = w->model().session().datasets.front();
      QCOMPARE(d.select.well, std::string("A/2"));
      QVERIFY(d.select.field == 1);
      QCOMPARE(QString::fromStdString(w->model().undoLabel()), QString("Choose image"));
      // Undo reads the first well again.
      w->undoAction()->trigger();
      QVERIFY(opened.wait(60000));
      QCOMPARE(w->current()->image->info().plate->openedImage, std::string("A/1/0"));
      w->redoAction()->trigger();
      QVERIFY(opened.wait(60000));
      QCOMPARE(w->current()->image->info().plate->openedImage, std::string("A/2/1"));
      QVERIFY(w->saveSessionTo(file));
    }
    QCOMPARE(readJson(file)["datasets"][0]["well"].get<std::string>(), std::string("A/2"));

    auto w = window();
    QVERIFY(w);
    QSignalSpy opened(w.get(), &app::MainWindow::datasetOpened);
    w->openInputs({file});
    QVERIFY(opened.wait(60000));
    QCOMPARE(w->current()->image->info().plate->openedImage, std::string("A/2/1"));
    QCOMPARE(w->imagePicker()->selection().well, std::string("A/2"));
    // Opened anew, the plate shows its first well.
    w->openInputs({plate});
    QVERIFY(opened.wait(60000));
    QCOMPARE(w->current()->image->info().plate->openedImage, std::string("A/1/0"));
    QVERIFY(w->model().session().datasets.front().select.well.empty());
  }

  void cleanupTestCase() { ctx_.reset(); }
};

QTEST_MAIN(SessionStateTest)
#include "tst_session_state.moc"
