#include "widgets/archive_browser.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "data/remote/remote_context.h"
#include "data/remote/url.h"
#include "widgets/downloads_panel.h"

namespace tessera::widgets {
namespace {

// Item data roles.
constexpr int kUrl = Qt::UserRole;         // dataset or object URL
constexpr int kSha = Qt::UserRole + 1;     // sha256, if known
constexpr int kRoot = Qt::UserRole + 2;    // index into catalog.browse, -1 otherwise
constexpr int kPrefix = Qt::UserRole + 3;  // S3 prefix of a folder item
constexpr int kListed = Qt::UserRole + 4;  // children already requested
constexpr int kStream = Qt::UserRole + 5;  // can be opened lazily

bool streamableUrl(const QString& url) {
  const QString u = url.toLower().section('?', 0, 0);
  return u.endsWith(".zarr") || u.endsWith(".zarr/") || u.endsWith(".ome.tif") ||
         u.endsWith(".ome.tiff") || u.endsWith(".tif") || u.endsWith(".tiff");
}

}  // namespace

ArchiveBrowser::ArchiveBrowser(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  tree_ = new QTreeWidget(this);
  tree_->setHeaderLabels({tr("Dataset"), tr("Archive"), tr("Licence"), tr("Size")});
  tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  layout->addWidget(tree_, 1);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  layout->addWidget(status_);
  auto* buttons = new QHBoxLayout();
  open_ = new QPushButton(tr("Open (stream)"), this);
  download_ = new QPushButton(tr("Download…"), this);
  auto* openUrl = new QPushButton(tr("Open URL…"), this);
  auto* bucket = new QPushButton(tr("Browse bucket…"), this);
  bucket->setObjectName(QStringLiteral("browseBucket"));
  tree_->setObjectName(QStringLiteral("archiveTree"));
  status_->setObjectName(QStringLiteral("status"));
  open_->setObjectName(QStringLiteral("openStreaming"));
  download_->setObjectName(QStringLiteral("download"));
  openUrl->setObjectName(QStringLiteral("openUrl"));
  buttons->addWidget(open_);
  buttons->addWidget(download_);
  buttons->addStretch(1);
  buttons->addWidget(bucket);
  buttons->addWidget(openUrl);
  layout->addLayout(buttons);
  connect(bucket, &QPushButton::clicked, this, &ArchiveBrowser::browseBucketDialog);

  connect(tree_, &QTreeWidget::itemExpanded, this, &ArchiveBrowser::expand);
  connect(tree_, &QTreeWidget::itemSelectionChanged, this, &ArchiveBrowser::updateButtons);
  connect(tree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
    if (item->data(0, kStream).toBool()) emit openRequested(item->data(0, kUrl).toString());
  });
  connect(open_, &QPushButton::clicked, this, [this] {
    if (auto* item = tree_->currentItem()) emit openRequested(item->data(0, kUrl).toString());
  });
  connect(download_, &QPushButton::clicked, this, [this] {
    if (auto* item = tree_->currentItem())
      emit downloadRequested(item->data(0, kUrl).toString(), item->data(0, kSha).toString(),
                             item->text(0));
  });
  connect(openUrl, &QPushButton::clicked, this, &ArchiveBrowser::openUrlDialog);
  updateButtons();
}

void ArchiveBrowser::setServices(std::shared_ptr<data::HttpClient> client,
                                 data::Executor* executor) {
  client_ = std::move(client);
  executor_ = executor;
}

bool ArchiveBrowser::setCatalogJson(const QByteArray& json, const QString& name) {
  auto c = data::parseCatalog(std::string_view(json.constData(), json.size()), name.toStdString());
  if (!c) {
    status_->setText(QString::fromStdString(c.error().message));
    return false;
  }
  setCatalog(*c);
  return true;
}

