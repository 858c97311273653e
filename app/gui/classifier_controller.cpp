#include "app/gui/classifier_controller.h"

#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QPointer>
#include <algorithm>
#include <cmath>
#include <iterator>
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
constexpr std::size_t kMaxAllGenes = 64;
}  // namespace

struct ClassifierController::Result {
  std::shared_ptr<const CellsData> base;
  std::shared_ptr<const data::ai::CellClassifier> classifier;
  data::ai::CellPrediction prediction;
  data::ai::Confusion confusion;
  std::string error;              ///< training failed
  std::string validation;         ///< cross-validation could not run (too few labels)
  std::string file;               ///< the saved classifier applied, when not trained
  data::ClassifierLabels labels;  ///< what was trained on (or applied)
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
  connect(panel_, &widgets::ClassifierPanel::removeClassRequested, this,
          &ClassifierController::removeClass);
  connect(panel_, &widgets::ClassifierPanel::clearRequested, this,
          &ClassifierController::clearLabels);
  connect(panel_, &widgets::ClassifierPanel::trainRequested, this, &ClassifierController::train);
  connect(panel_, &widgets::ClassifierPanel::liveToggled, this, [this](bool live) {
    if (live) train();
  });
  connect(panel_, &widgets::ClassifierPanel::saveRequested, this, &ClassifierController::save);
  connect(panel_, &widgets::ClassifierPanel::loadRequested, this, &ClassifierController::load);
  connect(&window, &MainWindow::sessionSaved, this, &ClassifierController::storeBeside);
  // Every change of the labels (ours, an undo or redo, a model run replacing the table) comes
  // back through the model; the Live box decides whether it retrains.
  sub_ = window.model().observe([this](const data::SessionEvent& e) {
    if (e.what != data::SessionChange::Classifier || !base_) return;
    readLabels();
    refreshPanel();
    // A classifier loaded is applied at once, as Load… asked.
    if (panel_->live() || !currentLabels().file.empty()) train();
  });
}

ClassifierController::~ClassifierController() = default;

void ClassifierController::onLoaded() {
  const auto shown = w_.cells()->session().data();
  if (shown && (shown == own_ || shown == base_)) return;  // our own prediction columns
  base_ = shown;
  // Gene values asked for the table before are dropped by the cells session (it changed): the
  // training waiting for them will not run.
  if (std::exchange(fetching_, false)) training_ = false;
  own_.reset();
  features_.reset();
  featureNames_.clear();
  classifier_.reset();
  confusion_ = {};
  prediction_ = {};
  predictedClasses_.clear();
  predictedFrom_.reset();
  fromStore_ = false;
  notice_.clear();
  const auto* layer = w_.model().session().firstLayer(data::LayerKind::Cells);
  table_ = shown && layer ? layer->dataset : std::string();
  again_ = false;
  panel_->setConfusion({}, {}, 0);
  readLabels();
  refreshPanel();
  // Labels the model already holds for this table (a session opened): their stored prediction
  // shown, else trained again at once; the cells layer as it is now (the window applies it after
  // this) is the colouring to restore.
  restore_.reset();
  std::set<int> present(labels_.begin(), labels_.end());
  present.erase(-1);
  if ((present.size() >= 2 || !currentLabels().file.empty()) && layer) {
    restore_ = *layer;
    restoreStored();
  }
}

void ClassifierController::readLabels() {
  const auto n = base_ ? static_cast<std::size_t>(base_->size()) : 0;
  labels_.assign(n, -1);
  classes_.clear();
  const auto& c = w_.model().session().classifier;
  if (!base_ || c.table != table_) return;
  for (std::size_t k = 0; k < c.classes.size(); ++k) {
    classes_ << QString::fromStdString(c.classes[k].first);
    for (auto cell : c.classes[k].second)
      if (cell < n) labels_[cell] = static_cast<std::int32_t>(k);
  }
}

data::ClassifierLabels ClassifierController::currentLabels() const {
  const auto& c = w_.model().session().classifier;
  if (c.table == table_ && !c.empty()) return c;
  return {table_, {}, {}};
}

