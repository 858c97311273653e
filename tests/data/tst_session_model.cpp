// The session model without any view: edits change the document and tell observers what
// changed, undo/redo round-trips every kind of edit, slider drags merge into one step, and the
// unsaved-changes flag follows saves, edits and undos.
#include <QtTest>

#include <algorithm>

#include "data/session/session_model.h"

using namespace tessera::data;

namespace {

Session twoLayerSession() {
  Session s;
  s.datasets = {{"image", DatasetKind::Image, "/d/img.ome.zarr", "", "", "img.ome.zarr", {}},
                {"cells", DatasetKind::Table, "/d/cells.h5ad", "", "", "cells.h5ad", {}}};
  SessionLayer image{"image", LayerKind::Image, "image", "img", true, 1, {}, {}};
  image.channels = {{"DAPI", 0x0000FF, "solid", 0, 1000, 1, false, true},
                    {"CD31", 0xFF0000, "solid", 10, 500, 1, false, true}};
  SessionLayer cells{"cells", LayerKind::Cells, "cells", "cells", true, 1, {}, {}};
  s.layers = {image, cells};
  s.pairings = {{"cells", "image", std::nullopt, ""}};
  return s;
}

}  // namespace

class TestSessionModel : public QObject {
  Q_OBJECT

 private slots:
  void observersHearWhatChanged() {
    SessionModel m;
    std::vector<SessionEvent> seen;
    auto sub = m.observe([&](const SessionEvent& e) {
      if (e.what != SessionChange::History) seen.push_back(e);
    });
    m.reset(twoLayerSession());
    QCOMPARE(seen.size(), 1u);
    QVERIFY(seen[0].what == SessionChange::Reset);
    auto ch = m.session().layer("image")->channels;
    ch[1].color = 0x00FF00;
    m.setChannels("image", ch);
    QCOMPARE(seen.size(), 2u);
    QVERIFY(seen[1].what == SessionChange::Layer);
    QCOMPARE(seen[1].layer, std::string("image"));
    QCOMPARE(m.session().layer("image")->channels[1].color, 0x00FF00u);
    m.setCamera({100, 200, 50, {}, {}, 0, 0, -1});
    QVERIFY(seen.back().what == SessionChange::Camera);
    // An edit that changes nothing says nothing.
    m.setChannels("image", ch);
    QCOMPARE(seen.size(), 3u);
    // Once the subscription is gone the observer is not called again.
    sub.reset();
    m.setLayerVisible("cells", false);
    QCOMPARE(seen.size(), 3u);
  }

  void observerMayUnsubscribeWhileNotified() {
    SessionModel m;
    int calls = 0;
    SessionModel::Subscription sub;
    sub = m.observe([&](const SessionEvent&) {
      ++calls;
      sub.reset();
    });
    auto other = m.observe([&](const SessionEvent&) { ++calls; });
    m.reset(twoLayerSession());
    QCOMPARE(calls, 3);  // the first once, the second for Reset and History
  }

  void undoRedoRoundTrips() {
    SessionModel m;
    m.reset(twoLayerSession());
    const Session start = m.session();
    QVERIFY(!m.canUndo());

    auto ch = start.layer("image")->channels;
    ch[0].end = 2000;
    m.setChannels("image", ch);
    CellsDisplay cd;
    cd.colorKind = "gene";
    cd.colorName = "KDR";
    m.setCellsDisplay("cells", cd, "Colour by KDR");
    m.setSelection("tumour", {1, 2, 3});
    m.setWaypoints({{"Start", "The whole section", 10, 20, 300, {}}}, "Add waypoint");
    m.setAnnotations(nlohmann::json::array({{{"type", "Feature"}}}), "Add annotation");
    m.moveLayer("cells", 0);
    m.setLayerOpacity("image", 0.5);
    const Session end = m.session();
    QCOMPARE(m.undoLabel(), std::string("Layer opacity"));

    int undos = 0;
    while (m.canUndo()) {
      m.undo();
      ++undos;
    }
    QCOMPARE(undos, 7);
    QVERIFY(m.session() == start);
    while (m.canRedo())
      m.redo();
    QVERIFY(m.session() == end);
    QCOMPARE(m.session().layers[0].id, std::string("cells"));
    QCOMPARE(m.session().selections.at("tumour").size(), 3u);
  }

