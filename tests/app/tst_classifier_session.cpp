// The Cell Classifier's labels in the session: a generated "nuclei" model labels the nuclei of an
// image of two kinds into cells; labelling them as classes and removing a class are undo steps;
// the labels are saved with the session, and a fresh window opening it trains again to the same
// classes and colours; the dock's Save… writes YAML that OpenCV's own loader reads and that
// predicts the classes shown; Load… applies such a file in place of labels, also after reopening.
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTimer>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <opencv2/core/persistence.hpp>
#include <opencv2/ml.hpp>

#include "app/cells/cells_data.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/classifier_controller.h"
#include "app/gui/main_window.h"
#include "app/gui/model_actions.h"
#include "data/ai/cell_classifier.h"
#include "render/label_layer.h"
#include "tests/support/window_model_run.h"
#include "widgets/classifier_panel.h"
#include "widgets/image_view.h"

using namespace tessera;

namespace {

const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/classifier_session");

struct Disc {
  double x, y;
  bool a;
};

std::vector<Disc> readTruth(const QString& path) {
  std::vector<Disc> out;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return out;
  f.readLine();
  while (!f.atEnd()) {
    const auto parts = QString::fromUtf8(f.readLine()).trimmed().split(',');
    if (parts.size() == 3)
      out.push_back({parts[0].toDouble(), parts[1].toDouble(), parts[2] == "A"});
  }
  return out;
}

bool open(app::MainWindow* w, const QStringList& inputs, bool withCells) {
  QSignalSpy opened(w, &app::MainWindow::datasetOpened);
  QSignalSpy cells(w, &app::MainWindow::cellsLoaded);
  w->openInputs(inputs);
  if (!opened.wait(120000)) return false;
  if (withCells && !cells.wait(120000)) return false;
  QTest::qWait(100);
  return true;
}

// Clicks `button`, whose slot runs a modal file dialog (Qt's own, a widget the test can find,
// rather than the platform's), and answers it with `file` typed into the name box as a user would
// (selectFile waits for the folder's model), or cancels it when `file` is empty. False when no
// file dialog came up.
bool answerFileDialog(QPushButton* button, const QString& file) {
  QApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
  bool answered = false;
  QTimer answer;
  answer.setInterval(50);
  int ticks = 0;
  QObject::connect(&answer, &QTimer::timeout, [&] {
    ++ticks;
    for (auto* top : QApplication::topLevelWidgets()) {
      auto* d = qobject_cast<QDialog*>(top);
      if (!d || !d->isVisible()) continue;
      auto* f = qobject_cast<QFileDialog*>(d);
      auto* edit = f ? f->findChild<QLineEdit*>("fileNameEdit") : nullptr;
      if (edit && !answered) {
        answered = true;
        if (file.isEmpty()) {
          d->reject();
        } else {
          edit->setText(file);
          d->accept();
        }
      } else if (ticks > 100) {
        d->reject();  // an unexpected dialog fails the test rather than hanging it
      }
    }
  });
  answer.start();
  button->click();  // returns once the dialog was answered
  answer.stop();
  return answered;
}

QPushButton* buttonOf(QWidget* panel, const QString& text) {
  for (auto* b : panel->findChildren<QPushButton*>())
    if (b->text() == text) return b;
  return nullptr;
}

QString readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

}  // namespace

class ClassifierSessionTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> w_;
  std::vector<Disc> truth_;

  QString undoText() const { return w_->undoAction()->text().remove('&'); }

  bool runNuclei() { return testing::runInstancesModel(*w_, kWork + "/nuclei.onnx"); }

  // `file` opened in a fresh window, once its cells carry a prediction (null when it never did).
  std::unique_ptr<app::MainWindow> reopen(const QString& file) {
    auto other = std::make_unique<app::MainWindow>(*ctx_);
    other->resize(900, 700);
    other->show();
    if (!QTest::qWaitForWindowExposed(other.get())) return nullptr;
    QSignalSpy trained(other->modelActions()->classifier(), &app::ClassifierController::trained);
    if (!open(other.get(), {file}, true)) return nullptr;
    if (trained.count() == 0 && !trained.wait(60000)) return nullptr;
    return other;
  }

  static std::vector<std::uint32_t> sorted(std::vector<std::uint32_t> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  // The first `n` cells sitting on nuclei of kind A, and of kind B.
  std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>> cellsOfEachKind(
      std::size_t n) const {
    const auto data = w_->cells()->session().data();
    std::vector<std::uint32_t> a, b;
    for (std::uint32_t i = 0; i < data->px.size(); ++i) {
      double best = 1e9;
      bool kindA = false;
      for (const auto& d : truth_)
        if (const double e = std::hypot(data->px[i] - d.x, data->py[i] - d.y); e < best)
          best = e, kindA = d.a;
      auto& to = kindA ? a : b;
      if (to.size() < n) to.push_back(i);
    }
    return {a, b};
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    QDir(kWork).removeRecursively();
    QDir().mkpath(kWork);
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/app/make_nuclei_fixture.py", kWork});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    truth_ = readTruth(kWork + "/truth.csv");
    QCOMPARE(truth_.size(), 120u);
    ctx_ = std::make_unique<app::AppContext>(256);
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->resize(1200, 800);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    QVERIFY(open(w_.get(), {kWork + "/nuclei.ome.tif"}, false));
    QVERIFY(w_->saveSessionTo(kWork + "/run.tessera"));
    // The nuclei become a labels layer and the linked cell table.
    QVERIFY(runNuclei());
    QCOMPARE(w_->cells()->session().data()->size(), static_cast<std::int64_t>(truth_.size()));
  }

  // Labelling cells as a class and removing a class are steps of Edit ▸ Undo; undo and redo
  // bring the labels back in the model and the dock, which retrains on them.
  void labellingIsAnUndoStep() {
    auto* classifier = w_->modelActions()->classifier();
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    classifier->clearLabels();
    QVERIFY(w_->model().session().classifier.empty());
    QVERIFY(classifier->classNames().isEmpty());
    const auto [a, b] = cellsOfEachKind(4);
    QSignalSpy trained(classifier, &app::ClassifierController::trained);
    classifier->labelCells(a, "A");
    classifier->labelCells(b, "B");
    QCOMPARE(undoText(), QStringLiteral("Undo Label cells as B"));
    const auto& labels = w_->model().session().classifier;
    QCOMPARE(labels.table, w_->model().session().firstLayer(data::LayerKind::Cells)->dataset);
    QCOMPARE(labels.classes.size(), 2u);
    QCOMPARE(labels.classes[0].first, std::string("A"));
    QVERIFY(labels.classes[0].second == sorted(a));
    QVERIFY(labels.classes[1].second == sorted(b));
    QVERIFY(!labels.features.empty());
    QVERIFY(trained.wait(60000));
    // Remove Class on the class picked in the dock's list.
    classifier->panel()->classList()->setCurrentRow(0);
    classifier->panel()->removeClassButton()->click();
    QCOMPARE(classifier->classNames(), QStringList{"B"});
    QCOMPARE(classifier->labels()[b[0]], 0);
    QCOMPARE(classifier->labels()[a[0]], -1);
    QCOMPARE(undoText(), QStringLiteral("Undo Remove class A"));
    w_->undoAction()->trigger();
    QCOMPARE(classifier->classNames(), (QStringList{"A", "B"}));
    QCOMPARE(classifier->labels()[a[0]], 0);
    QCOMPARE(classifier->labels()[b[0]], 1);
    QCOMPARE(undoText(), QStringLiteral("Undo Label cells as B"));
    w_->undoAction()->trigger();
    QCOMPARE(classifier->classNames(), QStringList{"A"});
    QCOMPARE(classifier->labels()[b[0]], -1);
    w_->redoAction()->trigger();
    QCOMPARE(classifier->classNames(), (QStringList{"A", "B"}));
    QCOMPARE(classifier->labels()[b[3]], 1);
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    QVERIFY(trained.count() >= 2);  // live: trained again on the labels brought back
    const auto* column = w_->cells()->session().data()->table->column("classifier");
    QVERIFY(column);
    QCOMPARE(column->codes[a[1]], 0);
    QCOMPARE(column->codes[b[1]], 1);
  }

  // Saved and reopened in a fresh window, the labels train again: every cell has the class it
  // had, coloured as it was, and the reopened session has no unsaved change.
  void classifierComesBackWithTheSession() {
    auto* classifier = w_->modelActions()->classifier();
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    const auto data = w_->cells()->session().data();
    const auto* column = data->table->column("classifier");
    QVERIFY(column);
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title,
                              std::string("classifier"), 10000);
    QVERIFY(w_->saveSessionTo(kWork + "/run.tessera"));
    app::MainWindow other(*ctx_);
    other.resize(900, 700);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    auto* reopened = other.modelActions()->classifier();
    QSignalSpy trained(reopened, &app::ClassifierController::trained);
    QVERIFY(open(&other, {kWork + "/run.tessera"}, true));
    QVERIFY(trained.count() > 0 || trained.wait(60000));
    QVERIFY(other.model().session().classifier == w_->model().session().classifier);
    QCOMPARE(reopened->classNames(), classifier->classNames());
    QVERIFY(reopened->labels() == classifier->labels());
    const auto back = other.cells()->session().data();
    const auto* predicted = back->table->column("classifier");
    QVERIFY(predicted);
    QVERIFY(predicted->categories == column->categories);
    QVERIFY(predicted->codes == column->codes);
    QTRY_COMPARE_WITH_TIMEOUT(other.cells()->imageOverlay()->legend().title,
                              std::string("classifier"), 10000);
    auto* labels = w_->imageView()->labels();
    auto* labelsBack = other.imageView()->labels();
    QVERIFY(labels && labelsBack);
    const auto* ids = back->table->column("label");
    QVERIFY(ids);
    for (std::size_t i = 0; i < ids->numbers.size(); ++i) {
      const auto id = static_cast<std::int64_t>(ids->numbers[i]);
      QCOMPARE(labelsBack->colorOf(id), labels->colorOf(id));
    }
    QVERIFY2(!other.isWindowModified(), other.model().undoLabel().c_str());
    QVERIFY2(!other.model().canUndo(), other.model().undoLabel().c_str());
  }

  // The dock's Save… (its dialog answered) writes OpenCV YAML that OpenCV's own RTrees::load reads,
  // predicting the classes shown (ties of the vote aside), and that CellClassifier::load reads back
  // whole.
  void savedClassifierLoadsAndPredictsTheSame() {
    auto* classifier = w_->modelActions()->classifier();
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    const QString file = kWork + "/classifier.yaml";
    QFile::remove(file);
    // Save… in the dock, its file dialog answered with `file`.
    QPushButton* save = buttonOf(classifier->panel(), QStringLiteral("Save…"));
    QVERIFY(save);
    QVERIFY(answerFileDialog(save, file));
    QCOMPARE(classifier->panel()->statusLabel()->text(), QStringLiteral("Saved %1").arg(file));
    QVERIFY(QFile::exists(file));
    const auto features = classifier->features();
    QVERIFY(features);
    const auto* column = w_->cells()->session().data()->table->column("classifier");
    const auto* confidence = w_->cells()->session().data()->table->column("classifier_confidence");
    QVERIFY(column && confidence);
    cv::FileStorage fs(file.toStdString(), cv::FileStorage::READ);
    QVERIFY(fs.isOpened());
    std::vector<float> mean, sd;
    std::vector<std::string> names;
    fs["tessera_mean"] >> mean;
    fs["tessera_sd"] >> sd;
    fs["tessera_features"] >> names;
    QVERIFY(names == features->names);
    auto trees = cv::ml::RTrees::load(file.toStdString(), "trees");
    QVERIFY(trees && trees->isTrained());
    int compared = 0;
    for (int i = 0; i < features->values.rows; ++i) {
      if (confidence->numbers[static_cast<std::size_t>(i)] <= 0.5) continue;  // a tied vote
      cv::Mat x = features->values.row(i).clone();
      for (int j = 0; j < x.cols; ++j)
        x.at<float>(j) =
            (x.at<float>(j) - mean[static_cast<std::size_t>(j)]) / sd[static_cast<std::size_t>(j)];
      QCOMPARE(static_cast<int>(trees->predict(x)), column->codes[static_cast<std::size_t>(i)]);
      ++compared;
    }
    QVERIFY(compared > features->values.rows / 2);
    auto loaded = data::ai::CellClassifier::load(file.toStdString());
    QVERIFY2(loaded.has_value(), loaded ? "" : loaded.error().message.c_str());
    QVERIFY((*loaded)->classNames() == column->categories);
    auto p = (*loaded)->predict(*features);
    QVERIFY(p.has_value());
    QVERIFY(p->classes == column->codes);
  }

  // Load… puts the saved classifier in place of the labels (an undo step): every cell gets the
  // class it predicts; the session keeps its file (relative to the session) and a fresh window
  // applies it again. A file that is no classifier is said in the dock and changes nothing.
  void loadedClassifierComesBackWithTheSession() {
    auto* classifier = w_->modelActions()->classifier();
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    const QString file = kWork + "/classifier.yaml";  // saved by the test before
    QVERIFY(QFile::exists(file));
    const auto codes = w_->cells()->session().data()->table->column("classifier")->codes;
    classifier->clearLabels();
    QVERIFY(classifier->classNames().isEmpty());
    QSignalSpy trained(classifier, &app::ClassifierController::trained);
    classifier->loadFrom(file);
    QVERIFY(trained.wait(60000));
    QCOMPARE(undoText(), QStringLiteral("Undo Load classifier"));
    const auto& labels = w_->model().session().classifier;
    QCOMPARE(QString::fromStdString(labels.file), file);
    QVERIFY(labels.classes.empty());
    QVERIFY(classifier->panel()->statusLabel()->text().startsWith("Applied the saved classifier"));
    QVERIFY(w_->cells()->session().data()->table->column("classifier")->codes == codes);
    QVERIFY(w_->saveSessionTo(kWork + "/loaded.tessera"));
    QFile saved(kWork + "/loaded.tessera");
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(saved.readAll())["classifier"]["file"].toString(),
             QStringLiteral("classifier.yaml"));

    app::MainWindow other(*ctx_);
    other.resize(900, 700);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    QSignalSpy applied(other.modelActions()->classifier(), &app::ClassifierController::trained);
    QVERIFY(open(&other, {kWork + "/loaded.tessera"}, true));
    QVERIFY(applied.count() > 0 || applied.wait(60000));
    QVERIFY(other.cells()->session().data()->table->column("classifier")->codes == codes);
    QVERIFY(!other.isWindowModified());

    const QString junk = kWork + "/not-a-classifier.yaml";
    QFile out(junk);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("%YAML:1.0\nsomething: 1\n");
    out.close();
    QSignalSpy failed(classifier, &app::ClassifierController::trainingFailed);
    classifier->loadFrom(junk);
    QVERIFY(failed.wait(60000));
    QVERIFY2(failed.at(0).at(0).toString().contains("not a Tessera classifier"),
             qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(undoText(), QStringLiteral("Undo Load classifier"));
    QCOMPARE(QString::fromStdString(w_->model().session().classifier.file), file);
    w_->undoAction()->trigger();
    QVERIFY(w_->model().session().classifier.empty());
  }

  // Load… in the dock: its file dialog (answered with the classifier saved before) puts that
  // file in the model in place of the labels, as an undo step, and every cell gets its class;
  // a cancelled dialog changes nothing.
  void loadDialogAppliesTheChosenFile() {
    auto* classifier = w_->modelActions()->classifier();
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    const QString file = kWork + "/classifier.yaml";  // saved by the test before
    QVERIFY(QFile::exists(file));
    classifier->clearLabels();
    QVERIFY(w_->model().session().classifier.empty());
    QPushButton* load = buttonOf(classifier->panel(), QStringLiteral("Load…"));
    QVERIFY(load);
    const QString before = undoText();
    QVERIFY(answerFileDialog(load, QString()));  // cancelled
    QTest::qWait(200);
    QVERIFY(w_->model().session().classifier.empty());
    QCOMPARE(undoText(), before);
    QSignalSpy trained(classifier, &app::ClassifierController::trained);
    QVERIFY(answerFileDialog(load, file));
    QVERIFY(trained.wait(60000));
    QCOMPARE(undoText(), QStringLiteral("Undo Load classifier"));
    QCOMPARE(QString::fromStdString(w_->model().session().classifier.file), file);
    QVERIFY(classifier->panel()->statusLabel()->text().startsWith("Applied the saved classifier"));
    const auto* column = w_->cells()->session().data()->table->column("classifier");
    QVERIFY(column);
    auto loaded = data::ai::CellClassifier::load(file.toStdString());
    QVERIFY(loaded.has_value());
    auto p = (*loaded)->predict(*classifier->features());
    QVERIFY(p.has_value());
    QVERIFY(p->classes == column->codes);
  }

  // Saving stores the prediction beside the session; a fresh window shows that very column (every
  // cell's class and confidence, the confusion matrix) without training. New labels retrain and
  // the next save rewrites it; labels whose prediction is not made yet (Live off) leave none.
  void storedPredictionComesBackWithoutTraining() {
    auto* classifier = w_->modelActions()->classifier();
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    classifier->clearLabels();
    const auto [a, b] = cellsOfEachKind(5);
    QSignalSpy trained(classifier, &app::ClassifierController::trained);
    classifier->labelCells({a.begin(), a.begin() + 4}, "A");
    classifier->labelCells({b.begin(), b.begin() + 4}, "B");
    QTRY_VERIFY_WITH_TIMEOUT(trained.count() > 0 && !classifier->busy(), 60000);
    const QString session = kWork + "/stored.tessera";
    const QString stored = kWork + "/stored.tessera-data/classifier-prediction.json";
    QFile::remove(stored);
    QVERIFY(w_->saveSessionTo(session));
    QVERIFY(QFile::exists(stored));
    const auto data = w_->cells()->session().data();
    const auto* column = data->table->column("classifier");
    const auto* confidence = data->table->column("classifier_confidence");
    QVERIFY(column && confidence);

    auto other = reopen(session);
    QVERIFY(other);
    auto* reopened = other->modelActions()->classifier();
    QVERIFY(reopened->restoredFromStore());
    QVERIFY(!reopened->classifier());  // nothing was trained
    QVERIFY(!reopened->busy());
    QVERIFY(reopened->panel()->statusLabel()->text().startsWith(
        "The prediction saved with the session"));
    const auto back = other->cells()->session().data();
    const auto* column2 = back->table->column("classifier");
    const auto* confidence2 = back->table->column("classifier_confidence");
    QVERIFY(column2 && confidence2);
    QVERIFY(column2->categories == column->categories);
    QCOMPARE(column2->codes.size(), column->codes.size());
    for (std::size_t i = 0; i < column->codes.size(); ++i) {
      QCOMPARE(column2->codes[i], column->codes[i]);
      QCOMPARE(confidence2->numbers[i], confidence->numbers[i]);
    }
    QVERIFY(reopened->confusion().classNames == classifier->confusion().classNames);
    QCOMPARE(cv::countNonZero(reopened->confusion().counts != classifier->confusion().counts), 0);
    QCOMPARE(reopened->panel()->confusionTable()->rowCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(other->cells()->imageOverlay()->legend().title,
                              std::string("classifier"), 10000);
    QVERIFY(!other->isWindowModified());
    other.reset();

    // One more labelled cell: retrained (Live), and the save rewrites the stored labels.
    trained.clear();
    classifier->labelCells({a[4]}, "A");
    QTRY_VERIFY_WITH_TIMEOUT(trained.count() > 0 && !classifier->busy(), 60000);
    QVERIFY(w_->saveSessionTo(session));
    QVERIFY(QJsonDocument::fromJson(readAll(stored).toUtf8())["labels"]["classes"][0]["cells"]
                .toArray()
                .contains(static_cast<qint64>(a[4])));
    // Live off: labels changed but not trained on; nothing stale is kept.
    classifier->panel()->liveBox()->setChecked(false);
    classifier->labelCells({b[4]}, "B");
    QVERIFY(!classifier->busy());
    QVERIFY(w_->saveSessionTo(session));
    QVERIFY(!QFile::exists(stored));
    other = reopen(session);  // trains again from the labels
    QVERIFY(other);
    QVERIFY(!other->modelActions()->classifier()->restoredFromStore());
    QVERIFY(other->modelActions()->classifier()->classifier());
    other.reset();
    classifier->panel()->liveBox()->setChecked(true);  // trains on the labels
    QTRY_VERIFY_WITH_TIMEOUT(trained.count() > 1 && !classifier->busy(), 60000);
    QVERIFY(w_->saveSessionTo(session));
    QVERIFY(QFile::exists(stored));
  }

  // A damaged stored prediction, or one of another cell count, is discarded with a message and
  // the classifier trains again: the column is the one trained, never the file's.
  void damagedStoredPredictionIsDiscarded() {
    auto* classifier = w_->modelActions()->classifier();
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    const QString session = kWork + "/stored.tessera";
    const QString stored = kWork + "/stored.tessera-data/classifier-prediction.json";
    QVERIFY(w_->saveSessionTo(session));
    const QString good = readAll(stored);
    QVERIFY(!good.isEmpty());
    const auto codes = w_->cells()->session().data()->table->column("classifier")->codes;
    auto check = [&](const QByteArray& text, const QString& why) {
      QFile f(stored);
      QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
      f.write(text);
      f.close();
      auto other = reopen(session);
      QVERIFY(other);
      auto* reopened = other->modelActions()->classifier();
      QVERIFY(!reopened->restoredFromStore());
      QVERIFY(reopened->classifier());
      const QString status = reopened->panel()->statusLabel()->text();
      QVERIFY2(status.startsWith("The prediction saved with the session was discarded: " + why),
               qPrintable(status));
      QVERIFY(status.contains("Trained on"));
      QVERIFY(other->cells()->session().data()->table->column("classifier")->codes == codes);
    };
    check(good.left(good.size() / 2).toUtf8(),
          "classifier-prediction.json: not a valid stored prediction (not JSON)");
    // One cell more than the table: a valid file of another table.
    auto j = QJsonDocument::fromJson(good.toUtf8()).object();
    const int n = j["cells"].toInt();
    QCOMPARE(n, static_cast<int>(codes.size()));
    auto predicted = j["predicted"].toArray();
    auto confidence = j["confidence"].toArray();
    predicted.append(0);
    confidence.append(1.0);
    j["cells"] = n + 1;
    j["predicted"] = predicted;
    j["confidence"] = confidence;
    check(QJsonDocument(j).toJson(),
          QStringLiteral("it has %1 cells, the table %2").arg(n + 1).arg(n));
    // Its classes flipped: a valid file, but not the prediction of the labels (they changed).
    j = QJsonDocument::fromJson(good.toUtf8()).object();
    auto labels = j["labels"].toObject();
    auto classes = labels["classes"].toArray();
    const QJsonValue first = classes[0];
    classes[0] = classes[1];
    classes[1] = first;
    labels["classes"] = classes;
    j["labels"] = labels;
    check(QJsonDocument(j).toJson(), "the labels changed since it was made");
  }

  // Run Model again (its labels replace the table): the selections, rows of the old table, go
  // with it in the same undo step, and its undo brings them back onto the old table's cells.
  void runModelClearsTheSelections() {
    auto* classifier = w_->modelActions()->classifier();
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 60000);
    w_->model().setSelection("picked", {1, 2, 3});
    w_->model().setCurrentSelection({4, 5});
    auto& cs = w_->cells()->session();
    QCOMPARE(cs.namedSelections().count("picked"), 1u);
    QCOMPARE(cs.selection().size(), 2u);
    QVERIFY(runNuclei());
    QCOMPARE(undoText(), QStringLiteral("Undo Run Model"));
    QVERIFY(w_->model().session().selections.empty());
    QVERIFY(w_->model().session().selection.empty());
    QVERIFY(w_->model().session().classifier.empty());
    QVERIFY(cs.namedSelections().empty());
    QVERIFY(cs.selection().empty());
    QSignalSpy cells(w_.get(), &app::MainWindow::cellsLoaded);
    w_->undoAction()->trigger();
    QVERIFY(cells.count() > 0 || cells.wait(120000));
    QTest::qWait(100);
    QCOMPARE(w_->model().session().selections.at("picked"), (std::vector<std::uint32_t>{1, 2, 3}));
    QCOMPARE(w_->model().session().selection, (std::vector<std::uint32_t>{4, 5}));
    QVERIFY(!w_->model().session().classifier.empty());
    QTRY_COMPARE_WITH_TIMEOUT(cs.namedSelections().count("picked"), 1u, 10000);
    QCOMPARE(cs.namedSelections().at("picked"), (std::vector<std::uint32_t>{1, 2, 3}));
    QCOMPARE(cs.selection(), (std::vector<std::uint32_t>{4, 5}));
  }

  void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(ClassifierSessionTest)
#include "tst_classifier_session.moc"
