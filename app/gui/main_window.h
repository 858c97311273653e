#pragma once
/// The main window: the image view in the centre, docks for channels, genes, expression
/// profile, embedding, clusters, markers and downloads (cells linked through CellsLinker),
/// File/View/Help menus and a status bar with the cursor's physical position, channel values and
/// the pyramid level. Datasets open on the job pool; results come back through queued calls. GUI
/// thread only.
#include <QMainWindow>
#include <QStringList>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "app/core/dataset_loader.h"
#include "data/session/session_model.h"
#include "render/channel_display.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressDialog;
class QTimer;

namespace tessera::data {
class HttpClient;
}
namespace tessera::render {
class LabelLayer;
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
class LayerList;
class TablePicker;
}  // namespace tessera::widgets

namespace tessera::app {

struct AppContext;
struct OpenedSession;
struct CellsData;
class CellsLinker;
class CellsLabels;
class TranscriptsPanel;
class ModelActions;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(AppContext& ctx, QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens the inputs (paths, URLs or "demo") in the background as a new session: the first
  /// image is shown and the first cell table is linked to it. One `.tessera` input opens that
  /// session. Opening is a transaction: the previous session is replaced only when something
  /// opened; errors show in one dialog. `select` picks the image of the first input when it
  /// holds several (series, plate field). `reopen`: the model's own session (a dataset read
  /// differently, or the undo of that), opened instead of the inputs and shown keeping the
  /// model and its history.
  void openInputs(const QStringList& inputs, const data::ImageSelection& select = {},
                  std::optional<data::Session> reopen = {});
  /// View ▸ Interpret Axes… without its dialog: the shown image's dataset read with `axes` (one
  /// of t, c, z, y, x per stored dimension) as an undo step of the model, kept in the session's
  /// dataset entry (and in QSettings as that path's default); the image reopens with its
  /// channels at their defaults, and again as it was on Undo.
  void interpretAxes(const QString& axes);
  /// The Tables dock's choice: the cells layer shows table `name` of the shown SpatialData
  /// store, an undo step of the model (data::chooseTable: the old table's colouring,
  /// selections and classifier labels go), which reopens the store in the background with
  /// that table. Ignored when it is the table shown or not one of the store's.
  void chooseTable(const QString& name);
  /// File ▸ Add…: adds `input` to the session as a layer (an undo step) when it fits; says why
  /// not otherwise (`openFailed`), leaving the session as it was. An empty session opens it.
  void addInput(const QString& input);
  /// Shows `session` (the current document with layers added outside the panels, e.g. a
  /// model's outputs): its datasets, layers and pairings become one undo step of the model, and
  /// the image and table are reopened in the background as the model has them.
  void reopenWith(data::Session session);
  /// Analysis ▸ Run Model… and the cell classifier.
  ModelActions* modelActions() const { return modelActions_; }
  /// The cells take `layer`'s display once the table shown next has loaded, as from a session
  /// file (the classifier's columns restored: the colouring saved by them comes back).
  void applyCellsLayerOnLoad(const data::SessionLayer& layer) { pendingCells_ = layer; }
  /// Shows `data` (the shown table with more columns, e.g. a classifier's prediction) in place
  /// of the shown table: the swap is not an edit of the session (no undo step, no unsaved
  /// change); the cells take the model's state once it is in.
  void replaceCellsData(std::shared_ptr<const CellsData> data);
  /// Writes the session shown to `path` (a `.tessera` file); false (and a dialog) on failure.
  bool saveSessionTo(const QString& path);
  /// The session file shown, empty when the session was never saved.
  QString sessionFile() const { return sessionFile_; }
  /// The document the window shows; every panel edit goes through it.
  data::SessionModel& model() { return model_; }
  QAction* undoAction() const { return undo_; }
  QAction* redoAction() const { return redo_; }
  widgets::ImageView* imageView() const { return view_; }
  widgets::ChannelPanel* channelPanel() const { return channels_; }
  widgets::GenesPanel* genesPanel() const { return genes_; }
  widgets::ProfilePanel* profilePanel() const { return profile_; }
  widgets::EmbeddingView* embeddingView() const { return embedding_; }
  widgets::ClustersPanel* clustersPanel() const { return clusters_; }
  widgets::MarkersPanel* markersPanel() const { return markers_; }
  /// The Images dock's picker, shown when the image comes from a container with several.
  widgets::ImagePicker* imagePicker() const { return picker_; }
  /// The Tables dock's picker, shown when a SpatialData store has more than one table.
  widgets::TablePicker* tablePicker() const { return tables_; }
  /// The Layers dock: every layer of the session with visibility, opacity and remove.
  widgets::LayerList* layerList() const { return layers_; }
  /// The linked cell views (session, overlays); never null.
  CellsLinker* cells() const { return cells_.get(); }
  CellsLabels* cellsLabels() const { return labels_.get(); }
  const OpenedDataset* current() const { return current_.get(); }
  QString statusText() const;
  /// Help ▸ Keyboard Shortcuts: every menu shortcut and the image view's keys (HTML table).
  QString shortcutsText() const;

 signals:
  void datasetOpened(const QString& input);
  /// File ▸ Add… added a dataset to the session (its table may still be loading).
  void datasetAdded(const QString& input);
  /// The linked cell table finished loading (or failed: `cellsFailed`).
  void cellsLoaded();
  void cellsFailed(const QString& message);
  void openFailed(const QString& message);
  /// The session was written to `file` (absolute); what is kept beside it is written now.
  void sessionSaved(const QString& file);

 protected:
  void closeEvent(QCloseEvent* e) override;
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  void buildMenus();
  void buildDocks();
  void wireRemote();
  void showDataset(std::shared_ptr<OpenedDataset> ds);
  void adoptSession(OpenedSession opened, const QString& file, const QStringList& inputs);
  /// Shows the model's session reopened (openInputs' `reopen`): the channels the re-read image
  /// needs go into the model without an undo step.
  void adoptReopened(OpenedSession opened);
  /// Shows what opened with the image layer's channels as the model has them, noting the
  /// shown image's dataset and axes.
  void showOpened(OpenedDataset shown);
  /// The view shows `camera` (unless it is a fit, or there is no image).
  void centerViewOn(const data::SessionCamera& camera);
  void onModelChanged(const data::SessionEvent& e);
  /// Writes the channel displays the view uses into the model (edits are undoable; windows
  /// the view derived itself by auto-contrast are not).
  void channelsEdited(const std::vector<render::ChannelDisplay>& displays, bool byUser);
  /// Records what the cell panels show now as the cells layer's state (an undo step).
  void cellsEdited(const QString& label);
  void applyCellsLayer(const data::SessionLayer& layer);
  // main_window_selection.cpp: the cells' selections and colour-by requests through the model.
  void wireCellsModel();
  /// The current and named selections of the cell panels go into the model (undoable).
  void selectionEdited();
  void namedSelectionsEdited();
  /// The model's selections, onto the cell panels (an undo, a session file, a table loaded).
  void applySelections();
  // main_window_add.cpp: File ▸ Add…, a dataset added to the session as a layer (undoable).
  void chooseAdd();
  /// Visibility and opacity of a layer, from the model to what draws it.
  void applyLayerLook(const data::SessionLayer& layer);
  /// The view's label image of labels layer `id`: the one the cells colour or a further one.
  render::LabelLayer* labelsOf(const std::string& id) const;
  /// Layers removed or brought back (remove, undo): what draws them follows.
  void syncLayers();
  /// The drawing order follows the model's layer order (app/core/layer_order.h): after a
  /// move, an undo, or a session opened.
  void applyLayerOrder();
  void refreshLayerList();
  /// The view's camera into the model (not an undo step) / the model's camera onto the view.
  void cameraFromView();
  void cameraToView();
  void updateTitle();
  void saveSession();
  void saveSessionAs();
  void chooseSession();
  /// Asks about unsaved changes; false when the user cancels.
  bool confirmDiscard();
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
  void showShortcuts();
  // main_window_workspace.cpp: the first window's place, the main toolbar, docks closed until
  // used, the Layers dock's order buttons and the cells layer's controls.
  void setUpWorkspace();
  void placeWindow();
  void attachLayerDetails();

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
  widgets::LayerList* layers_ = nullptr;
  bool listEditing_ = false;  ///< an edit from the Layers dock is going into the model
  QDockWidget* pickerDock_ = nullptr;
  widgets::TablePicker* tables_ = nullptr;
  QDockWidget* tablesDock_ = nullptr;
  QStringList inputs_;  ///< what the current dataset was opened from, for re-opening a pick
  /// The shown image's dataset and how it was read (series, well, field, axes): the model
  /// reading it otherwise (Interpret Axes, the Images dock, their undo) reopens it.
  std::string shownDataset_;
  data::ImageSelection shownSelect_;
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
  data::SessionModel model_;
  data::SessionModel::Subscription modelSub_;
  QString sessionFile_;
  QAction* undo_ = nullptr;
  QAction* redo_ = nullptr;
  bool applying_ = false;
  bool cameraFromView_ = false;  ///< the view's camera is going into the model
  bool editing_ = false;         ///< an edit from the panels is going into the model
  bool cellsReady_ = false;  ///< the table has loaded and its panels are set up  ///< the panels
                             ///< are being set from the model: not user edits
  /// Tables added with File ▸ Add…, by dataset id: what a cells layer of theirs loads.
  struct AddedTable {
    std::filesystem::path cells;
    std::string frame;
  };
  std::map<std::string, AddedTable> added_;
  ModelActions* modelActions_ = nullptr;
  bool structureEdit_ = false;  ///< reopenWith is editing the model: it reopens by itself
  /// The cells layer a session file asked for, applied once its table has loaded.
  std::optional<data::SessionLayer> pendingCells_;
};

}  // namespace tessera::app