void ArchiveBrowser::setCatalog(const data::Catalog& catalog) {
  catalog_ = catalog;
  privateRoots_.clear();
  tree_->clear();
  auto* datasets = new QTreeWidgetItem(tree_, {tr("Datasets")});
  for (const auto& d : catalog.datasets) {
    auto* item = new QTreeWidgetItem(
        datasets, {QString::fromStdString(d.title), QString::fromStdString(d.archive),
                   QString::fromStdString(d.licence),
                   d.sizeBytes ? humanBytes(static_cast<double>(*d.sizeBytes)) : tr("unknown")});
    item->setData(0, kUrl, QString::fromStdString(d.urls.front()));
    item->setData(0, kSha, QString::fromStdString(d.sha256));
    item->setData(0, kStream, d.streamable);
    item->setData(0, kRoot, -1);
    item->setToolTip(
        0, QString::fromStdString(d.description.empty() ? d.urls.front() : d.description));
  }
  auto* browse = browseItem_ = new QTreeWidgetItem(tree_, {tr("Browse archives")});
  for (std::size_t i = 0; i < catalog.browse.size(); ++i) {
    const auto& b = catalog.browse[i];
    auto* item = new QTreeWidgetItem(
        browse, {QString::fromStdString(b.title), QString::fromStdString(b.type)});
    item->setData(0, kRoot, static_cast<int>(i));
    item->setData(0, kPrefix, QString::fromStdString(b.prefix));
    item->setChildIndicatorPolicy(QTreeWidgetItem::ShowIndicator);
  }
  datasets->setExpanded(true);
  browse->setExpanded(true);
  status_->clear();
  updateButtons();
}

void ArchiveBrowser::expand(QTreeWidgetItem* item) {
  const int root = item->data(0, kRoot).isValid() ? item->data(0, kRoot).toInt() : -1;
  if (root < 0 || item->data(0, kListed).toBool()) return;
  if (!client_ || !executor_) {
    status_->setText(tr("Browsing needs the network services (not set up)."));
    return;
  }
  item->setData(0, kListed, true);
  const data::CatalogBrowseRoot b = catalog_.browse[static_cast<std::size_t>(root)];
  const std::string prefix = item->data(0, kPrefix).toString().toStdString();
  auto* loading = new QTreeWidgetItem(item, {tr("listing…")});
  loading->setDisabled(true);
  QPointer<ArchiveBrowser> self(this);
  QPointer<QTreeWidget> tree(tree_);
  auto client = client_;
  // The item may be deleted (catalog replaced) before the listing returns: find it by pointer
  // among the tree's items only while the tree still exists.
  executor_->post(
      [self, tree, item, client, b, prefix] {
        auto r = b.type == "s3" ? data::listS3(*client, b.endpoint, b.bucket, prefix)
                                : data::listBioImageArchive(*client, b.accession);
        if (auto* target = self.data())
          QMetaObject::invokeMethod(
              target,
              [self, item, r = std::move(r)] {
                if (self) self->showListing(item, r);
              },
              Qt::QueuedConnection);
      },
      data::Priority::Visible);
}

void ArchiveBrowser::showListing(QTreeWidgetItem* item,
                                 const data::Expected<std::vector<data::ArchiveEntry>>& r) {
  // Only touch `item` if it is still in the tree.
  bool alive = false;
  for (QTreeWidgetItemIterator it(tree_); *it && !alive; ++it)
    alive = *it == item;
  if (!alive) return;
  qDeleteAll(item->takeChildren());
  if (!r) {
    status_->setText(QString::fromStdString(r.error().message));
    item->setData(0, kListed, false);
    return;
  }
  const int root = item->data(0, kRoot).toInt();
  const auto& b = catalog_.browse[static_cast<std::size_t>(root)];
  for (const auto& e : *r) {
    auto* child = new QTreeWidgetItem(
        item, {QString::fromStdString(e.name), QString::fromStdString(b.title), QString(),
               e.folder ? QString() : humanBytes(static_cast<double>(e.size))});
    // Entries of a private bucket travel as s3:// URLs: whoever opens or downloads them
    // addresses and signs them with the AWS profile.
    const auto priv = privateRoots_.find(root);
    const QString url = QString::fromStdString(
        priv == privateRoots_.end() ? e.url : "s3://" + priv->second + "/" + e.key);
    child->setData(0, kUrl, url);
    child->setData(0, kStream, streamableUrl(url));
    // S3 folders other than zarr groups expand further; zarr groups are datasets.
    if (e.folder && b.type == "s3" && !url.toLower().endsWith(".zarr/")) {
      child->setData(0, kRoot, root);
      child->setData(0, kPrefix, QString::fromStdString(e.key));
      child->setChildIndicatorPolicy(QTreeWidgetItem::ShowIndicator);
    } else {
      child->setData(0, kRoot, -1);
    }
  }
  status_->setText(r->size() == 1 ? tr("1 entry") : tr("%1 entries").arg(r->size()));
}

