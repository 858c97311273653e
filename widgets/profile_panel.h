#pragma once
/// The Expression profile dock, painted by hand (QPainter; no Qt Charts). For each gene looked
/// at (the selected genes, up to four): a box per group (quartiles, whiskers at the 5th/95th
/// percentile, the mean as a dot, in the group's colour) and its mean in the selection against
/// the rest; below, the top genes of the hovered cell. GUI thread; plain values.
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
  QSize sizeHint() const override { return {320, 420}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  QString groupColumn_;
  std::vector<GeneProfile> profiles_;
  qint64 selected_ = 0;
  QString cellId_;
  std::vector<std::pair<QString, double>> top_;
};

}  // namespace tessera::widgets
