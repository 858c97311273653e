#pragma once
/// Wires one CellsSession to the views and panels of the main window: the cells overlay and
/// legend in the image view, the embedding scatter, the Channels overlay row, the Genes,
/// Expression profile, Clusters and Markers panels, box/lasso selection in both views, hover
/// and the Selection menu; for a Xenium folder, its transcripts (TranscriptsLayer) with the
/// Transcripts panel's gene filter and their own Channels overlay row. Owns the overlays (VTK
/// actors): destroy it before the views. GUI thread only.
#include <QObject>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <memory>

#include "app/cells/cells_session.h"

class QMenu;

namespace tessera::widgets {
class ImageView;
class EmbeddingView;
class ChannelPanel;
class GenesPanel;
class ProfilePanel;
class ClustersPanel;
class MarkersPanel;
}  // namespace tessera::widgets

namespace tessera::app {

class CellsOverlay;
class TranscriptsLayer;
class TranscriptsPanel;

struct LinkedWidgets {
  widgets::ImageView* image = nullptr;
  widgets::EmbeddingView* embedding = nullptr;
  widgets::ChannelPanel* channels = nullptr;
  widgets::GenesPanel* genes = nullptr;
  widgets::ProfilePanel* profile = nullptr;
  widgets::ClustersPanel* clusters = nullptr;
  widgets::MarkersPanel* markers = nullptr;
  TranscriptsPanel* transcripts = nullptr;  ///< optional: the Xenium transcripts gene filter
};

class CellsLinker : public QObject {
  Q_OBJECT
 public:
  CellsLinker(AppContext& ctx, LinkedWidgets w, QObject* parent = nullptr);
  ~CellsLinker() override;

  void open(const std::filesystem::path& cells, double imageWidth, double imageHeight,
            const std::string& shownElement = {},
            const std::optional<data::Affine2D>& placement = std::nullopt);
  void clear();
  CellsSession& session() { return *session_; }
  CellsOverlay* imageOverlay() const { return imageOverlay_.get(); }
  CellsOverlay* embeddingOverlay() const { return embeddingOverlay_.get(); }
  TranscriptsLayer* transcripts() const { return transcripts_.get(); }
  /// Adds the selection tools and actions to `menu`.
  void populateMenu(QMenu* menu);
  const LinkedWidgets& widgets() const { return w_; }
  /// The cells overlay's row in the Channels panel, -1 when there is none.
  int overlayRow() const { return overlayRow_; }
  /// The genes the Expression profile shows (up to four).
  const QStringList& profileGenes() const { return profileGenes_; }
  void showProfileGenes(const QStringList& genes);

 signals:
  /// Hover text for the status bar ("" when over no cell).
  void hoverText(const QString& text);
  void message(const QString& text);
  /// The Expression profile shows other genes (the Genes panel's selection, showProfileGenes).
  void profileGenesChanged();

 private:
  void onLoaded();
  void showEmbedding();
  void onEmbeddingChanged();
  void onColoring();
  void onHidden();
  void onSelection();
  void onMarkers();
  /// Fills the Genes panel (names now; means and fractions once the engine has them).
  void showGenes();
  void refreshClusters();
  void refreshProfile();
  void hoverAt(double x, double y, double radius, bool embedding);
  void renderBoth();
  void connectTranscripts();
  void onTranscriptsLoaded();

  AppContext& ctx_;
  LinkedWidgets w_;
  std::unique_ptr<CellsSession> session_;
  std::unique_ptr<CellsOverlay> imageOverlay_, embeddingOverlay_;
  std::unique_ptr<TranscriptsLayer> transcripts_;
  int transcriptsRow_ = -1;
  QStringList profileGenes_;          ///< genes the profile shows (the selected ones, up to four)
  std::uint64_t profileRequest_ = 0;  ///< the latest profile's gene request
  std::shared_ptr<const CellsData> shown_;  ///< what the overlays hold
  int overlayRow_ = -1;
};

}  // namespace tessera::app
