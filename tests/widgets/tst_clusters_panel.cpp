// The Clusters panel: one row per category with its count and colour, toggles that report
// which category to hide, and the column combo.
#include <QComboBox>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QtTest>

#include "widgets/clusters_panel.h"

using namespace tessera;

class ClustersPanelTest : public QObject {
  Q_OBJECT
 private slots:
  void rowsShowNamesCountsAndColours() {
    widgets::ClustersPanel p;
    p.setCategories({"T cell", "B cell", "Macrophage"}, {0xFF0000, 0x00FF00, 0x0000FF},
                    {10, 20, 30}, {false, true, false});
    QCOMPARE(p.categoryCount(), 3);
    QCOMPARE(p.tree()->topLevelItem(1)->text(0), QStringLiteral("B cell"));
    QCOMPARE(p.tree()->topLevelItem(2)->text(1), QStringLiteral("30"));
    QVERIFY(p.isShown(0));
    QVERIFY(!p.isShown(1));
    const QImage icon = p.tree()->topLevelItem(2)->icon(0).pixmap(14, 14).toImage();
    QCOMPARE(QColor(icon.pixel(7, 7)), QColor(0, 0, 255));
  }

  void togglingReportsTheCategory() {
    widgets::ClustersPanel p;
    p.setCategories({"a", "b"}, {0x112233, 0x445566}, {1, 2}, {});
    QSignalSpy toggled(&p, &widgets::ClustersPanel::visibilityToggled);
    p.setShown(1, false);
    QCOMPARE(toggled.count(), 1);
    QCOMPARE(toggled.first().at(0).toInt(), 1);
    QCOMPARE(toggled.first().at(1).toBool(), false);
    p.setShown(1, true);
    QCOMPARE(toggled.last().at(1).toBool(), true);
  }

  void refillingDoesNotEmitToggles() {
    widgets::ClustersPanel p;
    QSignalSpy toggled(&p, &widgets::ClustersPanel::visibilityToggled);
    p.setCategories({"a"}, {0}, {1}, {true});
    p.setCategories({"a", "b"}, {0, 1}, {1, 1}, {false, false});
    QCOMPARE(toggled.count(), 0);
  }

  void aSingleCategoryIsHandled() {
    widgets::ClustersPanel p;
    p.setCategories({"only"}, {0xABCDEF}, {5}, {false});
    QCOMPARE(p.categoryCount(), 1);
    QVERIFY(p.isShown(0));
  }

  void theColumnComboReportsChoices() {
    widgets::ClustersPanel p;
    p.setColumns({"cluster", "region"}, "cluster");
    QSignalSpy chosen(&p, &widgets::ClustersPanel::columnChosen);
    auto* combo = p.findChild<QComboBox*>();
    QVERIFY(combo);
    QCOMPARE(combo->currentText(), QStringLiteral("cluster"));
    emit combo->textActivated("region");
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.first().first().toString(), QStringLiteral("region"));
  }
};

QTEST_MAIN(ClustersPanelTest)
#include "tst_clusters_panel.moc"
