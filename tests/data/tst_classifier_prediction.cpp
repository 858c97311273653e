// The Cell Classifier's prediction stored beside a session: what is written reads back equal
// (a saved classifier's file relative to the session), and a damaged file or one made from other
// labels, another table version or another cell count is refused with the reason.
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "data/session/classifier_prediction.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "classifier_prediction";

StoredPrediction sample() {
  StoredPrediction p;
  p.labels = {"cells", {{"A", {0, 3}}, {"B", {1}}}, {"area", "CD3"}};
  p.source = "/d/cells.h5ad|1234|99";
  p.classNames = {"A", "B"};
  p.classes = {0, 1, 1, 0, 1};
  p.confidence = {0.9f, 0.61f, 1.0f, 0.5f, 0.77f};
  p.confusionClasses = {"A", "B"};
  p.confusion = {{2, 0}, {1, 0}};
  return p;
}

void writeText(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

class TestClassifierPrediction : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    fs::create_directories(kWork);
  }

  void roundTrip() {
    auto p = sample();
    const fs::path file = storedPredictionFile(kWork / "s.tessera-data");
    QCOMPARE(file.filename().string(), std::string("classifier-prediction.json"));
    QVERIFY(writeStoredPrediction(p, file, kWork).has_value());  // creates the folder
    auto back = readStoredPrediction(file, kWork);
    QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
    QVERIFY(*back == p);
    QVERIFY(checkStoredPrediction(*back, p.labels, p.source, 5).has_value());
    // A loaded classifier's file is stored relative to the session and read back absolute.
    p.labels = {"cells", {}, {"area"}, (kWork / "models" / "c.yaml").string()};
    QVERIFY(writeStoredPrediction(p, file, kWork).has_value());
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    QVERIFY(text.find("\"file\":\"models/c.yaml\"") != std::string::npos);
    back = readStoredPrediction(file, kWork);
    QVERIFY(back.has_value());
    QCOMPARE(back->labels.file, p.labels.file);
  }

  // Made from other labels, for another table version or another cell count: stale.
  void staleIsRefused() {
    const auto p = sample();
    auto other = p.labels;
    other.classes[1].second.push_back(4);
    auto why = checkStoredPrediction(p, other, p.source, 5);
    QVERIFY(!why);
    QCOMPARE(why.error().message, std::string("the labels changed since it was made"));
    why = checkStoredPrediction(p, p.labels, p.source, 6);
    QVERIFY(!why);
    QCOMPARE(why.error().message, std::string("it has 5 cells, the table 6"));
    why = checkStoredPrediction(p, p.labels, "/d/cells.h5ad|1234|100", 5);
    QVERIFY(!why);
    QVERIFY(why.error().message.find("another version") != std::string::npos);
  }

  void damagedIsRefused_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("why");
    QTest::newRow("not json") << "{\"tessera\": \"classifier-pre"
                              << "not JSON";
    QTest::newRow("other kind") << R"({"tessera": "session", "version": 1})"
                                << "not a classifier prediction";
    const QString head =
        R"({"tessera": "classifier-prediction", "version": 1, "labels": {"table": "cells"},
            "source": "s", "cells": 2, "classes": ["A", "B"], )";
    QTest::newRow("short") << head + R"("predicted": [0], "confidence": [0.5]})"
                           << "predicted classes for 2 cells expected";
    QTest::newRow("class out of range") << head + R"("predicted": [0, 2], "confidence": [1, 1]})"
                                        << "cell 1 has no class of the list";
    QTest::newRow("confidence") << head + R"("predicted": [0, 1], "confidence": [1, 1.5]})"
                                << "cell 1 has no confidence in [0, 1]";
    QTest::newRow("confusion")
        << head + R"("predicted": [0, 1], "confidence": [1, 1], "confusion": {"classes": ["A"],
                     "counts": [[1, 2]]}})"
        << "confusion";
  }
  void damagedIsRefused() {
    QFETCH(QString, text);
    QFETCH(QString, why);
    const fs::path file = kWork / "damaged.json";
    writeText(file, text.toStdString());
    auto p = readStoredPrediction(file, kWork);
    QVERIFY(!p);
    QCOMPARE(p.error().code, Errc::Corrupt);
    QVERIFY2(p.error().message.find("damaged.json: not a valid stored prediction (" +
                                    why.toStdString() + ")") != std::string::npos,
             p.error().message.c_str());
  }

  void missingIsNotFound() {
    auto p = readStoredPrediction(kWork / "none.json", kWork);
    QVERIFY(!p);
    QCOMPARE(p.error().code, Errc::NotFound);
  }
};

QTEST_APPLESS_MAIN(TestClassifierPrediction)
#include "tst_classifier_prediction.moc"
