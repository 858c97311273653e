#include "widgets/layer_list.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "widgets/elided_label.h"

namespace tessera::widgets {

LayerList::LayerList(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(4, 4, 4, 4);
  empty_ = new QLabel(tr("No layers: open a dataset."), this);
  empty_->setEnabled(false);
  outer->addWidget(empty_);
  list_ = new QVBoxLayout();
  list_->setSpacing(2);
  outer->addLayout(list_);
  outer->addStretch(1);
}

void LayerList::setLayers(const std::vector<LayerRow>& rows) {
  if (rows == rows_ && (!rows.empty() || empty_->isVisibleTo(this))) return;
  rows_ = rows;
  rebuild();
}

void LayerList::setDetails(const QString& id, QWidget* details) {
  const auto it = details_.find(id);
  if (it == details_.end() ? !details : it->second == details) return;
  releaseDetails();
  if (details)
    details_[id] = details;
  else
    details_.erase(id);
  rebuild();
}

QWidget* LayerList::details(const QString& id) const {
  const auto it = details_.find(id);
  return it == details_.end() ? nullptr : it->second.data();
}

void LayerList::setExpanded(const QString& id, bool expanded) {
  if (expanded)
    expanded_.insert(id);
  else
    expanded_.erase(id);
  if (auto* w = details(id)) w->setVisible(expanded && w->parentWidget() != this);
  if (QWidget* row = rowWidgets_.count(id) ? rowWidgets_[id].data() : nullptr)
    if (auto* b = row->findChild<QToolButton*>("expand")) {
      const QSignalBlocker block(b);
      b->setChecked(expanded);
      b->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    }
}

void LayerList::releaseDetails() {
  // The details outlive the rows: back to the list itself, hidden, before the rows go.
  for (auto& [id, w] : details_)
    if (w && w->parentWidget() != this) {
      w->hide();
      w->setParent(this);
    }
}

void LayerList::rebuild() {
  releaseDetails();
  // Rows go later: an edit in one of them may be what asked for the new list.
  rowWidgets_.clear();
  while (auto* item = list_->takeAt(0)) {
    if (auto* w = item->widget()) {
      w->setObjectName(QString());  // not found as the layer's row any more
      w->hide();
      w->deleteLater();
    }
    delete item;
  }
  empty_->setVisible(rows_.empty());
  const int count = static_cast<int>(rows_.size());
  for (int i = 0; i < count; ++i) {
    const auto& r = rows_[static_cast<std::size_t>(i)];
    auto* row = new QWidget(this);
    row->setObjectName("layer." + r.id);
    auto* v = new QVBoxLayout(row);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);
    auto* h = new QHBoxLayout();
    h->setSpacing(2);
    auto* visible = new QCheckBox(row);
    visible->setObjectName("visible");
    visible->setChecked(r.visible);
    visible->setToolTip(tr("Show or hide %1").arg(r.name));
    auto* name = new ElidedLabel(r.name, row);
    name->setToolTip(QStringLiteral("%1 (%2)").arg(r.name, r.kind));
    auto* kind = new QLabel(r.kind, row);
    kind->setEnabled(false);
    auto* opacity = new QSlider(Qt::Horizontal, row);
    opacity->setObjectName("opacity");
    opacity->setRange(0, 100);
    opacity->setValue(static_cast<int>(std::lround(r.opacity * 100)));
    opacity->setMinimumWidth(40);
    opacity->setMaximumWidth(80);
    opacity->setToolTip(tr("Opacity"));
    auto button = [row](const char* object, const QString& text, const QString& tip) {
      auto* b = new QToolButton(row);
      b->setObjectName(QString::fromLatin1(object));
      b->setText(text);
      b->setToolTip(tip);
      b->setAutoRaise(true);
      return b;
    };
    auto* up = button("up", QStringLiteral("▲"), tr("Move %1 up").arg(r.name));
    auto* down = button("down", QStringLiteral("▼"), tr("Move %1 down").arg(r.name));
    up->setEnabled(i > 0);
    down->setEnabled(i + 1 < count);
    auto* remove = button("remove", QStringLiteral("✕"), tr("Remove %1").arg(r.name));
    remove->setEnabled(r.removable);
    h->addWidget(visible);
    h->addWidget(name, 1);
    h->addWidget(kind);
    h->addWidget(opacity);
    h->addWidget(up);
    h->addWidget(down);
    h->addWidget(remove);
    v->addLayout(h);
    const QString id = r.id;
    if (QWidget* d = details(id)) {
      auto* expand = button("expand", QString(), tr("Colour-by, LUT, range and style"));
      expand->setCheckable(true);
      expand->setArrowType(Qt::RightArrow);
      h->insertWidget(0, expand);
      d->setParent(row);
      v->addWidget(d);
      connect(expand, &QToolButton::toggled, this, [this, id](bool on) { setExpanded(id, on); });
    }
    connect(visible, &QCheckBox::toggled, this,
            [this, id](bool on) { emit visibleToggled(id, on); });
    connect(opacity, &QSlider::valueChanged, this,
            [this, id](int value) { emit opacityEdited(id, value / 100.0); });
    connect(up, &QToolButton::clicked, this, [this, id] { emit moveRequested(id, 1); });
    connect(down, &QToolButton::clicked, this, [this, id] { emit moveRequested(id, -1); });
    connect(remove, &QToolButton::clicked, this, [this, id] { emit removeRequested(id); });
    list_->addWidget(row);
    rowWidgets_[id] = row;
    setExpanded(id, isExpanded(id));
  }
}

}  // namespace tessera::widgets
