// BioImage Model Zoo packages (data/ai/rdf_model): hand-written rdf.yaml files of format 0.4
// and 0.5 (tests/fixtures/ai) around a generated model, with test tensors computed by numpy.
#include <QtTest>

#include <filesystem>

#include "../support/run_process.h"
#include "data/ai/model_open.h"
#include "data/ai/prediction_output.h"
#include "data/ai/rdf_model.h"

namespace fs = std::filesystem;
using namespace tessera;
using namespace tessera::data::ai;

class TestAiRdf : public QObject {
  Q_OBJECT
  fs::path dir_;

 private slots:
  void initTestCase() {
    dir_ = fs::path(TESSERA_TEST_WORK_DIR) / "ai_rdf";
    fs::remove_all(dir_);
    const auto r =
        test::runProgram(TESSERA_PYTHON, {TESSERA_SOURCE_DIR "/tests/data/make_ai_models.py",
                                          QString::fromStdString(dir_.string()),
                                          TESSERA_SOURCE_DIR "/tests/fixtures/ai"});
    QVERIFY2(r.code == 0, r.err.constData());
  }

  void format04ReadsAxesProcessingAndHalo() {
    auto m = openModel(dir_ / "rdf04" / "rdf.yaml");
    QVERIFY2(m.has_value(), m ? "" : m.error().message.c_str());
    QVERIFY(m->rdf);
    const auto& s = *m->spec;
    QCOMPARE(m->rdf->formatVersion, std::string("0.4.10"));
    QCOMPARE(s.input.axes, std::string("bcyx"));
    QCOMPARE(s.input.channels, 1);
    QCOMPARE(s.input.minSize[0], 16);
    QCOMPARE(s.input.step[1], 1);
    QCOMPARE(s.input.processing.size(), std::size_t(2));
    QCOMPARE(s.input.processing[0].maxPercentile, 99.8);
    QVERIFY(s.input.processing[0].perChannel);
    QCOMPARE(s.input.processing[1].kind, ProcessingStep::Kind::Clip);
    QCOMPARE(s.outputs.size(), std::size_t(1));
    QCOMPARE(s.outputs[0].channels, 2);  // learnt from the network
    QCOMPARE(s.outputs[0].processing[0].gain, std::vector<double>{2.0});
    QCOMPARE(s.halo, 5);
  }

  void format04CheckPasses() {
    auto m = openModel(dir_ / "rdf04");
    QVERIFY2(m.has_value(), m ? "" : m.error().message.c_str());
    auto c = checkRdfModel(*m->rdf);
    QVERIFY2(c.has_value(), c ? "" : c.error().message.c_str());
    QVERIFY2(c->passed(), std::to_string(c->maxAbsError).c_str());
  }

  void format05ZipCheckPasses() {
    auto m = openModel(dir_ / "rdf05.zip");
    QVERIFY2(m.has_value(), m ? "" : m.error().message.c_str());
    QCOMPARE(m->spec->input.channelNames, std::vector<std::string>{"nuclei"});
    QCOMPARE(outputChannelNames(*m->spec), (std::vector<std::string>{"foreground", "boundary"}));
    QCOMPARE(m->spec->input.processing[0].kind, ProcessingStep::Kind::ZeroMeanUnitVariance);
    QVERIFY(m->spec->input.processing[0].perChannel);  // axes y, x: per channel
    auto c = checkRdfModel(*m->rdf);
    QVERIFY2(c.has_value(), c ? "" : c.error().message.c_str());
    QVERIFY2(c->passed(), std::to_string(c->maxAbsError).c_str());
    QVERIFY(c->maxAbsError < 1e-5);
  }

  void wrongTestOutputFailsTheCheck() {
    // The 0.5 package's tensors checked against the 0.4 description's processing must fail.
    const fs::path mixed = dir_ / "mixed";
    fs::create_directories(mixed);
    fs::copy(dir_ / "rdf04", mixed, fs::copy_options::recursive);
    fs::copy_file(dir_ / "rdf05" / "test_output.npy", mixed / "test_output.npy",
                  fs::copy_options::overwrite_existing);
    auto m = openModel(mixed);
    QVERIFY2(m.has_value(), m ? "" : m.error().message.c_str());
    auto c = checkRdfModel(*m->rdf);
    QVERIFY(c.has_value());
    QVERIFY(!c->passed());
  }

  void weightsWithoutOnnxListTheFormats() {
    auto m = openModel(dir_ / "rdf_torch");
    QVERIFY(!m);
    QCOMPARE(m.error().code, data::Errc::Unsupported);
    QVERIFY2(m.error().message.find("pytorch_state_dict, torchscript") != std::string::npos,
             m.error().message.c_str());
  }

  void pathsOutsideThePackageAreRefused() {
    auto p = ModelPackage::open(dir_ / "rdf04");
    QVERIFY(p.has_value());
    QVERIFY(!(*p)->read("../rdf05/weights.onnx"));
    QVERIFY(!(*p)->read("/etc/passwd"));
    auto url = (*p)->read("https://example.org/weights.onnx");
    QVERIFY(!url && url.error().message.find("URL") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestAiRdf)
#include "tst_ai_rdf.moc"
