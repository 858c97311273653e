#pragma once
/// The archive browser dock: the catalog's datasets (title, archive, licence, size), browsable
/// S3 buckets (ListObjectsV2, one folder level per expansion, all pages) and BioImage Archive
/// studies, plus "Open URL…". The user chooses to open a dataset streaming (lazily) or to
/// download it; the panel only emits what was chosen.
///
/// Threads: GUI thread only. Listings block on the HTTP client, so they run on the executor
/// given to setServices() and come back through queued calls guarded by QPointer.
#include <QPointer>
#include <QWidget>
#include <memory>

#include "data/executor.h"
#include "data/remote/archive_listing.h"
#include "data/remote/catalog.h"

class QTreeWidget;
class QTreeWidgetItem;
class QPushButton;
class QLabel;

namespace tessera::widgets {

class ArchiveBrowser : public QWidget {
  Q_OBJECT
 public:
  explicit ArchiveBrowser(QWidget* parent = nullptr);
  /// The client and the executor (AppContext::jobPool) used for listings. Both must outlive
  /// the panel's pending listings; without them, browse roots cannot expand.
  void setServices(std::shared_ptr<data::HttpClient> client, data::Executor* executor);
  void setCatalog(const data::Catalog& catalog);
  /// Parses catalog JSON (e.g. the :/catalog.json resource); shows the error in the panel.
  bool setCatalogJson(const QByteArray& json, const QString& name);

 signals:
  /// Open `url` lazily over HTTP (OME-Zarr, OME-TIFF) in the viewer.
  void openRequested(const QString& url);
  /// Download `url` (the receiver asks where, then uses the Downloads panel).
  void downloadRequested(const QString& url, const QString& sha256, const QString& title);

 public slots:
  /// Asks for a URL and emits openRequested or downloadRequested.
  void openUrlDialog();

 private:
  void expand(QTreeWidgetItem* item);
  void showListing(QTreeWidgetItem* item, const data::Expected<std::vector<data::ArchiveEntry>>& r);
  void updateButtons();

  QTreeWidget* tree_ = nullptr;
  QPushButton* open_ = nullptr;
  QPushButton* download_ = nullptr;
  QLabel* status_ = nullptr;
  std::shared_ptr<data::HttpClient> client_;
  data::Executor* executor_ = nullptr;
  data::Catalog catalog_;
};

}  // namespace tessera::widgets
