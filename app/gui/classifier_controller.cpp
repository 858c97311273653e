#include "app/gui/classifier_controller.h"

#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QPointer>
#include <cmath>
#include <limits>
#include <set>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/annotations_controller.h"
#include "app/gui/main_window.h"
#include "data/annotation/measure.h"
#include "widgets/classifier_panel.h"

namespace tessera::app {

namespace {
constexpr const char* kColumn = "classifier";
constexpr std::size_t kMaxAllGenes = 64;
}  // namespace

struct ClassifierController::Result {
  std::shared_ptr<const CellsData> base;
  std::shared_ptr<const data::ai::CellClassifier> classifier;
  data::ai::CellPrediction prediction;
  data::ai::Confusion confusion;
  std::string error;       ///< training failed
  std::string validation;  ///< cross-validation could not run (too few labels)
};

ClassifierController::ClassifierController(MainWindow& window, AppContext& ctx)
    : QObject(&window), w_(window), ctx_(ctx) {
  dock_ = new QDockWidget(tr("Cell Classifier"), &window);
  dock_->setObjectName("dock.classifier");
  panel_ = new widgets::ClassifierPanel(dock_);
  dock_->setWidget(panel_);
  window.addDockWidget(Qt::RightDockWidgetArea, dock_);
  dock_->hide();  // Analysis ▸ Cell Classifier shows it
  auto& cs = window.cells()->session();
  connect(&cs, &CellsSession::loaded, this, &ClassifierController::onLoaded);
  connect(panel_, &widgets::ClassifierPanel::labelSelectionRequested, this,
          [this](const QString& name) { labelCells(w_.cells()->session().selection(), name); });
  connect(panel_, &widgets::ClassifierPanel::annotationsRequested, this,
          [this] { labelFromAnnotations(); });
  connect(panel_, &widgets::ClassifierPanel::clearRequested, this,
          &ClassifierController::clearLabels);
  connect(panel_, &widgets::ClassifierPanel::trainRequested, this, &ClassifierController::train);
  connect(panel_, &widgets::ClassifierPanel::liveToggled, this, [this](bool live) {
    if (live) train();
  });
  connect(panel_, &widgets::ClassifierPanel::saveRequested, this, &ClassifierController::save);
}

ClassifierController::~ClassifierController() = default;

void ClassifierController::onLoaded() {
  const auto data = w_.cells()->session().data();
  if (data && (data == own_ || data == base_)) return;  // our own prediction columns
  base_ = data;
  own_.reset();
  features_.reset();
  classifier_.reset();
  confusion_ = {};
  classes_.clear();
  labels_.assign(data ? static_cast<std::size_t>(data->size()) : 0, -1);
  again_ = false;
  panel_->setConfusion({}, {}, 0);
  refreshPanel();
}

void ClassifierController::labelCells(const std::vector<std::uint32_t>& cells,
                                      const QString& className) {
  if (!base_ || className.isEmpty() || cells.empty()) return;
  int k = static_cast<int>(classes_.indexOf(className));
  if (k < 0) {
    classes_ << className;
    k = static_cast<int>(classes_.size()) - 1;
  }
  for (auto c : cells)
    if (c < labels_.size()) labels_[c] = k;
  labelsChanged();
}

int ClassifierController::labelFromAnnotations() {
  auto* annotations = w_.findChild<AnnotationsController*>();
  if (!base_ || !annotations) return 0;
  const auto& px = base_->px;
  const auto& py = base_->py;
  int labelled = 0;
  for (const auto& a : annotations->annotations()) {
    const QString name = QString::fromStdString(a.classification.name);
    if (name.isEmpty()) continue;
    std::vector<std::uint32_t> cells;
    if (data::isArea(a)) {
      for (auto i : data::pointsInside(a, px, py))
        cells.push_back(static_cast<std::uint32_t>(i));
    } else if (a.kind == data::AnnotationKind::Point) {
      for (const auto& p : a.points) {
        // The cell nearest the point, as a click on it would pick.
        double best = std::numeric_limits<double>::infinity();
        std::int64_t at = -1;
        for (std::size_t i = 0; i < px.size(); ++i) {
          const double d = std::hypot(px[i] - p.x, py[i] - p.y);
          if (d < best) best = d, at = static_cast<std::int64_t>(i);
        }
        if (at >= 0) cells.push_back(static_cast<std::uint32_t>(at));
      }
    }
    if (cells.empty()) continue;
    int k = static_cast<int>(classes_.indexOf(name));
    if (k < 0) {
      classes_ << name;
      k = static_cast<int>(classes_.size()) - 1;
    }
    for (auto c : cells)
      if (c < labels_.size()) labels_[c] = k;
    labelled += static_cast<int>(cells.size());
  }
  if (labelled > 0) labelsChanged();
  return labelled;
}

void ClassifierController::clearLabels() {
  std::fill(labels_.begin(), labels_.end(), -1);
  classes_.clear();
  panel_->setConfusion({}, {}, 0);
  refreshPanel();
}

void ClassifierController::labelsChanged() {
  refreshPanel();
  if (panel_->live()) train();
}

void ClassifierController::refreshPanel() {
  std::vector<int> counts(static_cast<std::size_t>(classes_.size()), 0);
  for (auto l : labels_)
    if (l >= 0 && l < static_cast<int>(counts.size())) ++counts[static_cast<std::size_t>(l)];
  panel_->setClasses(classes_, counts);
  int ready = 0;
  for (int n : counts)
    ready += n > 0 ? 1 : 0;
  if (!base_)
    panel_->setStatus(tr("Open a cell table first."));
  else if (ready < 2)
    panel_->setStatus(tr("Label cells of two classes at least to train."));
}

void ClassifierController::train() {
  if (!base_) return;
  std::set<int> present(labels_.begin(), labels_.end());
  present.erase(-1);
  if (present.size() < 2) return refreshPanel();
  if (training_) {
    again_ = true;
    return;
  }
  training_ = true;
  if (features_) return startTraining(features_);
  // Features once per table: numeric obs columns and genes (see the header).
  std::vector<std::pair<std::string, std::vector<float>>> columns;
  const auto& table = *base_->table;
  for (const auto& c : table.obs) {
    if ((c.kind != data::CellColumnKind::Numeric && c.kind != data::CellColumnKind::Bool) ||
        c.name == "label" || c.name.starts_with(kColumn))
      continue;
    columns.emplace_back(c.name, std::vector<float>(c.numbers.begin(), c.numbers.end()));
  }
  std::vector<std::int64_t> genes;
  if (base_->expression && !table.geneNames.empty()) {
    if (table.geneNames.size() <= kMaxAllGenes) {
      for (std::size_t g = 0; g < table.geneNames.size(); ++g)
        genes.push_back(static_cast<std::int64_t>(g));
    } else {
      for (const auto& name : w_.cells()->profileGenes())
        if (auto g = table.geneIndex(name.toStdString()); g >= 0) genes.push_back(g);
    }
  }
  auto finish = [this, base = base_](std::vector<std::pair<std::string, std::vector<float>>> cols) {
    if (base != base_) return;
    auto f = data::ai::makeCellFeatures(cols);
    if (!f) {
      training_ = false;
      panel_->setStatus(QString::fromStdString(f.error().message));
      emit trainingFailed(QString::fromStdString(f.error().message));
      return;
    }
    features_ = std::make_shared<const data::ai::CellFeatures>(std::move(*f));
    startTraining(features_);
  };
  if (genes.empty()) return finish(std::move(columns));
  panel_->setStatus(
      tr("Reading %n gene(s) for the features…", nullptr, static_cast<int>(genes.size())));
  QPointer<ClassifierController> self(this);
  w_.cells()->session().fetchGenes(
      genes, [self, genes, columns, finish](std::vector<std::vector<float>> values) mutable {
        if (!self) return;
        for (std::size_t i = 0; i < genes.size() && i < values.size(); ++i)
          columns.emplace_back(self->base_->table->geneNames[static_cast<std::size_t>(genes[i])],
                               std::move(values[i]));
        finish(std::move(columns));
      });
}

void ClassifierController::startTraining(std::shared_ptr<const data::ai::CellFeatures> features) {
  panel_->setStatus(tr("Training…"));
  std::vector<std::string> names;
  for (const auto& c : classes_)
    names.push_back(c.toStdString());
  QPointer<ClassifierController> self(this);
  ctx_.jobPool.post([self, features, labels = labels_, names, base = base_] {
    auto r = std::make_shared<Result>();
    r->base = base;
    auto c = data::ai::CellClassifier::train(*features, labels, names);
    if (!c) {
      r->error = c.error().message;
    } else {
      r->classifier = *c;
      auto p = (*c)->predict(*features);
      if (!p)
        r->error = p.error().message;
      else
        r->prediction = std::move(*p);
      auto m = data::ai::crossValidateClassifier(*features, labels, names);
      if (m)
        r->confusion = std::move(*m);
      else
        r->validation = m.error().message;
    }
    QMetaObject::invokeMethod(
        qApp,
        [self, r] {
          if (self) self->apply(*r);
        },
        Qt::QueuedConnection);
  });
}

void ClassifierController::apply(const Result& r) {
  training_ = false;
  if (r.base != base_) return;  // another table meanwhile
  if (!r.error.empty()) {
    panel_->setStatus(QString::fromStdString(r.error));
    emit trainingFailed(QString::fromStdString(r.error));
  } else {
    classifier_ = r.classifier;
    confusion_ = r.confusion;
    // The prediction joins the table as obs columns; the panels see a table with two more.
    auto table = std::make_shared<data::CellTable>(*base_->table);
    std::erase_if(table->obs, [](const auto& c) { return c.name.starts_with(kColumn); });
    for (auto& c : classifier_->toObsColumns(r.prediction, kColumn))
      table->obs.push_back(std::move(c));
    auto data = std::make_shared<CellsData>(*base_);
    data->table = table;
    own_ = data;
    auto& cs = w_.cells()->session();
    const auto named = cs.namedSelections();
    const auto selection = cs.selection();
    cs.setData(own_);
    for (const auto& [name, cells] : named) {
      cs.applyPick(cells, widgets::SelectOp::Replace);
      cs.nameSelection(name);
    }
    cs.applyPick(selection, widgets::SelectOp::Replace);
    cs.colorByColumn(QString::fromLatin1(kColumn));
    int labelled = 0;
    for (auto l : labels_)
      labelled += l >= 0 ? 1 : 0;
    panel_->setStatus(tr("Trained on %1 labelled cells of %2 classes (%3 features); every cell "
                         "has its predicted class in the column \"%4\".")
                          .arg(labelled)
                          .arg(classes_.size())
                          .arg(features_ ? features_->names.size() : 0)
                          .arg(QString::fromLatin1(kColumn)));
    if (!confusion_.counts.empty()) {
      QStringList names;
      std::vector<std::vector<int>> counts;
      for (const auto& n : confusion_.classNames)
        names << QString::fromStdString(n);
      for (int i = 0; i < confusion_.counts.rows; ++i) {
        counts.emplace_back();
        for (int j = 0; j < confusion_.counts.cols; ++j)
          counts.back().push_back(confusion_.counts.at<int>(i, j));
      }
      panel_->setConfusion(names, counts, confusion_.accuracy());
    } else {
      panel_->setConfusion({}, {}, 0);
      panel_->setStatus(panel_->statusLabel()->text() + " " + QString::fromStdString(r.validation));
    }
    emit trained();
  }
  if (again_) {
    again_ = false;
    train();
  }
}

void ClassifierController::save() {
  if (!classifier_) return panel_->setStatus(tr("Train a classifier first."));
  const QString f = QFileDialog::getSaveFileName(&w_, tr("Save Classifier"), QString(),
                                                 tr("OpenCV classifiers (*.yaml *.xml)"));
  if (f.isEmpty()) return;
  if (auto s = classifier_->save(f.toStdString()); !s)
    panel_->setStatus(QString::fromStdString(s.error().message));
  else
    panel_->setStatus(tr("Saved %1").arg(f));
}

}  // namespace tessera::app
