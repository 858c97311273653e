#include "app/gui/transcripts_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace tessera::app {
namespace {
constexpr int kCodeRole = Qt::UserRole + 1;  // the gene's index in setGenes order
}  // namespace

TranscriptsPanel::TranscriptsPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  status_ = new QLabel(tr("Open a Xenium folder to see its transcripts."), this);
  status_->setWordWrap(true);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 100);
  progress_->setFormat(tr("%p% read"));
  progress_->hide();
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->hide();
  auto* loadRow = new QHBoxLayout;
  loadRow->addWidget(progress_, 1);
  loadRow->addWidget(cancel_);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Filter genes…"));
  search_->setClearButtonEnabled(true);
  list_ = new QListWidget(this);
  list_->setUniformItemSizes(true);
  list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  all_ = new QPushButton(tr("All"), this);
  none_ = new QPushButton(tr("None"), this);
  only_ = new QPushButton(tr("Only selected"), this);
  auto* buttons = new QHBoxLayout;
  for (auto* b : {all_, none_, only_})
    buttons->addWidget(b);
  layout->addWidget(status_);
  layout->addLayout(loadRow);
  layout->addWidget(search_);
  layout->addWidget(list_, 1);
  layout->addLayout(buttons);

  connect(cancel_, &QPushButton::clicked, this, &TranscriptsPanel::cancelRequested);
  connect(search_, &QLineEdit::textChanged, this, &TranscriptsPanel::applySearch);
  connect(list_, &QListWidget::itemChanged, this, [this] {
    if (!bulk_) emit shownChanged();
  });
  connect(list_, &QListWidget::itemDoubleClicked, this,
          [this](QListWidgetItem* item) { showOnly({item->data(Qt::UserRole).toString()}); });
  connect(all_, &QPushButton::clicked, this, [this] { showAll(true); });
  connect(none_, &QPushButton::clicked, this, [this] { showAll(false); });
  connect(only_, &QPushButton::clicked, this, [this] {
    QStringList names;
    for (auto* item : list_->selectedItems())
      names << item->data(Qt::UserRole).toString();
    if (!names.isEmpty()) showOnly(names);
  });
  clear();
}

void TranscriptsPanel::setLoading(const QString& file) {
  clear();
  status_->setText(tr("Loading transcripts from %1…").arg(file));
  progress_->setValue(0);
  progress_->show();
  cancel_->show();
}

void TranscriptsPanel::setProgress(int percent) {
  progress_->setValue(percent);
}

void TranscriptsPanel::setMessage(const QString& text) {
  status_->setText(text);
  progress_->hide();
  cancel_->hide();
}

void TranscriptsPanel::setGenes(const QStringList& names, const std::vector<std::uint32_t>& colors,
                                const std::vector<std::size_t>& counts) {
  bulk_ = true;
  list_->clear();
  for (int i = 0; i < names.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    QPixmap swatch(12, 12);
    swatch.fill(QColor::fromRgb(k < colors.size() ? colors[k] : 0x808080));
    auto* item = new QListWidgetItem(
        QIcon(swatch),
        QStringLiteral("%1  (%2)").arg(names[i]).arg(k < counts.size() ? counts[k] : 0), list_);
    item->setData(Qt::UserRole, names[i]);
    item->setData(kCodeRole, i);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
  }
  list_->sortItems();
  bulk_ = false;
  for (auto* w : std::initializer_list<QWidget*>{search_, list_, all_, none_, only_})
    w->setEnabled(!names.isEmpty());
  applySearch(search_->text());
}

void TranscriptsPanel::clear() {
  setGenes({}, {}, {});
  setMessage(tr("Open a Xenium folder to see its transcripts."));
}

std::vector<bool> TranscriptsPanel::shownGenes() const {
  std::vector<bool> out(static_cast<std::size_t>(list_->count()));
  for (int i = 0; i < list_->count(); ++i) {
    const auto* item = list_->item(i);
    out[static_cast<std::size_t>(item->data(kCodeRole).toInt())] =
        item->checkState() == Qt::Checked;
  }
  return out;
}

void TranscriptsPanel::showOnly(const QStringList& names) {
  bulk_ = true;
  for (int i = 0; i < list_->count(); ++i) {
    auto* item = list_->item(i);
    item->setCheckState(names.contains(item->data(Qt::UserRole).toString()) ? Qt::Checked
                                                                            : Qt::Unchecked);
  }
  bulk_ = false;
  emit shownChanged();
}

void TranscriptsPanel::showAll(bool shown) {
  bulk_ = true;
  for (int i = 0; i < list_->count(); ++i)
    list_->item(i)->setCheckState(shown ? Qt::Checked : Qt::Unchecked);
  bulk_ = false;
  emit shownChanged();
}

void TranscriptsPanel::applySearch(const QString& text) {
  for (int i = 0; i < list_->count(); ++i) {
    auto* item = list_->item(i);
    item->setHidden(!item->data(Qt::UserRole).toString().contains(text, Qt::CaseInsensitive));
  }
}

}  // namespace tessera::app
