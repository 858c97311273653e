#include "widgets/classifier_panel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tessera::widgets {

ClassifierPanel::ClassifierPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  classes_ = new QListWidget;
  classes_->setMaximumHeight(110);
  layout->addWidget(classes_);

  auto* labelRow = new QHBoxLayout;
  className_ = new QLineEdit;
  className_->setPlaceholderText(tr("Class name"));
  label_ = new QPushButton(tr("Label Selection"));
  label_->setToolTip(tr("Label the selected cells as this class"));
  labelRow->addWidget(className_, 1);
  labelRow->addWidget(label_);
  layout->addLayout(labelRow);
  // A class picked in the list becomes the one labelled next.
  connect(classes_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row >= 0) className_->setText(classes_->item(row)->data(Qt::UserRole).toString());
  });
  connect(label_, &QPushButton::clicked, this, [this] {
    if (!className().isEmpty()) emit labelSelectionRequested(className());
  });
  connect(className_, &QLineEdit::returnPressed, label_, &QPushButton::click);

  auto* row = new QHBoxLayout;
  fromAnnotations_ = new QPushButton(tr("From Annotations"));
  fromAnnotations_->setToolTip(
      tr("Label the cells inside each classified area annotation, and the cell nearest each "
         "classified point, as the annotation's class"));
  remove_ = new QPushButton(tr("Remove Class"));
  remove_->setToolTip(tr("Remove the class picked in the list and its labels"));
  clear_ = new QPushButton(tr("Clear"));
  row->addWidget(fromAnnotations_);
  row->addWidget(remove_);
  row->addWidget(clear_);
  layout->addLayout(row);
  connect(fromAnnotations_, &QPushButton::clicked, this, &ClassifierPanel::annotationsRequested);
  connect(remove_, &QPushButton::clicked, this, [this] {
    if (auto* item = classes_->currentItem())
      emit removeClassRequested(item->data(Qt::UserRole).toString());
  });
  connect(clear_, &QPushButton::clicked, this, &ClassifierPanel::clearRequested);

  auto* trainRow = new QHBoxLayout;
  live_ = new QCheckBox(tr("Live"));
  live_->setChecked(true);
  live_->setToolTip(tr("Retrain whenever the labels change"));
  train_ = new QPushButton(tr("Train"));
  save_ = new QPushButton(tr("Save…"));
  save_->setToolTip(tr("Save the trained classifier (OpenCV YAML)"));
  load_ = new QPushButton(tr("Load…"));
  load_->setToolTip(tr("Apply a saved classifier to the cells in place of the labels"));
  trainRow->addWidget(live_);
  trainRow->addStretch(1);
  trainRow->addWidget(train_);
  trainRow->addWidget(save_);
  trainRow->addWidget(load_);
  layout->addLayout(trainRow);
  connect(live_, &QCheckBox::toggled, this, &ClassifierPanel::liveToggled);
  connect(train_, &QPushButton::clicked, this, &ClassifierPanel::trainRequested);
  connect(save_, &QPushButton::clicked, this, &ClassifierPanel::saveRequested);
  connect(load_, &QPushButton::clicked, this, &ClassifierPanel::loadRequested);

  status_ = new QLabel(tr("Select cells, name a class and label them; two classes train."));
  status_->setWordWrap(true);
  layout->addWidget(status_);
  accuracy_ = new QLabel;
  layout->addWidget(accuracy_);
  confusion_ = new QTableWidget;
  confusion_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  confusion_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  layout->addWidget(confusion_, 1);
}

void ClassifierPanel::setClasses(const QStringList& names, const std::vector<int>& labelled) {
  const int current = classes_->currentRow();
  classes_->blockSignals(true);
  classes_->clear();
  for (int i = 0; i < names.size(); ++i) {
    const int n = i < static_cast<int>(labelled.size()) ? labelled[static_cast<std::size_t>(i)] : 0;
    auto* item = new QListWidgetItem(tr("%1 (%n cell(s))", nullptr, n).arg(names[i]));
    item->setData(Qt::UserRole, names[i]);
    classes_->addItem(item);
  }
  if (current >= 0 && current < classes_->count()) classes_->setCurrentRow(current);
  classes_->blockSignals(false);
}

void ClassifierPanel::setStatus(const QString& text) {
  status_->setText(text);
}

void ClassifierPanel::setConfusion(const QStringList& names,
                                   const std::vector<std::vector<int>>& counts, double accuracy) {
  confusion_->clear();
  confusion_->setRowCount(static_cast<int>(names.size()));
  confusion_->setColumnCount(static_cast<int>(names.size()));
  if (names.isEmpty()) {
    accuracy_->clear();
    return;
  }
  QStringList predicted;
  for (const auto& n : names)
    predicted << tr("→ %1").arg(n);
  confusion_->setVerticalHeaderLabels(names);
  confusion_->setHorizontalHeaderLabels(predicted);
  for (int r = 0; r < names.size(); ++r)
    for (int c = 0; c < names.size(); ++c) {
      auto* item = new QTableWidgetItem(QString::number(counts.at(r).at(c)));
      item->setTextAlignment(Qt::AlignCenter);
      if (r == c) {
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
      }
      confusion_->setItem(r, c, item);
    }
  accuracy_->setText(tr("Cross-validated agreement: %1 %").arg(accuracy * 100, 0, 'f', 1));
}

bool ClassifierPanel::live() const {
  return live_->isChecked();
}

QString ClassifierPanel::className() const {
  return className_->text().trimmed();
}

}  // namespace tessera::widgets
