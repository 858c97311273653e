#include "app/cells/cells_linker.h"

#include <QActionGroup>
#include <QFileDialog>
#include <QInputDialog>
#include <QMenu>
#include <limits>

#include "app/cells/cells_overlay.h"
#include "app/cells/profile_data.h"
#include "app/cells/transcripts_layer.h"
#include "app/gui/transcripts_panel.h"
#include "widgets/channel_panel.h"
#include "widgets/clusters_panel.h"
#include "widgets/embedding_view.h"
#include "widgets/genes_panel.h"
#include "widgets/image_view.h"
#include "widgets/markers_panel.h"
#include "widgets/profile_panel.h"
#include "widgets/selection_tool.h"
#include "widgets/vtk_gl_window.h"

namespace tessera::app {
namespace {
constexpr double kHoverPx = 6;
constexpr int kMaxProfileGenes = 4;

const QStringList kStyles{QObject::tr("Points"), QObject::tr("Outlines"), QObject::tr("Filled")};
const QString kGenePrefix = QStringLiteral("gene: ");
}  // namespace

CellsLinker::CellsLinker(AppContext& ctx, LinkedWidgets w, QObject* parent)
    : QObject(parent), ctx_(ctx), w_(w), session_(std::make_unique<CellsSession>(ctx)) {
  imageOverlay_ = std::make_unique<CellsOverlay>(w_.image->glWindow()->renderer());
  embeddingOverlay_ = std::make_unique<CellsOverlay>(w_.embedding->renderer(), true);
  embeddingOverlay_->setPointSize(2);
  embeddingOverlay_->setLegendVisible(false);
  transcripts_ = std::make_unique<TranscriptsLayer>(ctx, w_.image->glWindow()->renderer());
  w_.image->setOverlayHook([this](const render::ViewCamera& c) {
    imageOverlay_->update(c);
    transcripts_->update(c);
  });
  w_.embedding->setOverlayHook(
      [this](const render::ViewCamera& c) { embeddingOverlay_->update(c); });
  w_.embedding->setPlaceholder(tr("Open a table with an embedding (UMAP, t-SNE, PCA in obsm)."));

  auto* s = session_.get();
  connect(s, &CellsSession::loaded, this, &CellsLinker::onLoaded);
  connect(s, &CellsSession::failed, this, &CellsLinker::message);
  connect(s, &CellsSession::message, this, &CellsLinker::message);
  connect(s, &CellsSession::coloringChanged, this, &CellsLinker::onColoring);
  connect(s, &CellsSession::hiddenChanged, this, &CellsLinker::onHidden);
  connect(s, &CellsSession::groupsChanged, this, &CellsLinker::refreshClusters);
  connect(s, &CellsSession::selectionChanged, this, &CellsLinker::onSelection);
  connect(s, &CellsSession::markersStarted, this, [this] { w_.markers->setRunning(true, 0); });
  connect(s, &CellsSession::markersProgress, this,
          [this](double f) { w_.markers->setRunning(true, f); });
  connect(s, &CellsSession::markersReady, this, &CellsLinker::onMarkers);
  connect(s, &CellsSession::geneStatsReady, this, &CellsLinker::showGenes);
  connect(s, &CellsSession::indexProgress, this, [this](const data::IndexStatus& st) {
    if (st.stage == data::IndexStage::Building)
      emit message(tr("Indexing genes: %1 %").arg(static_cast<int>(st.progress * 100)));
    else if (st.stage == data::IndexStage::Ready && !st.fromCache)
      emit message(tr("Gene index ready (%1 MB, %2 s)")
                       .arg(static_cast<double>(st.bytes) / 1e6, 0, 'f', 0)
                       .arg(st.buildSeconds, 0, 'f', 1));
    else if (st.stage == data::IndexStage::Failed)
      emit message(QString::fromStdString(st.error));
  });

  connect(w_.genes, &widgets::GenesPanel::geneActivated, this, [this](const QString& g) {
    if (!profileGenes_.contains(g)) profileGenes_ = {g};
    session_->colorByGene(g);
  });
  connect(w_.genes, &widgets::GenesPanel::selectionChanged, this, [this](const QStringList& genes) {
    if (genes.isEmpty()) return;
    profileGenes_ = genes.mid(0, kMaxProfileGenes);
    refreshProfile();
    emit profileGenesChanged();
  });
  connect(w_.markers, &widgets::MarkersPanel::geneActivated, this, [this](const QString& g) {
    profileGenes_ = {g};
    session_->colorByGene(g);
  });
  connect(w_.markers, &widgets::MarkersPanel::cancelRequested, this, [this] {
    session_->cancelMarkers();
    w_.markers->setRunning(false);
    w_.markers->showEmpty(tr("Cancelled."));
  });
  connect(w_.clusters, &widgets::ClustersPanel::visibilityToggled, this,
          [this](int c, bool shown) { session_->setCategoryHidden(c, !shown); });
  connect(w_.clusters, &widgets::ClustersPanel::colorEdited, this,
          [this](int c, std::uint32_t rgb) { session_->setCategoryColor(c, rgb); });
  connect(w_.clusters, &widgets::ClustersPanel::columnChosen, this, [this](const QString& c) {
    session_->setGroups(c);
    session_->colorByColumn(c);
  });
  connect(w_.image, &widgets::ImageView::selectionDrawn, this,
          [this](const std::vector<widgets::Vec2>& poly, widgets::SelectOp op) {
            session_->selectPolygon(poly, op, false);
          });
  connect(w_.embedding, &widgets::EmbeddingView::selectionDrawn, this,
          [this](const std::vector<widgets::Vec2>& poly, widgets::SelectOp op) {
            session_->selectPolygon(poly, op, true);
          });
  connect(w_.image, &widgets::ImageView::cursorMoved, this, [this](QPointF p, bool) {
    hoverAt(p.x(), p.y(), kHoverPx / w_.image->camera().zoom(), false);
  });
  connect(w_.embedding, &widgets::EmbeddingView::cursorMoved, this, [this](QPointF p) {
    hoverAt(p.x(), p.y(), kHoverPx / w_.embedding->camera().zoom(), true);
  });
  // The panel also lists other overlays (label images): only the cells and transcripts rows are
  // ours.
  connect(w_.channels, &widgets::ChannelPanel::overlayVisibleChanged, this, [this](int i, bool v) {
    if (i == transcriptsRow_)
      transcripts_->setVisible(v);
    else if (i == overlayRow_)
      imageOverlay_->setVisible(v);
    else
      return;
    w_.image->requestRender();
  });
  connect(w_.channels, &widgets::ChannelPanel::overlayOpacityChanged, this,
          [this](int i, double o) {
            if (i == transcriptsRow_)
              transcripts_->setOpacity(o);
            else if (i == overlayRow_)
              imageOverlay_->setOpacity(o);
            else
              return;
            w_.image->requestRender();
          });
  connect(w_.channels, &widgets::ChannelPanel::overlayStyleChanged, this, [this](int i, int style) {
    if (i != overlayRow_) return;
    imageOverlay_->setStyle(static_cast<CellStyle>(style));
    w_.channels->setOverlayStyle(overlayRow_, static_cast<int>(imageOverlay_->style()));
    w_.image->requestRender();
  });
  connect(w_.channels, &widgets::ChannelPanel::overlayColorByChosen, this,
          [this](int i, const QString& c) {
            if (i != overlayRow_) return;
            if (c.startsWith(kGenePrefix))
              session_->colorByGene(c.mid(kGenePrefix.size()));
            else
              session_->colorByColumn(c);
          });
  connect(w_.channels, &widgets::ChannelPanel::overlayLutChosen, this,
          [this](int i, const QString& l) {
            render::Lut lut;
            if (i == overlayRow_ && render::lutFromName(l.toStdString(), lut))
              session_->setLut(lut);
          });
  connect(w_.channels, &widgets::ChannelPanel::overlayRangeEdited, this,
          [this](int i, double a, double b) {
            if (i == overlayRow_) session_->setRange(std::make_pair(a, b));
          });
  // Another basis: the same cells, states and colours, placed by another obsm.
  connect(w_.embedding, &widgets::EmbeddingView::basisChosen, this, [this](const QString& key) {
    if (const auto d = session_->data())
      if (auto next = withBasis(*d, key.toStdString())) session_->setBasis(std::move(next));
  });
  connect(session_.get(), &CellsSession::embeddingChanged, this, &CellsLinker::onEmbeddingChanged);
  connectTranscripts();
}

void CellsLinker::connectTranscripts() {
  auto* t = transcripts_.get();
  auto* panel = w_.transcripts;
  connect(t, &TranscriptsLayer::loaded, this, &CellsLinker::onTranscriptsLoaded);
  connect(t, &TranscriptsLayer::failed, this, [this, panel](const QString& m) {
    if (panel) panel->setMessage(m);
    emit message(m);
  });
  if (!panel) return;
  connect(t, &TranscriptsLayer::started, panel, &TranscriptsPanel::setLoading);
  connect(t, &TranscriptsLayer::progress, panel, &TranscriptsPanel::setProgress);
  connect(t, &TranscriptsLayer::canceled, panel,
          [panel] { panel->setMessage(tr("Loading the transcripts was cancelled.")); });
  connect(panel, &TranscriptsPanel::cancelRequested, t, &TranscriptsLayer::cancel);
  connect(panel, &TranscriptsPanel::shownChanged, this, [this, panel] {
    if (auto r = transcripts_->setShownGenes(panel->shownGenes()); !r)
      emit message(QString::fromStdString(r.error().message));
    w_.image->requestRender();
  });
}

void CellsLinker::onTranscriptsLoaded() {
  const auto* d = transcripts_->data();
  if (!d) return;
  transcriptsRow_ =
      w_.channels->addOverlay(tr("Transcripts (%1)").arg(d->code.size()), {tr("Points")}, false);
  if (auto* panel = w_.transcripts) {
    QStringList names;
    std::vector<std::uint32_t> colors;
    for (std::size_t g = 0; g < d->genes.size(); ++g) {
      names << QString::fromStdString(d->genes[g]);
      colors.push_back(TranscriptsLayer::geneColor(g));
    }
    panel->setGenes(names, colors, d->counts);
    panel->setMessage(tr("%1 transcripts of %2 genes.").arg(d->code.size()).arg(d->genes.size()));
  }
  w_.image->requestRender();
}

CellsLinker::~CellsLinker() {
  w_.image->setOverlayHook(nullptr);
  w_.embedding->setOverlayHook(nullptr);
}

void CellsLinker::open(const std::filesystem::path& cells, double imageWidth, double imageHeight,
                       const std::string& shownElement,
                       const std::optional<data::Affine2D>& placement) {
  session_->open(cells, imageWidth, imageHeight, shownElement, placement);
}

void CellsLinker::clear() {
  transcripts_->clear();
  if (w_.transcripts) w_.transcripts->clear();
  w_.channels->removeOverlay(transcriptsRow_);
  transcriptsRow_ = -1;
  shown_.reset();
  session_->setData(nullptr);
  imageOverlay_->setData(nullptr);
  embeddingOverlay_->setData(nullptr);
  w_.channels->removeOverlay(overlayRow_);
  overlayRow_ = -1;
  renderBoth();
}

void CellsLinker::showProfileGenes(const QStringList& genes) {
  profileGenes_ = genes.mid(0, kMaxProfileGenes);
  refreshProfile();
  emit profileGenesChanged();
}

void CellsLinker::renderBoth() {
  w_.image->requestRender();
  w_.embedding->requestRender();
}

void CellsLinker::onLoaded() {
  const auto d = session_->data();
  w_.channels->removeOverlay(overlayRow_);
  w_.channels->removeOverlay(transcriptsRow_);
  overlayRow_ = -1;
  transcriptsRow_ = -1;
  transcripts_->clear();
  if (w_.transcripts) w_.transcripts->clear();
  shown_ = d;
  if (!d) {
    // Nothing of the previous table stays on screen: legend, genes, clusters, profile, markers.
    for (auto* o : {imageOverlay_.get(), embeddingOverlay_.get()})
      o->setLegend({});
    w_.genes->setGenes({}, {}, {});
    refreshClusters();
    refreshProfile();
    w_.markers->showEmpty({});
    w_.embedding->setPlaceholder(tr("No cell table is open."));
    renderBoth();
    return;
  }
  // Xenium transcripts: their own layer, loaded in the background once the cells place them.
  if (d->table->format == "xenium") {
    const auto file = std::filesystem::path(d->table->location) / "transcripts.csv.gz";
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) transcripts_->load(file, d->table->toImage);
  }
  if (auto r = imageOverlay_->setData(d); !r)
    emit message(QString::fromStdString(r.error().message));
  if (auto r = embeddingOverlay_->setData(d); !r)
    emit message(QString::fromStdString(r.error().message));
  if (!d->ex.empty()) {
    showEmbedding();
  } else {
    w_.embedding->setPlaceholder(
        tr("%1 has no embedding in obsm.").arg(QString::fromStdString(d->table->location)));
  }
  showGenes();
  if (d->hasSpatialCells()) {
    overlayRow_ = w_.channels->addOverlay(tr("Cells (%1)").arg(d->size()), kStyles);
    w_.channels->setOverlayStyle(overlayRow_, static_cast<int>(imageOverlay_->style()));
  }
  onColoring();
  onHidden();
  onSelection();
  if (d->outsideImage > 0)
    emit message(
        tr("%1 cells lie outside the image; they are drawn where they are.").arg(d->outsideImage));
}

