#pragma once
/// The linked-views state of one cell table: the loaded CellsData, what the cells are coloured
/// by, hidden categories, the current selection and named selections, markers of the
/// selection and the hovered cell. Panels and views listen to its signals and call its slots;
/// it never touches widgets.
/// Threads: lives on the GUI thread. Loading runs on AppContext::hdf5Pool (HDF5); genes, means
/// and markers come from the table's ExpressionEngine (data/expression) asynchronously, with a
/// stop token; results come back through queued calls guarded by QPointer. Opening a table
/// starts its gene index in the background (progress as `indexProgress`).
/// Errors come out as `message` signals naming the file, gene or column.
#include <QObject>
#include <QString>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stop_token>
#include <vector>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_data.h"
#include "widgets/selection_index.h"

namespace tessera::app {

struct AppContext;

class CellsSession : public QObject {
  Q_OBJECT
 public:
  CellsSession(AppContext& ctx, QObject* parent = nullptr);
  ~CellsSession() override;

  /// Loads the table in the background; `loaded` or `failed` follows. Image size (level-0
  /// pixels, 0 = none) is used to report cells outside the image.
  /// `shownElement`: see loadCellsData.
  void open(const std::filesystem::path& path, double imageWidth = 0, double imageHeight = 0,
            const std::string& shownElement = {},
            const std::optional<data::Affine2D>& placement = std::nullopt);
  /// Takes already loaded data (tests, the CLI).
  void setData(std::shared_ptr<const CellsData> data);
  std::shared_ptr<const CellsData> data() const { return data_; }
  /// The same table showing another embedding (withBasis): colouring, selection, hidden
  /// categories and named selections stay; `embeddingChanged` follows. Ignored for another
  /// table.
  void setBasis(std::shared_ptr<const CellsData> data);
  /// True when `d` shows the table shown now (under any basis): values fetched for it still
  /// apply after a basis switch (a gene colouring in flight is kept).
  bool showsTable(const CellsData& d) const { return data_ && data_->table == d.table; }

  const ColorBy& colorBy() const { return colorBy_; }
  const ResolvedColoring& coloring() const { return resolved_; }
  /// Colour by a gene / an obs column; false (and `message`) when it is not found. A gene's
  /// values are fetched from the engine: `colorByRequested` says at once what the cells are
  /// now coloured by, and `coloringChanged` follows when the values arrive (values for a
  /// colouring no longer current are dropped).
  bool colorByGene(const QString& gene);
  bool colorByColumn(const QString& column);
  /// Back to the table's default colouring (its default group column, else one colour).
  void colorByDefault();
  void setLut(render::Lut lut);
  void setRange(std::optional<std::pair<double, double>> range);
  /// The categorical column the Clusters panel shows (toggles hide its categories).
  const data::CellColumn* groups() const { return groups_; }
  void setGroups(const QString& column);
  void setCategoryHidden(int category, bool hidden);
  void setCategoryColor(int category, std::uint32_t rgb);
  /// User-chosen category colours, per categorical column (index → 0xRRGGBB).
  const std::map<std::string, std::map<int, std::uint32_t>>& categoryColors() const {
    return customColors_;
  }
  void setCategoryColors(std::map<std::string, std::map<int, std::uint32_t>> colors);
  const std::set<int>& hiddenCategories() const { return hidden_; }
  const std::vector<std::uint8_t>& hiddenMask() const { return hiddenMask_; }

  const std::vector<std::uint32_t>& selection() const { return selection_; }
  /// Combines a pick with the selection (Shift adds, Alt subtracts).
  void applyPick(const std::vector<std::uint32_t>& picked, widgets::SelectOp op);
  /// Picks the visible cells inside a polygon in image (spatial) or embedding coordinates.
  void selectPolygon(const std::vector<widgets::Vec2>& polygon, widgets::SelectOp op,
                     bool embedding);
  void clearSelection();
  std::vector<std::uint8_t> selectionMask() const;

