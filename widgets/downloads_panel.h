#pragma once
/// The Downloads dock: one row per download job with a progress bar, bytes, rate and ETA,
/// Pause/Resume and Cancel. Jobs run in data::Download (HTTP client thread + the executor);
/// their progress reaches this panel through queued calls guarded by QPointer, never a timer.
/// GUI thread only. The panel keeps the jobs alive until they finish.
#include <QPointer>
#include <QWidget>
#include <filesystem>
#include <map>
#include <memory>

#include "data/executor.h"
#include "data/remote/download.h"

class QVBoxLayout;
class QLabel;
class QProgressBar;
class QPushButton;

namespace tessera::widgets {

class DownloadsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit DownloadsPanel(QWidget* parent = nullptr);
  ~DownloadsPanel() override;

  /// Starts downloading `url` into `outDir` (sha256 optional) and adds its row.
  void startDownload(std::shared_ptr<data::HttpClient> client, data::Executor& executor,
                     const QString& url, const QString& outDir, const QString& sha256 = {},
                     const QString& title = {});
  int activeCount() const;

 signals:
  /// One line for the status bar ("2 downloads, 45%, 12.3 MiB/s"; empty when idle).
  void statusTextChanged(const QString& text);
  void downloadFinished(const QString& url, const QString& path);
  void downloadFailed(const QString& url, const QString& message);

 private:
  struct Row {
    std::shared_ptr<data::Download> job;
    QString url;
    QLabel* title = nullptr;
    QLabel* detail = nullptr;
    QProgressBar* bar = nullptr;
    QPushButton* pause = nullptr;
    QPushButton* cancel = nullptr;
    data::DownloadProgress last;
  };
  void onProgress(int id, const data::DownloadProgress& p);
  void onDone(int id, const data::Expected<std::filesystem::path>& result);
  void updateStatus();

  QVBoxLayout* rows_ = nullptr;
  QLabel* empty_ = nullptr;
  std::map<int, Row> jobs_;
  int nextId_ = 0;
};

/// "12.3 MiB" style sizes, shared by the Downloads panel and the archive browser.
QString humanBytes(double bytes);

}  // namespace tessera::widgets
