#pragma once
/// The archive browser dock: the catalog's datasets (title, archive, licence, size), browsable
/// S3 buckets (ListObjectsV2, one folder level per expansion, all pages) and BioImage Archive
/// studies, plus "Open URL…" and "Browse bucket…" (a private bucket or prefix, typed as
/// s3://bucket/prefix, listed with the AWS profile's signed requests; its objects are emitted
/// as s3:// URLs, so the window and downloads sign them too). The catalog's public entries
/// stay unsigned. The user chooses to open a dataset streaming (lazily) or to download it;
/// the panel only emits what was chosen.
///
/// Threads: GUI thread only. Listings block on the HTTP client, so they run on the executor
/// given to setServices() and come back through queued calls guarded by QPointer.
#include <QPointer>
#include <QWidget>
#include <map>
#include <memory>

#include "data/executor.h"
#include "data/remote/archive_listing.h"
#include "data/remote/catalog.h"
#include "data/remote/s3.h"

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
  /// Adds "s3://bucket/prefix" as a browse root addressed with `s3` (null: the installed
  /// remote context's AWS profile) and starts listing it. False, with the reason in the
  /// status line, for a URL that is not s3://bucket[/prefix].
  bool browseBucket(const QString& s3Url, std::shared_ptr<const data::S3Signer> s3 = nullptr);

 signals:
  /// Open `url` lazily over HTTP (OME-Zarr, OME-TIFF) in the viewer.
  void openRequested(const QString& url);
  /// Download `url` (the receiver asks where, then uses the Downloads panel).
  void downloadRequested(const QString& url, const QString& sha256, const QString& title);

 public slots:
  /// Asks for a URL and emits openRequested or downloadRequested.
  void openUrlDialog();
  /// Asks for s3://bucket/prefix (naming the AWS profile in use) and browses it.
  void browseBucketDialog();

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
  /// Browse roots added by browseBucket() (index into catalog_.browse -> its bucket), whose
  /// entries are emitted as s3:// URLs.
  std::map<int, std::string> privateRoots_;
  QTreeWidgetItem* browseItem_ = nullptr;
};

}  // namespace tessera::widgets