  void dragsMergeIntoOneStep() {
    SessionModel m;
    m.reset(twoLayerSession());
    auto ch = m.session().layer("image")->channels;
    for (int end = 1100; end <= 1500; end += 100) {
      ch[0].end = end;
      m.setChannels("image", ch, "window:0");
    }
    ch[1].gamma = 2;
    m.setChannels("image", ch, "gamma:1");
    m.undo();
    QCOMPARE(m.session().layer("image")->channels[0].end, 1500.0);
    QCOMPARE(m.session().layer("image")->channels[1].gamma, 1.0);
    m.undo();
    QCOMPARE(m.session().layer("image")->channels[0].end, 1000.0);
    QVERIFY(!m.canUndo());
  }

  void modifiedFollowsSavesAndUndo() {
    SessionModel m;
    int history = 0;
    auto sub = m.observe([&](const SessionEvent& e) {
      if (e.what == SessionChange::History) ++history;
    });
    m.reset(twoLayerSession());
    QVERIFY(!m.modified());
    m.setLayerVisible("cells", false);
    QVERIFY(m.modified());
    m.markSaved();
    QVERIFY(!m.modified());
    m.setLayerVisible("image", false);
    QVERIFY(m.modified());
    m.undo();  // back to what was saved
    QVERIFY(!m.modified());
    m.undo();  // before the save
    QVERIFY(m.modified());
    // A pan is not an unsaved change.
    m.redo();
    m.setCamera({5, 5, 10, {}, {}, 0, 0, -1});
    QVERIFY(!m.modified());
    QVERIFY(history >= 6);
    // A save never merges with the edit after it: undo returns to the saved state.
    m.setLayerOpacity("image", 0.4);
    m.markSaved();
    m.setLayerOpacity("image", 0.3);
    m.undo();
    QCOMPARE(m.session().layer("image")->opacity, 0.4);
    QVERIFY(!m.modified());
  }

  void removeAndAddDatasets() {
    SessionModel m;
    m.reset(twoLayerSession());
    m.removeLayer("cells");
    QVERIFY(!m.session().dataset("cells"));
    QVERIFY(m.session().pairings.empty());
    m.undo();
    QVERIFY(m.session().dataset("cells"));
    QCOMPARE(m.session().pairings.size(), 1u);

    SessionDataset more{"image", DatasetKind::Image, "/d/other.tif", "", "", "other.tif", {}};
    SessionLayer layer{"image", LayerKind::Image, "image", "other", true, 1, {}, {}};
    m.addDataset(more, {layer});
    const auto& s = m.session();
    QCOMPARE(s.datasets.size(), 3u);
    QCOMPARE(s.datasets.back().id, std::string("image-2"));
    QCOMPARE(s.layers.back().dataset, std::string("image-2"));
    QVERIFY(s.layers.back().id != "image");
    m.undo();
    QCOMPARE(m.session().datasets.size(), 2u);

    // With an annotations layer on top, added layers go under it.
    Session withAnnotations = twoLayerSession();
    ensureAnnotationsLayer(withAnnotations);
    ensureAnnotationsLayer(withAnnotations);  // one is enough
    QCOMPARE(withAnnotations.layers.size(), 3u);
    m.reset(withAnnotations);
    m.addDataset(more, {layer});
    QCOMPARE(m.session().layers.size(), 4u);
    QCOMPARE(m.session().layers[2].dataset, std::string("image-2"));
    QVERIFY(m.session().layers.back().kind == LayerKind::Annotations);
  }

  // The Images dock's choice of another image of a container (a plate's well and field): an
  // undo step that leaves the image layers' channels to be read again.
  void choosingAnImageIsAnUndoStep() {
    SessionModel m;
    m.reset(twoLayerSession());
    const std::string image = m.session().layer("image")->dataset;
    ImageSelection well;
    well.well = "B/1";
    well.field = 1;
    well.listPlateFields = true;
    m.setDatasetSelection(image, well);
    QCOMPARE(m.session().dataset(image)->select.well, std::string("B/1"));
    QVERIFY(!m.session().dataset(image)->select.listPlateFields);  // how it was read, not kept
    QVERIFY(m.session().layer("image")->channels.empty());
    QCOMPARE(m.undoLabel(), std::string("Choose image"));
    well.listPlateFields = false;
    m.setDatasetSelection(image, well);  // the same image: no step
    m.undo();
    QVERIFY(m.session().dataset(image)->select.well.empty());
    QVERIFY(!m.canUndo());
  }

