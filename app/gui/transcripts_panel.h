#pragma once
/// The Transcripts dock: the load state (the percentage read and Cancel while
/// transcripts.csv.gz is loaded), a search box and a checkable gene list (sorted by name) with each
/// gene's colour and count. Checking genes filters the transcripts drawn to those genes (all are
/// checked at first); "Only selected" (or a double click) leaves just the selected genes. Emits
/// shownChanged() after each change of the checks.
/// GUI thread only; a plain Qt widget (parent ownership).
#include <QWidget>
#include <cstdint>
#include <vector>

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace tessera::app {

class TranscriptsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TranscriptsPanel(QWidget* parent = nullptr);

  void setLoading(const QString& file);
  /// The percentage of the file read so far (TranscriptsLayer::progress).
  void setProgress(int percent);
  void setMessage(const QString& text);
  /// Fills the list, every gene checked.
  void setGenes(const QStringList& names, const std::vector<std::uint32_t>& colors,
                const std::vector<std::size_t>& counts);
  void clear();
  /// One flag per gene, in setGenes order (whatever the list's order).
  std::vector<bool> shownGenes() const;
  /// Checks exactly `names` (unknown names are ignored); emits shownChanged().
  void showOnly(const QStringList& names);
  void showAll(bool shown);

  QLineEdit* search() const { return search_; }
  QListWidget* list() const { return list_; }
  QPushButton* cancelButton() const { return cancel_; }
  QProgressBar* progressBar() const { return progress_; }

 signals:
  void shownChanged();
  void cancelRequested();

 private:
  void applySearch(const QString& text);
  QLabel* status_;
  QProgressBar* progress_;
  QPushButton* cancel_;
  QLineEdit* search_;
  QListWidget* list_;
  QPushButton *all_, *none_, *only_;
  bool bulk_ = false;  ///< while many checks change at once: one shownChanged() at the end
};

}  // namespace tessera::app