void ArchiveBrowser::updateButtons() {
  auto* item = tree_->currentItem();
  const bool hasUrl = item && !item->data(0, kUrl).toString().isEmpty();
  open_->setEnabled(hasUrl && item->data(0, kStream).toBool());
  download_->setEnabled(hasUrl);
}

bool ArchiveBrowser::browseBucket(const QString& s3Url, std::shared_ptr<const data::S3Signer> s3) {
  auto loc = data::parseS3Url(s3Url.trimmed().toStdString());
  if (!loc) {
    status_->setText(QString::fromStdString(loc.error().message));
    return false;
  }
  if (!s3) {
    auto ctx = data::remoteContext();
    if (ctx && ctx->s3) s3 = ctx->s3;
  }
  if (!s3) {
    status_->setText(tr("AWS settings could not be read; cannot browse %1").arg(s3Url));
    return false;
  }
  if (!browseItem_) setCatalog(catalog_);
  data::CatalogBrowseRoot root;
  root.type = "s3";
  root.endpoint = s3->listEndpoint(loc->bucket);
  root.bucket = loc->bucket;
  root.prefix = loc->key;
  if (!root.prefix.empty() && !root.prefix.ends_with('/')) root.prefix += '/';
  root.id = root.title = "s3://" + loc->bucket + "/" + root.prefix;
  const int index = static_cast<int>(catalog_.browse.size());
  catalog_.browse.push_back(root);
  privateRoots_[index] = loc->bucket;
  auto* item = new QTreeWidgetItem(browseItem_, {QString::fromStdString(root.title),
                                                 QString::fromStdString(s3->profile().name)});
  item->setData(0, kRoot, index);
  item->setData(0, kPrefix, QString::fromStdString(root.prefix));
  item->setChildIndicatorPolicy(QTreeWidgetItem::ShowIndicator);
  item->setToolTip(0, QString::fromStdString(s3->profile().describe()));
  browseItem_->setExpanded(true);
  tree_->setCurrentItem(item);
  item->setExpanded(true);  // lists it (expand())
  return true;
}

void ArchiveBrowser::browseBucketDialog() {
  auto ctx = data::remoteContext();
  const QString profile =
      ctx && ctx->s3 ? QString::fromStdString(ctx->s3->profile().describe())
                     : tr("AWS settings unreadable: %1")
                           .arg(QString::fromStdString(ctx ? ctx->s3Error : ctx.error().message));
  bool ok = false;
  const QString url = QInputDialog::getText(
      this, tr("Browse bucket"), tr("Bucket or prefix, as s3://bucket/prefix/\n(%1)").arg(profile),
      QLineEdit::Normal, QStringLiteral("s3://"), &ok);
  if (ok && !url.trimmed().isEmpty()) browseBucket(url);
}

void ArchiveBrowser::openUrlDialog() {
  bool ok = false;
  const QString url =
      QInputDialog::getText(this, tr("Open URL"),
                            tr("OME-Zarr, OME-TIFF or h5ad URL (http, https or s3):"),
                            QLineEdit::Normal, QString(), &ok)
          .trimmed();
  if (!ok || url.isEmpty()) return;
  auto http = data::remoteHttpUrl(url.toStdString());
  if (auto parsed = http ? data::parseUrl(*http) : std::unexpected(http.error()); !parsed) {
    QMessageBox::warning(this, tr("Open URL"), QString::fromStdString(parsed.error().message));
    return;
  }
  if (!streamableUrl(url) && !url.section('?', 0, 0).endsWith('/')) {
    const auto choice = QMessageBox::question(
        this, tr("Open URL"), tr("Stream %1 lazily, or download it first?").arg(url),
        QMessageBox::Open | QMessageBox::Save | QMessageBox::Cancel, QMessageBox::Open);
    if (choice == QMessageBox::Save)
      emit downloadRequested(url, {}, url);
    else if (choice == QMessageBox::Open)
      emit openRequested(url);
    return;
  }
  emit openRequested(url);
}

}  // namespace tessera::widgets
