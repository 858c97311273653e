#pragma once
/// The main window: the image view in the centre, docks for channels, genes, expression
/// profile, embedding and downloads, File/View/Help menus and a status bar with the cursor's
/// physical position, channel values and the pyramid level. Datasets open on the job pool;
/// results come back through queued calls. GUI thread only.
#include <QMainWindow>
#include <QStringList>
#include <atomic>
#include <memory>

#include "app/dataset_loader.h"

class QLabel;
class QMenu;
class QProgressDialog;
class QTimer;

namespace tessera::widgets {
class ImageView;
class ChannelPanel;
}  // namespace tessera::widgets

namespace tessera::app {

struct AppContext;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(AppContext& ctx, QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens the inputs (paths, URLs or "demo") in the background as one dataset: the first
  /// image is shown and the first cell table is linked to it. Errors show in one dialog.
  void openInputs(const QStringList& inputs);
  widgets::ImageView* imageView() const { return view_; }
  widgets::ChannelPanel* channelPanel() const { return channels_; }
  const OpenedDataset* current() const { return current_.get(); }
  QString statusText() const;

 signals:
  void datasetOpened(const QString& input);
  void openFailed(const QString& message);

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  void buildMenus();
  void buildDocks();
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
  QMenu* recentMenu_ = nullptr;
  QLabel* cursorLabel_ = nullptr;
  QLabel* levelLabel_ = nullptr;
  QProgressDialog* progress_ = nullptr;
  QTimer* statsTimer_ = nullptr;
  std::shared_ptr<std::atomic<bool>> cancelOpen_;
  std::shared_ptr<OpenedDataset> current_;
};

}  // namespace tessera::app