void CellsLinker::showEmbedding() {
  const auto d = session_->data();
  if (!d || d->ex.empty()) return;
  render::Rect b{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                 -std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()};
  for (std::size_t i = 0; i < d->ex.size(); ++i) {
    b.x0 = std::min<double>(b.x0, d->ex[i]), b.x1 = std::max<double>(b.x1, d->ex[i]);
    b.y0 = std::min<double>(b.y0, d->ey[i]), b.y1 = std::max<double>(b.y1, d->ey[i]);
  }
  w_.embedding->setBounds(b);
  w_.embedding->setPlaceholder({});
  QStringList bases;
  for (const auto& key : embeddingBases(*d->table))
    bases << QString::fromStdString(key);
  w_.embedding->setBases(bases, QString::fromStdString(d->embeddingKey));
  // "X_umap" reads "UMAP 1", "UMAP 2"; other keys as they are.
  QString basis = QString::fromStdString(d->embeddingKey);
  if (basis.startsWith(QLatin1String("X_"))) basis = basis.mid(2).toUpper();
  w_.embedding->setAxisNames(basis + QStringLiteral(" 1"), basis + QStringLiteral(" 2"));
}

void CellsLinker::onEmbeddingChanged() {
  const auto d = session_->data();
  if (!d || !shown_ || d->table != shown_->table) return;
  shown_ = d;
  if (auto r = embeddingOverlay_->setData(d); !r)
    emit message(QString::fromStdString(r.error().message));
  showEmbedding();
  onColoring();
  onHidden();
  onSelection();
}