  void adjustHasNoUndoStep() {
    SessionModel m;
    m.reset(twoLayerSession());
    std::vector<SessionChange> seen;
    auto sub = m.observe([&](const SessionEvent& e) { seen.push_back(e.what); });
    // Windows the app derived itself: no undo step, not an unsaved change.
    m.adjust([](Session& s) { s.layer("image")->channels[0].end = 999; },
             {SessionChange::Layer, "image"}, false);
    QCOMPARE(m.session().layer("image")->channels[0].end, 999.0);
    QVERIFY(!m.canUndo());
    QVERIFY(!m.modified());
    QVERIFY(seen.front() == SessionChange::Layer);
    // A selection named in a panel: no undo step, but the document has changed.
    m.adjust([](Session& s) { s.selections["a"] = {1}; }, {SessionChange::Selections, {}}, true);
    QVERIFY(!m.canUndo());
    QVERIFY(m.modified());
    m.markSaved();
    QVERIFY(!m.modified());
  }

  void interpretAxesIsAnUndoStep() {
    SessionModel m;
    m.reset(twoLayerSession());
    const std::string image = m.session().layer("image")->dataset;
    const auto channels = m.session().layer("image")->channels;
    std::vector<SessionChange> seen;
    auto sub = m.observe([&](const SessionEvent& e) { seen.push_back(e.what); });
    m.setDatasetAxes(image, "zyx");
    QCOMPARE(m.session().dataset(image)->select.axes, std::string("zyx"));
    QVERIFY(m.session().layer("image")->channels.empty());  // they described the old reading
    QVERIFY(m.modified());
    QCOMPARE(m.undoLabel(), std::string("Interpret Axes"));
    QVERIFY(std::find(seen.begin(), seen.end(), SessionChange::Datasets) != seen.end());
    m.undo();
    QVERIFY(m.session().dataset(image)->select.axes.empty());
    QVERIFY(m.session().layer("image")->channels == channels);
    QVERIFY(!m.modified());
    m.redo();
    QCOMPARE(m.session().dataset(image)->select.axes, std::string("zyx"));
    const auto before = m.session();
    m.setDatasetAxes(image, "zyx");  // unchanged: no step
    QVERIFY(m.session() == before);
    m.undo();
    QVERIFY(!m.canUndo());
  }

  void currentSelectionUndoes() {
    SessionModel m;
    m.reset(twoLayerSession());
    std::vector<SessionEvent> events;
    auto sub = m.observe([&](const SessionEvent& e) { events.push_back(e); });
    m.setCurrentSelection({7, 3, 3, 5});  // a lasso
    QVERIFY(m.session().selection == (std::vector<std::uint32_t>{3, 5, 7}));
    QVERIFY(std::any_of(events.begin(), events.end(),
                        [](auto& e) { return e.what == SessionChange::Selection; }));
    QCOMPARE(m.undoLabel(), std::string("Select cells"));
    m.setCurrentSelection({3, 5, 7});  // the same cells again: no step
    m.setCurrentSelection({1}, "Recall selection");
    QCOMPARE(m.undoLabel(), std::string("Recall selection"));
    m.undo();
    QVERIFY(m.session().selection == (std::vector<std::uint32_t>{3, 5, 7}));
    m.undo();
    QVERIFY(m.session().selection.empty());
    QVERIFY(!m.canUndo());
    m.redo();
    QVERIFY(m.session().selection == (std::vector<std::uint32_t>{3, 5, 7}));
    QVERIFY(m.modified());
  }