bool ClassifierController::addToClass(data::ClassifierLabels& labels, const std::string& name,
                                      std::vector<std::uint32_t> cells) const {
  const auto n = static_cast<std::uint32_t>(base_->size());
  std::erase_if(cells, [n](auto c) { return c >= n; });
  std::sort(cells.begin(), cells.end());
  cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
  if (cells.empty()) return false;
  auto it = std::find_if(labels.classes.begin(), labels.classes.end(),
                         [&](const auto& c) { return c.first == name; });
  if (it == labels.classes.end()) {
    labels.classes.emplace_back(name, std::vector<std::uint32_t>{});
    it = labels.classes.end() - 1;
  }
  // A cell has one class: the newest label wins.
  for (auto& [other, members] : labels.classes)
    if (other != name)
      std::erase_if(members,
                    [&](auto c) { return std::binary_search(cells.begin(), cells.end(), c); });
  std::vector<std::uint32_t> merged;
  std::set_union(it->second.begin(), it->second.end(), cells.begin(), cells.end(),
                 std::back_inserter(merged));
  it->second = std::move(merged);
  if (labels.features.empty()) labels.features = defaultFeatures();
  labels.file.clear();  // labels train a classifier of their own
  return true;
}

void ClassifierController::labelCells(const std::vector<std::uint32_t>& cells,
                                      const QString& className) {
  if (!base_ || className.isEmpty() || cells.empty()) return;
  auto next = currentLabels();
  if (!addToClass(next, className.toStdString(), cells)) return;
  w_.model().setClassifier(std::move(next), "Label cells as " + className.toStdString());
}

int ClassifierController::labelFromAnnotations() {
  auto* annotations = w_.findChild<AnnotationsController*>();
  if (!base_ || !annotations) return 0;
  const auto& px = base_->px;
  const auto& py = base_->py;
  auto next = currentLabels();
  int labelled = 0;
  for (const auto& a : annotations->annotations()) {
    const std::string& name = a.classification.name;
    if (name.empty()) continue;
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
    const auto count = static_cast<int>(cells.size());
    if (addToClass(next, name, std::move(cells))) labelled += count;
  }
  if (labelled > 0) w_.model().setClassifier(std::move(next), "Label cells from annotations");
  return labelled;
}

void ClassifierController::removeClass(const QString& className) {
  if (!base_) return;
  auto next = currentLabels();
  if (!std::erase_if(next.classes,
                     [&](const auto& c) { return c.first == className.toStdString(); }))
    return;
  if (next.classes.empty()) next = {};
  w_.model().setClassifier(std::move(next), "Remove class " + className.toStdString());
}