void CellsLinker::showGenes() {
  const auto d = session_->data();
  if (!d || d != shown_) return;
  QStringList names;
  for (const auto& g : d->table->geneNames)
    names << QString::fromStdString(g);
  // Means and fractions arrive with the gene index; until then the columns stay empty.
  std::vector<double> means, fractions;
  for (const auto& s : session_->geneStats())
    means.push_back(s.mean), fractions.push_back(s.fracExpressing);
  QStringList ids;
  for (const auto& g : d->table->geneIds)
    ids << QString::fromStdString(g);
  w_.genes->setGenes(names, means, fractions, ids);
}

void CellsLinker::onColoring() {
  const auto d = session_->data();
  // The session recolours while it takes new data; the overlays follow in onLoaded.
  if (!d || d != shown_) return;
  const auto& r = session_->coloring();
  for (auto* o : {imageOverlay_.get(), embeddingOverlay_.get()}) {
    if (auto e = o->setColoring(r.coloring); !e)
      emit message(QString::fromStdString(e.error().message));
    o->setLegend(r.legend);
  }
  if (overlayRow_ >= 0) {
    QStringList choices;
    for (const auto& c : d->table->obs)
      if (c.kind != data::CellColumnKind::String) choices << QString::fromStdString(c.name);
    const auto& by = session_->colorBy();
    QString current = QString::fromStdString(r.legend.title);
    if (by.kind == ColorBy::Kind::Gene) current = kGenePrefix + QString::fromStdString(by.name);
    w_.channels->setOverlayColorChoices(overlayRow_, choices, current);
    w_.channels->setOverlayRange(overlayRow_, r.legend.continuous,
                                 QString::fromLatin1(render::lutName(r.legend.lut)), r.legend.min,
                                 r.legend.max);
  }
  if (session_->colorBy().kind == ColorBy::Kind::Gene)
    w_.genes->setCurrentGene(QString::fromStdString(session_->colorBy().name));
  refreshClusters();
  refreshProfile();
  renderBoth();
}

