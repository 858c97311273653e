#pragma once
/// The main window: the image view in the centre, docks for channels, genes, expression
/// profile, embedding, clusters, markers and downloads (cells linked through CellsLinker),
/// File/View/Help menus and a status bar with the cursor's physical position, channel values and
/// the pyramid level. Datasets open on the job pool; results come back through queued calls. GUI
/// thread only.
#include <QMainWindow>
#include <QStringList>
#include <atomic>
#include <memory>

#include "app/dataset_loader.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressDialog;
class QTimer;

namespace tessera::data {
class HttpClient;
}

namespace tessera::widgets {
class ImageView;
class ChannelPanel;
class GenesPanel;
class ProfilePanel;
class EmbeddingView;
class ClustersPanel;
class MarkersPanel;
class DownloadsPanel;
class ArchiveBrowser;
class ImagePicker;
}  // namespace tessera::widgets

namespace tessera::app {

struct AppContext;
class CellsLinker;
class CellsLabels;
class TranscriptsPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(AppContext& ctx, QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens the inputs (paths, URLs or "demo") in the background as one dataset: the first
  /// image is shown and the first cell table is linked to it. Errors show in one dialog.
  /// `select` picks the image of the first input when it holds several (series, plate field).
  void openInputs(const QStringList& inputs, const data::ImageSelection& select = {});
  widgets::ImageView* imageView() const { return view_; }
  widgets::ChannelPanel* channelPanel() const { return channels_; }
  widgets::GenesPanel* genesPanel() const { return genes_; }
  widgets::ProfilePanel* profilePanel() const { return profile_; }
  widgets::EmbeddingView* embeddingView() const { return embedding_; }
  widgets::ClustersPanel* clustersPanel() const { return clusters_; }
  widgets::MarkersPanel* markersPanel() const { return markers_; }
  /// The Images dock's picker, shown when the image comes from a container with several.
  widgets::ImagePicker* imagePicker() const { return picker_; }
  /// The linked cell views (session, overlays); never null.
  CellsLinker* cells() const { return cells_.get(); }
  CellsLabels* cellsLabels() const { return labels_.get(); }
  const OpenedDataset* current() const { return current_.get(); }
  QString statusText() const;

 signals:
  void datasetOpened(const QString& input);
  /// The linked cell table finished loading (or failed: `cellsFailed`).
  void cellsLoaded();
  void cellsFailed(const QString& message);
  void openFailed(const QString& message);

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  void buildMenus();
  void buildDocks();
  void wireRemote();
  void showDataset(std::shared_ptr<OpenedDataset> ds);
  void showError(const QString& message);
  void addRecent(const QString& input);
  void rebuildRecentMenu();
  void updateCursor(QPointF world, bool inside);
  void updateLevel(int level);
  void updateChannelStats();
  void chooseFile();
  void chooseFolder();
  void chooseUrl();
  void about();

  AppContext& ctx_;
  widgets::ImageView* view_ = nullptr;
  widgets::ChannelPanel* channels_ = nullptr;
  widgets::GenesPanel* genes_ = nullptr;
  widgets::ProfilePanel* profile_ = nullptr;
  widgets::EmbeddingView* embedding_ = nullptr;
  widgets::ClustersPanel* clusters_ = nullptr;
  TranscriptsPanel* transcripts_ = nullptr;
  widgets::MarkersPanel* markers_ = nullptr;
  widgets::DownloadsPanel* downloads_ = nullptr;
  widgets::ArchiveBrowser* archives_ = nullptr;
  widgets::ImagePicker* picker_ = nullptr;
  QDockWidget* pickerDock_ = nullptr;
  QStringList inputs_;  ///< what the current dataset was opened from, for re-opening a pick
  QLabel* downloadsLabel_ = nullptr;
  std::shared_ptr<data::HttpClient> http_;
  std::unique_ptr<CellsLinker> cells_;
  std::unique_ptr<CellsLabels> labels_;
  QLabel* hoverLabel_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QLabel* cursorLabel_ = nullptr;
  QLabel* levelLabel_ = nullptr;
  QProgressDialog* progress_ = nullptr;
  QTimer* statsTimer_ = nullptr;
  std::shared_ptr<std::atomic<bool>> cancelOpen_;
  std::shared_ptr<OpenedDataset> current_;
  QAction* interpretAxes_ = nullptr;  ///< View ▸ Interpret Axes…, for bare arrays and N5
};

}  // namespace tessera::app
