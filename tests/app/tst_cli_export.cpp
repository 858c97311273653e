#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

// `tessera export` driven through the real executable (TESSERA_EXE): exported values against
// zarr-python and tifffile, and the exit codes of bad requests.
namespace {
struct Run {
  int code = -1;
  QByteArray out, err;
};

Run run(const QString& program, const QStringList& args, int timeoutMs = 600000) {
  QProcess p;
  p.start(program, args);
  Run r;
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    return r;
  }
  r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

Run tessera(const QStringList& args) {
  return run(qEnvironmentVariable("TESSERA_EXE"), args);
}
Run python(const QString& code, const QStringList& args = {}) {
  return run(QStringLiteral(TESSERA_PYTHON), QStringList{"-c", code} + args);
}
Run script(const char* name, const QStringList& args) {
  return run(
      QStringLiteral(TESSERA_PYTHON),
      QStringList{QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/export/") + name} + args);
}

}  // namespace

class CliExportTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString image_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    image_ = dir_.filePath("img.ome.zarr");
    const auto r = script("cli_make_image.py", {image_});
    QVERIFY2(r.code == 0, r.err.constData());
  }

  void exportsRawValuesOfALevelRegionInChannelOrder() {
    const QString out = dir_.filePath("crop.ome.tif");
    const auto r = tessera({"export", image_, "--region", "37,101,421,300", "--level", "1",
                            "--channels", "2,0", "--out", out});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.err.contains("421x300, 2 channels, uint16, level 1"));
    const auto c = script("cli_compare.py", {image_ + "/1", out, "37", "101", "421", "300", "2,0"});
    QVERIFY2(c.code == 0, c.err.constData());
    QCOMPARE(c.out.trimmed(), QByteArray("OK 1 \xc2\xb5m KRT,DAPI"));
  }

  void exportsFullResolutionByDefault() {
    const QString out = dir_.filePath("full.ome.tif");
    const auto r = tessera(
        {"export", image_, "--region", "0,0,1300,900", "--out", out, "--compression", "none"});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto c = script("cli_compare.py", {image_ + "/0", out, "0", "0", "1300", "900", "0,1,2"});
    QVERIFY2(c.code == 0, c.err.constData());
    QCOMPARE(c.out.trimmed(), QByteArray("OK 0.5 \xc2\xb5m DAPI,CD8,KRT"));
  }

  void exportsTheDemo() {
    const QString out = dir_.filePath("demo.ome.tif");
    const auto r = tessera(
        {"export", "demo", "--region", "4000,4000,700,500", "--channels", "1", "--out", out});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto c = python(
        "import sys, tifffile; a = tifffile.imread(sys.argv[1]); print(a.shape, a.dtype, a.max() > "
        "0)",
        {out});
    QVERIFY2(c.code == 0, c.err.constData());
    QCOMPARE(c.out.trimmed(), QByteArray("(500, 700) uint16 True"));
  }

  void badRequestsExitWithTwoAndOneLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("needle");
    const QString out = "/tmp/tessera-never-written.ome.tif";
    QTest::newRow("missing input")
        << QStringList{"export", "/no/such.zarr", "--region", "0,0,1,1", "--out", out}
        << "no such file";
    QTest::newRow("region outside")
        << QStringList{"export", "IMG", "--region", "1000,0,400,10", "--out", out}
        << "lies outside level 0 (1300x900)";
    QTest::newRow("region syntax")
        << QStringList{"export", "IMG", "--region", "1,2,3", "--out", out} << "--region expects";
    QTest::newRow("bad channel") << QStringList{"export",     "IMG", "--region", "0,0,10,10",
                                                "--channels", "0,3", "--out",    out}
                                 << "channel 3 does not exist";
    QTest::newRow("bad level") << QStringList{"export",  "IMG", "--region", "0,0,10,10",
                                              "--level", "2",   "--out",    out}
                               << "level 2 does not exist";
    QTest::newRow("bad t") << QStringList{"export", "IMG", "--region", "0,0,10,10",
                                          "--t",    "1",   "--out",    out}
                           << "t 1 outside";
    QTest::newRow("unwritable") << QStringList{"export",    "IMG",   "--region",
                                               "0,0,10,10", "--out", "/no/such/dir/x.ome.tif"}
                                << "cannot write";
    QTest::newRow("no out") << QStringList{"export", "IMG", "--region", "0,0,10,10"}
                            << "--out FILE.ome.tif is required";
    QTest::newRow("no region") << QStringList{"export", "IMG", "--out", out}
                               << "--region x,y,w,h is required";
  }

  void badRequestsExitWithTwoAndOneLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, needle);
    args.replaceInStrings(QRegularExpression("^IMG$"), image_);
    const auto r = tessera(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(needle.toUtf8()), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(!QFile::exists("/tmp/tessera-never-written.ome.tif"));
  }
};

QTEST_MAIN(CliExportTest)
#include "tst_cli_export.moc"
