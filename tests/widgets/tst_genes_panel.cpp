// The Genes panel on 30k names: filtering as you type, the no-match message, click and Enter
// activating a gene (by symbol or Ensembl id), multi-select, sorting by mean.
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

#include "widgets/genes_panel.h"

using namespace tessera;

class GenesPanelTest : public QObject {
  Q_OBJECT
 private slots:
  void init() {
    panel_ = std::make_unique<widgets::GenesPanel>();
    QStringList names, ids;
    std::vector<double> means, fractions;
    for (int i = 0; i < 30000; ++i) {
      names << QStringLiteral("GENE%1").arg(i, 5, 10, QChar('0'));
      ids << QStringLiteral("ENSG%1").arg(i, 11, 10, QChar('0'));
      means.push_back(i % 100);
      fractions.push_back((i % 10) / 10.0);
    }
    names[123] = "CD3E";
    names[124] = "CD19";
    names[125] = "MS4A1";
    panel_->setGenes(names, means, fractions, ids);
    panel_->resize(320, 500);
    panel_->show();
    QVERIFY(QTest::qWaitForWindowExposed(panel_.get()));
  }

  void typingFiltersTheListQuickly() {
    QCOMPARE(panel_->visibleCount(), 30000);
    QElapsedTimer t;
    t.start();
    QTest::keyClicks(panel_->searchBox(), "GENE0012");
    QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(panel_->visibleCount(), 7);  // GENE00120..GENE00129 but 123-125, renamed above
    for (int r = 0; r < panel_->visibleCount(); ++r)
      QVERIFY(panel_->visibleGene(r).startsWith("GENE0012"));
    panel_->searchBox()->clear();
    QTest::keyClicks(panel_->searchBox(), "cd");
    QCOMPARE(panel_->visibleCount(), 2);
  }

  void aSearchMatchingNothingSaysSo() {
    QTest::keyClicks(panel_->searchBox(), "XYZZY");
    QCOMPARE(panel_->visibleCount(), 0);
    QVERIFY2(panel_->statusText().contains("No gene matches"), qPrintable(panel_->statusText()));
    QVERIFY(panel_->statusText().contains("XYZZY"));
    panel_->searchBox()->clear();
    QVERIFY(panel_->statusText().contains("30000"));
  }

  void clickingAGeneActivatesIt() {
    QSignalSpy activated(panel_.get(), &widgets::GenesPanel::geneActivated);
    QTest::keyClicks(panel_->searchBox(), "MS4A");
    QCOMPARE(panel_->visibleCount(), 1);
    const QRect r = panel_->table()->visualRect(panel_->table()->model()->index(0, 0));
    QTest::mouseClick(panel_->table()->viewport(), Qt::LeftButton, {}, r.center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toString(), QStringLiteral("MS4A1"));
  }

  void enterOnAnExactNameActivatesIt() {
    QSignalSpy activated(panel_.get(), &widgets::GenesPanel::geneActivated);
    QTest::keyClicks(panel_->searchBox(), "cd3e");
    QTest::keyClick(panel_->searchBox(), Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toString(), QStringLiteral("CD3E"));
  }

  void anEnsemblIdFindsItsSymbol() {
    QSignalSpy activated(panel_.get(), &widgets::GenesPanel::geneActivated);
    QTest::keyClicks(panel_->searchBox(), "ensg00000000125");
    QCOMPARE(panel_->visibleCount(), 1);
    QCOMPARE(panel_->visibleGene(0), QStringLiteral("MS4A1"));
    QTest::keyClick(panel_->searchBox(), Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toString(), QStringLiteral("MS4A1"));
  }

  void multiSelectReportsEveryGene() {
    QSignalSpy changed(panel_.get(), &widgets::GenesPanel::selectionChanged);
    QTest::keyClicks(panel_->searchBox(), "CD");
    auto* view = panel_->table();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->visualRect(view->model()->index(0, 0)).center());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier,
                      view->visualRect(view->model()->index(1, 0)).center());
    const QStringList sel = panel_->selectedGenes();
    QCOMPARE(sel.size(), 2);
    QVERIFY(sel.contains("CD3E") && sel.contains("CD19"));
    QVERIFY(changed.count() >= 2);
  }

  void sortsByMeanDescendingFirst() {
    // Means cycle 0..99; the top row has the highest.
    QCOMPARE(panel_->table()->model()->index(0, 1).data().toString(), QStringLiteral("99"));
  }

 private:
  std::unique_ptr<widgets::GenesPanel> panel_;
};

QTEST_MAIN(GenesPanelTest)
#include "tst_genes_panel.moc"