void CellsLinker::onHidden() {
  if (session_->data() != shown_) return;
  for (auto* o : {imageOverlay_.get(), embeddingOverlay_.get()})
    if (auto e = o->setHidden(session_->hiddenMask()); !e)
      emit message(QString::fromStdString(e.error().message));
  renderBoth();
}

void CellsLinker::onSelection() {
  if (session_->data() != shown_) return;
  for (auto* o : {imageOverlay_.get(), embeddingOverlay_.get()})
    if (auto e = o->setSelection(session_->selection()); !e)
      emit message(QString::fromStdString(e.error().message));
  if (session_->selection().empty()) {
    w_.markers->setRunning(false);
    w_.markers->showEmpty(
        tr("Select cells (Ctrl+drag to lasso, Ctrl+Shift+drag for a box) to see their markers."));
  }
  refreshProfile();
  renderBoth();
}

void CellsLinker::onMarkers() {
  w_.markers->setRunning(false);
  const auto d = session_->data();
  if (!d || session_->selection().empty()) return;
  if (!d->expression) {
    w_.markers->showEmpty(tr("This table has no expression values."));
    return;
  }
  std::vector<widgets::MarkerEntry> rows;
  rows.reserve(session_->markers().size());
  for (const auto& m : session_->markers())
    rows.push_back({QString::fromStdString(d->table->geneNames[static_cast<std::size_t>(m.gene)]),
                    m.score, m.logFoldChange, m.pval, m.pvalAdj});
  if (rows.empty()) {
    w_.markers->showEmpty(tr("Every cell is selected: nothing to compare against."));
    return;
  }
  w_.markers->setRows(rows, static_cast<qint64>(session_->selection().size()));
}

