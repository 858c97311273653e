#include "widgets/layer_list.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

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
  // Rows go later: an edit in one of them may be what asked for the new list.
  while (auto* item = list_->takeAt(0)) {
    if (auto* w = item->widget()) {
      w->hide();
      w->deleteLater();
    }
    delete item;
  }
  empty_->setVisible(rows.empty());
  for (const auto& r : rows) {
    auto* row = new QWidget(this);
    row->setObjectName("layer." + r.id);
    auto* h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    auto* visible = new QCheckBox(row);
    visible->setObjectName("visible");
    visible->setChecked(r.visible);
    visible->setToolTip(tr("Show or hide %1").arg(r.name));
    auto* name = new QLabel(QStringLiteral("%1  <span style='color:gray'>%2</span>")
                                .arg(r.name.toHtmlEscaped(), r.kind),
                            row);
    name->setToolTip(r.name);
    auto* opacity = new QSlider(Qt::Horizontal, row);
    opacity->setObjectName("opacity");
    opacity->setRange(0, 100);
    opacity->setValue(static_cast<int>(std::lround(r.opacity * 100)));
    opacity->setMaximumWidth(90);
    opacity->setToolTip(tr("Opacity"));
    auto* remove = new QToolButton(row);
    remove->setObjectName("remove");
    remove->setText(QStringLiteral("✕"));
    remove->setToolTip(tr("Remove %1").arg(r.name));
    remove->setEnabled(r.removable);
    h->addWidget(visible);
    h->addWidget(name, 1);
    h->addWidget(opacity);
    h->addWidget(remove);
    const QString id = r.id;
    connect(visible, &QCheckBox::toggled, this, [this, id](bool v) { emit visibleToggled(id, v); });
    connect(opacity, &QSlider::valueChanged, this,
            [this, id](int v) { emit opacityEdited(id, v / 100.0); });
    connect(remove, &QToolButton::clicked, this, [this, id] { emit removeRequested(id); });
    list_->addWidget(row);
  }
}

}  // namespace tessera::widgets