void ClassifierController::clearLabels() {
  panel_->setConfusion({}, {}, 0);
  if (w_.model().session().classifier.empty()) return refreshPanel();
  w_.model().setClassifier({}, "Clear classifier labels");
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

std::vector<std::string> ClassifierController::defaultFeatures() const {
  std::vector<std::string> names;
  if (!base_) return names;
  const auto& table = *base_->table;
  for (const auto& c : table.obs)
    if ((c.kind == data::CellColumnKind::Numeric || c.kind == data::CellColumnKind::Bool) &&
        c.name != "label" && !c.name.starts_with(kColumn))
      names.push_back(c.name);
  if (base_->expression && !table.geneNames.empty()) {
    if (table.geneNames.size() <= kMaxAllGenes) {
      names.insert(names.end(), table.geneNames.begin(), table.geneNames.end());
    } else {
      for (const auto& name : w_.cells()->profileGenes())
        if (table.geneIndex(name.toStdString()) >= 0) names.push_back(name.toStdString());
    }
  }
  return names;
}

void ClassifierController::train() {
  if (!base_) return;
  std::set<int> present(labels_.begin(), labels_.end());
  present.erase(-1);
  const auto labels = currentLabels();
  const std::string file = present.size() < 2 ? labels.file : std::string();
  if (present.size() < 2 && file.empty()) return refreshPanel();
  if (training_) {
    again_ = true;
    return;
  }
  training_ = true;
  auto names = labels.features;
  if (names.empty()) names = defaultFeatures();
  if (features_ && names == featureNames_) return startTraining(features_, file);
  // Features by name: an obs column of that name, else a gene (read from the engine); names the
  // table lacks are left out (a session's labels over an edited table).
  std::vector<std::pair<std::string, std::vector<float>>> columns(names.size());
  std::vector<std::int64_t> genes;
  std::vector<std::size_t> geneSlots;
  const auto& table = *base_->table;
  for (std::size_t i = 0; i < names.size(); ++i) {
    columns[i].first = names[i];
    const auto* c = table.column(names[i]);
    if (c && (c->kind == data::CellColumnKind::Numeric || c->kind == data::CellColumnKind::Bool)) {
      columns[i].second.assign(c->numbers.begin(), c->numbers.end());
    } else if (const auto g = base_->expression ? table.geneIndex(names[i]) : -1; g >= 0) {
      genes.push_back(g);
      geneSlots.push_back(i);
    }
  }
  auto finish = [this, base = base_, names,
                 file](std::vector<std::pair<std::string, std::vector<float>>> cols) {
    if (base != base_) {  // another table meanwhile: its own training may be waiting
      training_ = false;
      if (std::exchange(again_, false)) train();
      return;
    }
    std::erase_if(cols, [](const auto& c) { return c.second.empty(); });
    auto f = data::ai::makeCellFeatures(cols);
    if (!f) {
      training_ = false;
      panel_->setStatus(withNotice(QString::fromStdString(f.error().message)));
      emit trainingFailed(QString::fromStdString(f.error().message));
      return;
    }
    features_ = std::make_shared<const data::ai::CellFeatures>(std::move(*f));
    featureNames_ = names;
    startTraining(features_, file);
  };
  if (genes.empty()) return finish(std::move(columns));
  panel_->setStatus(
      tr("Reading %n gene(s) for the features…", nullptr, static_cast<int>(genes.size())));
  QPointer<ClassifierController> self(this);
  fetching_ = true;
  w_.cells()->session().fetchGenes(
      genes,
      [self, geneSlots, columns, finish](std::vector<std::vector<float>> values) mutable {
        if (!self) return;
        self->fetching_ = false;
        for (std::size_t i = 0; i < geneSlots.size() && i < values.size(); ++i)
          columns[geneSlots[i]].second = std::move(values[i]);
        finish(std::move(columns));
      },
      [self, base = base_](const QString& error) {
        // No training without its features: the dock says why and is idle again (labelling or
        // Train tries once more).
        if (!self || base != self->base_ || !self->fetching_) return;
        self->fetching_ = false;
        self->training_ = false;
        self->again_ = false;
        const QString message =
            tr("Cannot train: reading the genes for the features failed: %1").arg(error);
        self->panel_->setStatus(self->withNotice(message));
        emit self->trainingFailed(message);
      });
}

void ClassifierController::startTraining(std::shared_ptr<const data::ai::CellFeatures> features,
                                         const std::string& file) {
  panel_->setStatus(file.empty() ? tr("Training…") : tr("Applying the saved classifier…"));
  std::vector<std::string> names;
  for (const auto& c : classes_)
    names.push_back(c.toStdString());
  QPointer<ClassifierController> self(this);
  ctx_.jobPool.post(
      [self, features, labels = labels_, names, base = base_, file, from = currentLabels()] {
        auto r = std::make_shared<Result>();
        r->base = base;
        r->file = file;
        r->labels = from;
        auto c = file.empty() ? data::ai::CellClassifier::train(*features, labels, names)
                              : data::ai::CellClassifier::load(file);
        if (!c) {
          r->error = c.error().message;
        } else {
          r->classifier = *c;
          auto p = (*c)->predict(*features);
          if (!p)
            r->error = p.error().message;
          else
            r->prediction = std::move(*p);
          if (file.empty()) {  // a loaded classifier has no labelled cells to check it on
            auto m = data::ai::crossValidateClassifier(*features, labels, names);
            if (m)
              r->confusion = std::move(*m);
            else
              r->validation = m.error().message;
          }
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
  if (r.base != base_) {
    // Another table meanwhile: a training asked for it (its restored labels) runs now.
  } else if (!r.error.empty()) {
    panel_->setStatus(withNotice(QString::fromStdString(r.error)));
    emit trainingFailed(QString::fromStdString(r.error));
  } else {
    classifier_ = r.classifier;
    confusion_ = r.confusion;
    fromStore_ = false;
    predictedFrom_ = r.labels;
    showPrediction(r.prediction, classifier_->classNames());
    int labelled = 0;
    for (auto l : labels_)
      labelled += l >= 0 ? 1 : 0;
    const QString column = QString::fromLatin1(kColumn);
    if (!r.file.empty())
      panel_->setStatus(
          withNotice(tr("Applied the saved classifier %1 (%n class(es)); every cell has its "
                        "predicted class in the column \"%2\".",
                        nullptr, static_cast<int>(classifier_->classNames().size()))
                         .arg(QString::fromStdString(r.file), column)));
    else
      panel_->setStatus(
          withNotice(tr("Trained on %1 labelled cells of %2 classes (%3 features); every cell "
                        "has its predicted class in the column \"%4\".")
                         .arg(labelled)
                         .arg(classes_.size())
                         .arg(features_ ? features_->names.size() : 0)
                         .arg(column)));
    if (confusion_.counts.empty() && !r.validation.empty())
      panel_->setStatus(panel_->statusLabel()->text() + " " + QString::fromStdString(r.validation));
    emit trained();
  }
  if (again_) {
    again_ = false;
    train();
  }
}

void ClassifierController::showPrediction(const data::ai::CellPrediction& p,
                                          const std::vector<std::string>& classes) {
  prediction_ = p;
  predictedClasses_ = classes;
  // The prediction joins the table as obs columns; the panels see a table with two more.
  auto table = std::make_shared<data::CellTable>(*base_->table);
  std::erase_if(table->obs, [](const auto& c) { return c.name.starts_with(kColumn); });
  for (auto& c : data::ai::predictionColumns(p, classes, kColumn))
    table->obs.push_back(std::move(c));
  auto withColumns = std::make_shared<CellsData>(*base_);
  withColumns->table = table;
  own_ = withColumns;
  auto& cs = w_.cells()->session();
  const auto named = cs.namedSelections();
  const auto selection = cs.selection();
  // Restored labels: the cells come back as the session showed them (the window applies the
  // layer once the table with the columns is in); new labels: coloured by the prediction.
  if (restore_) w_.applyCellsLayerOnLoad(*restore_);
  w_.replaceCellsData(own_);
  for (const auto& [name, cells] : named) {
    cs.applyPick(cells, widgets::SelectOp::Replace);
    cs.nameSelection(name);
  }
  cs.applyPick(selection, widgets::SelectOp::Replace);
  if (!restore_) cs.colorByColumn(QString::fromLatin1(kColumn));
  restore_.reset();
  if (confusion_.counts.empty()) return panel_->setConfusion({}, {}, 0);
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
}

QString ClassifierController::withNotice(const QString& text) {
  const QString notice = std::exchange(notice_, QString());
  return notice.isEmpty() ? text : notice + " " + text;
}

data::Expected<void> ClassifierController::saveTo(const QString& file) const {
  if (!classifier_) return data::fail(data::Errc::InvalidArgument, "train a classifier first");
  return classifier_->save(file.toStdString());
}

void ClassifierController::loadFrom(const QString& file) {
  if (!base_) return panel_->setStatus(tr("Open a cell table first."));
  panel_->setStatus(tr("Reading %1…").arg(file));
  QPointer<ClassifierController> self(this);
  ctx_.jobPool.post([self, file, base = base_] {
    auto c = data::ai::CellClassifier::load(file.toStdString());
    std::vector<std::string> features;
    std::string error;
    if (c)
      features = (*c)->featureNames();
    else
      error = c.error().message;
    QMetaObject::invokeMethod(
        qApp,
        [self, file, base, features, error] {
          if (!self || base != self->base_) return;
          if (!error.empty()) {
            self->panel_->setStatus(QString::fromStdString(error));
            emit self->trainingFailed(QString::fromStdString(error));
            return;
          }
          // Its features by name: the cells' columns and genes it was trained on.
          data::ClassifierLabels next{
              self->table_, {}, features, QFileInfo(file).absoluteFilePath().toStdString()};
          self->w_.model().setClassifier(std::move(next), "Load classifier");
        },
        Qt::QueuedConnection);
  });
}

void ClassifierController::load() {
  const QString f = QFileDialog::getOpenFileName(&w_, tr("Load Classifier"), QString(),
                                                 tr("OpenCV classifiers (*.yaml *.xml)"));
  if (!f.isEmpty()) loadFrom(f);
}

void ClassifierController::save() {
  if (!classifier_) return panel_->setStatus(tr("Train a classifier first."));
  const QString f = QFileDialog::getSaveFileName(&w_, tr("Save Classifier"), QString(),
                                                 tr("OpenCV classifiers (*.yaml *.xml)"));
  if (f.isEmpty()) return;
  if (auto s = saveTo(f); !s)
    panel_->setStatus(QString::fromStdString(s.error().message));
  else
    panel_->setStatus(tr("Saved %1").arg(f));
}

}  // namespace tessera::app