  // Labelling cells as a class, removing a class and a model run replacing the table are undo
  // steps; each says Classifier so that the dock trains on the labels restored.
  void classifierLabelsUndo() {
    SessionModel m;
    m.reset(twoLayerSession());
    std::vector<SessionEvent> seen;
    auto sub = m.observe([&](const SessionEvent& e) {
      if (e.what != SessionChange::History) seen.push_back(e);
    });
    ClassifierLabels one{"cells", {{"immune", {1, 2}}}, {"area", "CD45"}};
    ClassifierLabels two = one;
    two.classes.push_back({"tumour", {5}});
    m.setClassifier(one, "Label cells as immune");
    m.setClassifier(two, "Label cells as tumour");
    QCOMPARE(seen.size(), 2u);
    QVERIFY(seen[1].what == SessionChange::Classifier);
    QCOMPARE(m.undoLabel(), std::string("Label cells as tumour"));
    ClassifierLabels removed = two;
    removed.classes.erase(removed.classes.begin());
    m.setClassifier(removed, "Remove class immune");
    QVERIFY(m.session().classifier == removed);
    m.undo();
    QVERIFY(m.session().classifier == two);
    m.undo();
    QVERIFY(m.session().classifier == one);
    QVERIFY(seen.back().what == SessionChange::Classifier);
    m.redo();
    QVERIFY(m.session().classifier == two);
    // A run that replaces the table drops the labels with it; its undo brings both back.
    Session replaced = m.session();
    replaced.datasets[1].id = "cells-2";
    replaced.layers[1].dataset = "cells-2";
    replaced.pairings[0].table = "cells-2";
    replaced.classifier = {};
    seen.clear();
    m.setStructure(replaced, "Run Model");
    QVERIFY(m.session().classifier.empty());
    QVERIFY(std::any_of(seen.begin(), seen.end(),
                        [](auto& e) { return e.what == SessionChange::Classifier; }));
    m.undo();
    QVERIFY(m.session().classifier == two);
    QCOMPARE(m.session().datasets[1].id, std::string("cells"));
  }

  // Selections are rows of the table: a structural edit that replaces the table clears them in
  // the same undo step (Run Model's outputs), and its undo brings them back.
  void structureTakesTheSelections() {
    SessionModel m;
    m.reset(twoLayerSession());
    m.setSelection("tumour", {1, 4});
    m.setCurrentSelection({2, 3});
    std::vector<SessionEvent> seen;
    auto sub = m.observe([&](const SessionEvent& e) {
      if (e.what != SessionChange::History) seen.push_back(e);
    });
    Session replaced = m.session();
    replaced.datasets[1].id = "cells-2";
    replaced.layers[1].dataset = "cells-2";
    replaced.pairings[0].table = "cells-2";
    replaced.selections.clear();
    replaced.selection.clear();
    m.setStructure(replaced, "Run Model");
    QCOMPARE(m.undoLabel(), std::string("Run Model"));
    QVERIFY(m.session().selections.empty());
    QVERIFY(m.session().selection.empty());
    QCOMPARE(m.session().datasets[1].id, std::string("cells-2"));
    auto heard = [&](SessionChange what) {
      return std::count_if(seen.begin(), seen.end(), [&](auto& e) { return e.what == what; });
    };
    QCOMPARE(heard(SessionChange::Selections), 1);
    QCOMPARE(heard(SessionChange::Selection), 1);
    m.undo();
    QCOMPARE(m.session().selections.at("tumour"), (std::vector<std::uint32_t>{1, 4}));
    QCOMPARE(m.session().selection, (std::vector<std::uint32_t>{2, 3}));
    QCOMPARE(m.session().datasets[1].id, std::string("cells"));
    QCOMPARE(heard(SessionChange::Selections), 2);
    m.redo();
    QVERIFY(m.session().selections.empty());
    // The same structure with the same selections is no step.
    const auto steps = seen.size();
    m.setStructure(m.session(), "Run Model");
    QCOMPARE(seen.size(), steps);
  }

  void resetClearsHistory() {
    SessionModel m;
    m.reset(twoLayerSession());
    m.setLayerVisible("cells", false);
    m.reset(Session{});
    QVERIFY(!m.canUndo());
    QVERIFY(!m.canRedo());
    QVERIFY(!m.modified());
    QVERIFY(m.session().empty());
  }
};

QTEST_APPLESS_MAIN(TestSessionModel)
#include "tst_session_model.moc"
