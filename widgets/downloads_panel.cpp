#include "widgets/downloads_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

namespace tessera::widgets {

QString humanBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return QString::number(bytes, 'f', u ? 1 : 0) + " " + units[u];
}

namespace {
QString eta(const std::optional<double>& s) {
  if (!s || !std::isfinite(*s)) return QStringLiteral("--:--");
  const long t = std::lround(*s);
  return t >= 3600 ? QString::asprintf("%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60)
                   : QString::asprintf("%ld:%02ld", t / 60, t % 60);
}
}  // namespace

DownloadsPanel::DownloadsPanel(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  empty_ = new QLabel(tr("No downloads. Use the archive browser or File > Open URL to fetch a "
                         "dataset for offline use."),
                      this);
  empty_->setWordWrap(true);
  outer->addWidget(empty_);
  rows_ = new QVBoxLayout();
  outer->addLayout(rows_);
  outer->addStretch(1);
}

DownloadsPanel::~DownloadsPanel() {
  // Jobs keep running without the panel only if someone else holds them; stop ours.
  for (auto& [id, row] : jobs_)
    if (row.job) row.job->cancel();
}

void DownloadsPanel::startDownload(std::shared_ptr<data::HttpClient> client,
                                   data::Executor& executor, const QString& url,
                                   const QString& outDir, const QString& sha256,
                                   const QString& title) {
  const int id = nextId_++;
  Row& row = jobs_[id];
  row.url = url;
  auto* box = new QWidget(this);
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 4, 0, 4);
  row.title = new QLabel(title.isEmpty() ? url : title, box);
  row.title->setToolTip(url + "\n" + tr("into %1").arg(outDir));
  row.bar = new QProgressBar(box);
  row.bar->setRange(0, 1000);
  row.detail = new QLabel(tr("planning…"), box);
  auto* buttons = new QHBoxLayout();
  row.pause = new QPushButton(tr("Pause"), box);
  row.cancel = new QPushButton(tr("Cancel"), box);
  // Object names let tests (and accessibility tools) find a row's parts.
  box->setObjectName(QStringLiteral("download%1").arg(id));
  row.bar->setObjectName(QStringLiteral("progress"));
  row.detail->setObjectName(QStringLiteral("detail"));
  row.pause->setObjectName(QStringLiteral("pause"));
  row.cancel->setObjectName(QStringLiteral("cancel"));
  buttons->addWidget(row.detail, 1);
  buttons->addWidget(row.pause);
  buttons->addWidget(row.cancel);
  layout->addWidget(row.title);
  layout->addWidget(row.bar);
  layout->addLayout(buttons);
  rows_->addWidget(box);
  empty_->hide();

  QPointer<DownloadsPanel> self(this);
  auto progress = [self, id](const data::DownloadProgress& p) {
    if (auto* target = self.data())
      QMetaObject::invokeMethod(
          target,
          [self, id, p] {
            if (self) self->onProgress(id, p);
          },
          Qt::QueuedConnection);
  };
  auto done = [self, id](const data::Expected<std::filesystem::path>& r) {
    if (auto* target = self.data())
      QMetaObject::invokeMethod(
          target,
          [self, id, r] {
            if (self) self->onDone(id, r);
          },
          Qt::QueuedConnection);
  };
  row.job = data::Download::start(std::move(client), executor, url.toStdString(),
                                  outDir.toStdString(), sha256.toStdString(), {}, progress, done);
  connect(row.pause, &QPushButton::clicked, this, [this, id] {
    auto it = jobs_.find(id);
    if (it == jobs_.end() || !it->second.job) return;
    if (it->second.last.state == data::DownloadState::Paused)
      it->second.job->resume();
    else
      it->second.job->pause();
  });
  connect(row.cancel, &QPushButton::clicked, this, [this, id] {
    auto it = jobs_.find(id);
    if (it != jobs_.end() && it->second.job) it->second.job->cancel();
  });
  updateStatus();
}

int DownloadsPanel::activeCount() const {
  int n = 0;
  for (const auto& [id, row] : jobs_)
    n += row.job ? 1 : 0;
  return n;
}

void DownloadsPanel::onProgress(int id, const data::DownloadProgress& p) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Row& row = it->second;
  row.last = p;
  row.bar->setValue(static_cast<int>(p.fraction() * 1000));
  const QString total = p.bytesTotal ? humanBytes(static_cast<double>(*p.bytesTotal))
                                     : tr("%1 files").arg(p.filesTotal);
  QString text;
  switch (p.state) {
    case data::DownloadState::Planning:
      text = tr("reading metadata…");
      break;
    case data::DownloadState::Paused:
      text = tr("paused at %1 of %2").arg(humanBytes(static_cast<double>(p.bytesDone)), total);
      break;
    case data::DownloadState::Running:
      text = tr("%1 of %2, %3/s, ETA %4")
                 .arg(humanBytes(static_cast<double>(p.bytesDone)), total,
                      humanBytes(p.bytesPerSecond), eta(p.etaSeconds));
      break;
    default:
      text = QString::fromUtf8(data::downloadStateName(p.state));
  }
  row.detail->setText(text);
  row.pause->setText(p.state == data::DownloadState::Paused ? tr("Resume") : tr("Pause"));
  updateStatus();
}

void DownloadsPanel::onDone(int id, const data::Expected<std::filesystem::path>& result) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Row& row = it->second;
  row.pause->setEnabled(false);
  row.cancel->setEnabled(false);
  if (result) {
    row.bar->setValue(1000);
    row.detail->setText(tr("done: %1").arg(QString::fromStdString(result->string())));
    emit downloadFinished(row.url, QString::fromStdString(result->string()));
  } else {
    row.detail->setText(QString::fromStdString(result.error().message));
    row.detail->setWordWrap(true);
    if (result.error().code != data::Errc::Cancelled)
      emit downloadFailed(row.url, QString::fromStdString(result.error().message));
  }
  row.job.reset();
  updateStatus();
}

void DownloadsPanel::updateStatus() {
  int active = 0;
  double done = 0, rate = 0;
  for (const auto& [id, row] : jobs_) {
    if (!row.job) continue;
    ++active;
    done += row.last.fraction();
    rate += row.last.bytesPerSecond;
  }
  if (active == 0) {
    emit statusTextChanged(QString());
    return;
  }
  emit statusTextChanged(tr("%n download(s), %1%, %2/s", "", active)
                             .arg(static_cast<int>(100 * done / active))
                             .arg(humanBytes(rate)));
}

}  // namespace tessera::widgets