void CellsLinker::refreshClusters() {
  const auto d = session_->data();
  const auto* g = session_->groups();
  if (!d || !g) {
    w_.clusters->setColumns({}, {});
    w_.clusters->setCategories({}, {}, {}, {});
    return;
  }
  QStringList columns;
  for (const auto& c : d->table->obs)
    if (c.kind == data::CellColumnKind::Categorical) columns << QString::fromStdString(c.name);
  w_.clusters->setColumns(columns, QString::fromStdString(g->name));
  const auto& r = session_->coloring();
  std::vector<std::uint32_t> colors = r.column == g ? r.coloring.palette : columnPalette(*g);
  QStringList names;
  std::vector<std::int64_t> counts(g->categories.size(), 0);
  for (auto c : g->codes)
    if (c >= 0) ++counts[static_cast<std::size_t>(c)];
  std::vector<bool> hidden;
  for (std::size_t i = 0; i < g->categories.size(); ++i) {
    names << QString::fromStdString(g->categories[i]);
    hidden.push_back(session_->hiddenCategories().count(static_cast<int>(i)) > 0);
  }
  w_.clusters->setCategories(names, colors, counts, hidden);
}

void CellsLinker::refreshProfile() {
  const auto d = session_->data();
  if (!d || !d->expression || profileGenes_.isEmpty()) {
    w_.profile->setProfiles({}, {}, 0);
    return;
  }
  const auto* g = session_->groups();
  const auto palette = !g                                 ? std::vector<std::uint32_t>{}
                       : session_->coloring().column == g ? session_->coloring().coloring.palette
                                                          : columnPalette(*g);
  const auto mask =
      session_->selection().empty() ? std::vector<std::uint8_t>{} : session_->selectionMask();
  QStringList names;
  std::vector<std::int64_t> genes;
  for (const auto& name : profileGenes_)
    if (const auto gi = d->table->geneIndex(name.toStdString()); gi >= 0) {
      names << name;
      genes.push_back(gi);
    }
  // The columns come from the engine; the panel is filled when they are all in, if the request
  // is still the latest one.
  const auto request = ++profileRequest_;
  const qint64 selected = static_cast<qint64>(session_->selection().size());
  session_->fetchGenes(genes, [this, request, d, g, palette, mask, names,
                               selected](std::vector<std::vector<float>> columns) {
    if (request != profileRequest_ || !session_->showsTable(*d)) return;
    std::vector<widgets::ProfilePanel::GeneProfile> profiles;
    for (std::size_t k = 0; k < columns.size(); ++k) {
      widgets::ProfilePanel::GeneProfile prof;
      prof.gene = names[static_cast<qsizetype>(k)];
      if (g) prof.groups = profileBoxes(columns[k], *g, palette);
      if (!mask.empty()) prof.inOut = selectionMeans(columns[k], mask);
      profiles.push_back(std::move(prof));
    }
    w_.profile->setProfiles(g ? QString::fromStdString(g->name) : QString(), profiles, selected);
  });
}

