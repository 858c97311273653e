#pragma once
/// The Cell Classifier dock: the classes with how many cells are labelled in each, buttons to
/// label the selected cells as a class (named in the box), to take the classes of the
/// annotations or to remove the class picked in the list, Save… and Load… of a classifier, live
/// retraining, the training status, and the cross-validated confusion matrix as a small table
/// (rows: the labelled class, columns: the predicted class; the diagonal is agreement). It shows
/// what it is given and reports requests as signals; the app trains. GUI thread only.
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace tessera::widgets {

class ClassifierPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ClassifierPanel(QWidget* parent = nullptr);

  /// One row per class: its name and labelled cells.
  void setClasses(const QStringList& names, const std::vector<int>& labelled);
  void setStatus(const QString& text);
  /// rows = labelled class, columns = predicted class; empty `names` clears the table.
  void setConfusion(const QStringList& names, const std::vector<std::vector<int>>& counts,
                    double accuracy);
  bool live() const;
  QString className() const;

  QLineEdit* classEdit() const { return className_; }
  QPushButton* labelButton() const { return label_; }
  QPushButton* trainButton() const { return train_; }
  QCheckBox* liveBox() const { return live_; }
  QTableWidget* confusionTable() const { return confusion_; }
  QLabel* statusLabel() const { return status_; }
  QListWidget* classList() const { return classes_; }
  QPushButton* removeClassButton() const { return remove_; }

 signals:
  void labelSelectionRequested(const QString& className);
  void annotationsRequested();
  void clearRequested();
  /// Remove Class, for the class picked in the list.
  void removeClassRequested(const QString& className);
  void trainRequested();
  void liveToggled(bool live);
  void saveRequested();
  void loadRequested();

 private:
  QListWidget* classes_ = nullptr;
  QLineEdit* className_ = nullptr;
  QPushButton* label_ = nullptr;
  QPushButton* fromAnnotations_ = nullptr;
  QPushButton* remove_ = nullptr;
  QPushButton* clear_ = nullptr;
  QPushButton* train_ = nullptr;
  QPushButton* save_ = nullptr;
  QPushButton* load_ = nullptr;
  QCheckBox* live_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* accuracy_ = nullptr;
  QTableWidget* confusion_ = nullptr;
};

}  // namespace tessera::widgets