  /// Named selections (kept for the session, saved to the sidecar on request).
  void nameSelection(const QString& name);
  const std::map<QString, std::vector<std::uint32_t>>& namedSelections() const { return named_; }
  /// Replaces every named selection (undo, a session file); `namedSelectionsChanged` follows.
  void setNamedSelections(std::map<QString, std::vector<std::uint32_t>> named);
  void recallSelection(const QString& name);
  /// Writes every named selection as one categorical column into `<table>.tessera.json`
  /// next to the table (never into the table); returns the sidecar path or an error.
  data::Expected<std::filesystem::path> saveSidecar() const;
  /// Writes the cell ids of the selection: a JSON list for a .json path (`tessera markers
  /// INPUT --group @ids.json`), else one per line (`tessera export-cells --cells @ids.txt`).
  data::Expected<void> exportSelectionIds(const std::filesystem::path& out) const;

  /// Markers of the selection against the rest, every gene best first (running / last result).
  const std::vector<data::MarkerGene>& markers() const { return markers_; }
  bool markersRunning() const { return markersStop_ != nullptr; }
  void cancelMarkers();
  /// Mean and fraction expressing per gene once the engine has them (empty until then).
  const std::vector<data::GeneStat>& geneStats() const { return geneStats_; }
  /// The gene index's state ("indexing 42 %").
  const data::IndexStatus& indexStatus() const { return indexStatus_; }
  /// Values of `genes` (one vector per gene, in order); `ready` runs on the GUI thread when all
  /// arrived, and not at all when the table changed meanwhile or a read failed (`message`, and
  /// `failed` with the reason when given; also when the table has no genes to read).
  void fetchGenes(const std::vector<std::int64_t>& genes,
                  std::function<void(std::vector<std::vector<float>>)> ready,
                  std::function<void(const QString&)> failed = {});
  /// The hovered cell's top genes; `ready` runs on the GUI thread (skipped when it failed).
  void fetchCellTopGenes(std::int64_t cell,
                         std::function<void(std::vector<std::pair<std::int64_t, float>>)> ready);

  /// The cell nearest a point (image pixels or embedding units) within `radius`, or -1.
  std::int64_t cellAt(double x, double y, double radius, bool embedding) const;
  void setHovered(std::int64_t cell);
  std::int64_t hovered() const { return hovered_; }
  /// "cell_00042 · T cell · CD3E 2.31" for the status bar.
  QString describeCell(std::int64_t cell) const;

 signals:
  void loaded();
  void failed(const QString& message);
  void message(const QString& text);
  void coloringChanged();
  void colorByRequested();
  void hiddenChanged();
  void groupsChanged();
  void selectionChanged();
  void namedSelectionsChanged();
  void markersStarted();
  void markersProgress(double fraction);
  void markersReady();
  void geneStatsReady();
  void indexProgress(const data::IndexStatus& status);
  void hoveredChanged(std::int64_t cell);
  void embeddingChanged();

 private:
  void recolor();
  void startMarkers();

  AppContext& ctx_;
  std::shared_ptr<const CellsData> data_;
  ColorBy colorBy_;
  ResolvedColoring resolved_;
  const data::CellColumn* groups_ = nullptr;
  std::set<int> hidden_;
  std::map<std::string, std::map<int, std::uint32_t>> customColors_;  ///< per column
  std::vector<std::uint8_t> hiddenMask_;
  std::vector<std::uint32_t> selection_;
  std::map<QString, std::vector<std::uint32_t>> named_;
  std::vector<data::MarkerGene> markers_;
  std::shared_ptr<std::stop_source> markersStop_;
  /// Values of colorBy_'s gene, arrived and not yet moved into resolved_.
  std::vector<float> geneValues_;
  bool geneInColoring_ = false;  ///< resolved_'s scalars are colorBy_'s gene
  std::shared_ptr<std::stop_source> geneStop_;
  std::vector<data::GeneStat> geneStats_;
  data::IndexStatus indexStatus_;
  std::shared_ptr<std::atomic<bool>> loadCancel_;
  std::int64_t hovered_ = -1;
};

}  // namespace tessera::app
