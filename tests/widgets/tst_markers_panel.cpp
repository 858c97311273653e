// The Markers panel: the table filled and sorted by score, sortable by other columns by value,
// click to activate a gene, CSV export of every row, and the empty-selection hint.
#include <QFile>
#include <QHeaderView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>

#include "widgets/markers_panel.h"

using namespace tessera;

namespace {
std::vector<widgets::MarkerEntry> rows() {
  return {{"CD3E", 12.5, 3.1, 1e-30, 1e-28},
          {"MS4A1", -4.0, -2.0, 1e-4, 2e-4},
          {"VIM", 2.0, 0.5, 0.04, 0.05},
          {"ACTB", 0.1, 0.01, 0.9, 0.95}};
}
}  // namespace

class MarkersPanelTest : public QObject {
  Q_OBJECT
 private slots:
  void emptySelectionSaysSelectCells() {
    widgets::MarkersPanel p;
    QCOMPARE(p.rowCount(), 0);
    QVERIFY2(p.statusText().contains("Select cells"), qPrintable(p.statusText()));
  }

  void fillsSortedByScoreAndResorts() {
    widgets::MarkersPanel p;
    p.setRows(rows(), 1234);
    QCOMPARE(p.rowCount(), 4);
    QCOMPARE(p.gene(0), QStringLiteral("CD3E"));
    QCOMPARE(p.gene(3), QStringLiteral("MS4A1"));
    QVERIFY(p.statusText().contains("1234"));
    // Sort by p ascending: numeric, not textual ("1e-30" < "0.9").
    p.table()->sortItems(3, Qt::AscendingOrder);
    QCOMPARE(p.gene(0), QStringLiteral("CD3E"));
    QCOMPARE(p.gene(3), QStringLiteral("ACTB"));
    p.table()->sortItems(2, Qt::AscendingOrder);
    QCOMPARE(p.gene(0), QStringLiteral("MS4A1"));
  }

  void clickingAGeneActivatesIt() {
    widgets::MarkersPanel p;
    p.resize(500, 300);
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    p.setRows(rows(), 10);
    QSignalSpy activated(&p, &widgets::MarkersPanel::geneActivated);
    const QRect r = p.table()->visualItemRect(p.table()->item(1, 0));
    QTest::mouseClick(p.table()->viewport(), Qt::LeftButton, {}, r.center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toString(), p.gene(1));
  }

  void exportsEveryRowAsCsv() {
    widgets::MarkersPanel p;
    p.setRows(rows(), 10);
    const QString path = QStringLiteral(TESSERA_TEST_WORK_DIR "/markers_panel.csv");
    QVERIFY(p.exportCsv(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString(f.readAll()).trimmed().split('\n');
    QCOMPARE(lines.size(), 5);
    QCOMPARE(lines[0], QStringLiteral("gene,score,log2fc,pvalue,padj"));
    QVERIFY(lines[1].startsWith("CD3E,12.5,3.1,1e-30"));
  }

  void runningShowsProgressAndCancels() {
    widgets::MarkersPanel p;
    p.show();
    QSignalSpy cancel(&p, &widgets::MarkersPanel::cancelRequested);
    p.setRunning(true, 0.5);
    QVERIFY(p.statusText().contains("Computing"));
    auto* button = p.findChild<QPushButton*>();
    QVERIFY(button);
    for (auto* b : p.findChildren<QPushButton*>())
      if (b->text() == "Cancel") b->click();
    QCOMPARE(cancel.count(), 1);
  }
};

QTEST_MAIN(MarkersPanelTest)
#include "tst_markers_panel.moc"
