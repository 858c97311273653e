#pragma once
/// The Expression profile dock, painted by hand (QPainter; no Qt Charts): for the gene being
/// looked at, a bar of its mean in each group (in the group's colour), its mean in the
/// selection against the rest, and the top genes of the hovered cell. GUI thread; plain values.
#include <QString>
#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace tessera::widgets {

class ProfilePanel : public QWidget {
  Q_OBJECT
 public:
  explicit ProfilePanel(QWidget* parent = nullptr);
  struct Bar {
    QString label;
    double value = 0;
    std::uint32_t rgb = 0x808080;
  };
  /// Means of `gene` per group ("" clears).
  void setGroupMeans(const QString& gene, const QString& groupColumn, const std::vector<Bar>& bars);
  /// Selection vs rest means of the gene; nullopt = no selection.
  void setSelectionMeans(std::optional<std::pair<double, double>> inOut, qint64 selected);
  /// Top genes of the hovered cell (empty cell id clears).
  void setHoveredCell(const QString& cellId, const std::vector<std::pair<QString, double>>& top);
  const std::vector<Bar>& groupBars() const { return bars_; }
  QSize sizeHint() const override { return {320, 360}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  QString gene_, groupColumn_;
  std::vector<Bar> bars_;
  std::optional<std::pair<double, double>> inOut_;
  qint64 selected_ = 0;
  QString cellId_;
  std::vector<std::pair<QString, double>> top_;
};

}  // namespace tessera::widgets