void CellsLinker::hoverAt(double x, double y, double radius, bool embedding) {
  const auto d = session_->data();
  if (!d) return;
  const auto cell = session_->cellAt(x, y, radius, embedding);
  if (cell == session_->hovered()) return;
  session_->setHovered(cell);
  emit hoverText(session_->describeCell(cell));
  if (cell < 0 || !d->expression) {
    w_.profile->setHoveredCell({}, {});
    return;
  }
  session_->fetchCellTopGenes(cell, [this, cell, d](std::vector<std::pair<std::int64_t, float>> g) {
    if (session_->hovered() != cell || session_->data() != d) return;
    std::vector<std::pair<QString, double>> top;
    for (const auto& [gene, v] : g)
      top.emplace_back(QString::fromStdString(d->table->geneNames[static_cast<std::size_t>(gene)]),
                       v);
    w_.profile->setHoveredCell(
        QString::fromStdString(d->table->cellIds[static_cast<std::size_t>(cell)]), top);
  });
}

void CellsLinker::populateMenu(QMenu* menu) {
  auto* group = new QActionGroup(menu);
  auto tool = [&](const QString& name, widgets::SelectionShape shape, const QKeySequence& key,
                  const char* object) {
    auto* a = menu->addAction(name);
    a->setObjectName(QString::fromLatin1(object));  // the main toolbar shows these
    a->setCheckable(true);
    a->setShortcut(key);
    a->setChecked(shape == widgets::SelectionShape::None);
    group->addAction(a);
    connect(a, &QAction::triggered, this, [this, shape] {
      w_.image->setSelectionShape(shape);
      w_.embedding->selectionTool()->setShape(shape);
    });
  };
  tool(tr("&Pan (Ctrl+drag lassoes)"), widgets::SelectionShape::None, QKeySequence(tr("P")),
       "selectPan");
  tool(tr("&Box select"), widgets::SelectionShape::Box, QKeySequence(tr("B")), "selectBox");
  tool(tr("&Lasso select"), widgets::SelectionShape::Lasso, QKeySequence(tr("L")), "selectLasso");
  menu->addSeparator();
  menu->addAction(tr("&Clear Selection"), QKeySequence(tr("Esc")), this,
                  [this] { session_->clearSelection(); });
  menu->addAction(tr("&Name Selection…"), this, [this] {
    bool ok = false;
    const QString name =
        QInputDialog::getText(nullptr, tr("Name selection"), tr("Name:"), QLineEdit::Normal,
                              tr("selection %1").arg(session_->namedSelections().size() + 1), &ok);
    if (ok) session_->nameSelection(name);
  });
  auto* recall = menu->addMenu(tr("&Recall Selection"));
  connect(session_.get(), &CellsSession::namedSelectionsChanged, recall, [this, recall] {
    recall->clear();
    for (const auto& [name, cells] : session_->namedSelections())
      recall->addAction(tr("%1 (%2 cells)").arg(name).arg(cells.size()), this,
                        [this, n = name] { session_->recallSelection(n); });
  });
  menu->addAction(tr("&Save Selections to Sidecar"), this, [this] {
    auto r = session_->saveSidecar();
    emit message(r ? tr("Selections saved to %1").arg(QString::fromStdString(r->string()))
                   : QString::fromStdString(r.error().message));
  });
  menu->addAction(tr("&Export Selected Cell IDs…"), this, [this] {
    const QString f = QFileDialog::getSaveFileName(
        nullptr, tr("Export cell ids"), QStringLiteral("cells.json"),
        tr("JSON list for tessera markers (*.json);;One id per line (*.txt)"));
    if (f.isEmpty()) return;
    auto r = session_->exportSelectionIds(f.toStdString());
    emit message(r ? tr("%1 cell ids written to %2").arg(session_->selection().size()).arg(f)
                   : QString::fromStdString(r.error().message));
  });
}

}  // namespace tessera::app
