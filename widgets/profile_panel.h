#pragma once
/// The Expression profile dock, painted by hand (QPainter; no Qt Charts). For each gene looked
/// at (the selected genes, up to four): a violin per group (the share of the group's cells in
/// each of the bins all groups share, on one scale for every group, so the highest share of any
/// group fills its row; height as the square root of the share; in the group's colour) with a box
/// inside (quartiles, whiskers at the 5th/95th percentile, the median as a line, the mean as a dot)
/// — a box alone when a group has no density; a bar of the group means; the mean in the selection
/// against the rest; below, the top genes of the hovered cell. Its minimum height follows the
/// content (put it in a QScrollArea). GUI thread; plain values.
#include <QRect>
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
  struct Box {
    QString label;
    std::uint32_t rgb = 0x808080;
    double mean = 0, p5 = 0, q1 = 0, median = 0, q3 = 0, p95 = 0;
    /// Counts (or densities) on equal bins over [densityLo, densityHi]; empty = box only.
    std::vector<double> density;
    double densityLo = 0, densityHi = 0;
  };
  struct GeneProfile {
    QString gene;
    std::vector<Box> groups;
    std::optional<std::pair<double, double>> inOut;  ///< selection vs rest means
  };
  /// Replaces the profiles (empty clears); `groupColumn` names the groups.
  void setProfiles(const QString& groupColumn, const std::vector<GeneProfile>& profiles,
                   qint64 selected);
  /// Top genes of the hovered cell (empty cell id clears).
  void setHoveredCell(const QString& cellId, const std::vector<std::pair<QString, double>>& top);
  const std::vector<GeneProfile>& profiles() const { return profiles_; }
  /// Where the last paint put the violin of `group` of profile `gene` (its row, the value axis
  /// mapped onto the row's width as [lo, hi]); an empty row when it was not drawn. For tests
  /// and tooltips.
  struct ViolinGeometry {
    QRect row;
    QRect label;  ///< where the group's name was painted (elided to its column)
    double lo = 0, hi = 1;
    int xFor(double v) const;
  };
  ViolinGeometry violinGeometry(int gene, int group) const;
  QSize sizeHint() const override { return {320, 420}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  /// A group's full name over its (elided) label.
  bool event(QEvent* e) override;

 private:
  QString groupColumn_;
  std::vector<GeneProfile> profiles_;
  qint64 selected_ = 0;
  QString cellId_;
  std::vector<std::pair<QString, double>> top_;
  std::vector<std::vector<ViolinGeometry>> geometry_;  ///< per profile, per group
};

}  // namespace tessera::widgets
