#pragma once
/// The document Tessera shows: which datasets are open, the layers drawn from them with their
/// display state, the camera, which table sits on which image, named selections, waypoints and
/// annotations. Plain values (copyable, comparable), no Qt, no VTK: the window, the CLI and the
/// session file (`session_file.h`) all read and write this one description. SessionModel
/// (`session_model.h`) holds the current one, notifies observers and keeps undo/redo.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/cells/affine.h"
#include "data/image_info.h"

namespace tessera::data {

enum class DatasetKind { Image, Table, Labels, Transcripts };

const char* datasetKindName(DatasetKind kind);
bool datasetKindFromName(const std::string& name, DatasetKind& out);

/// True when `a` and `b` pick the same image read the same way (series, well, field, axes).
bool sameImage(const ImageSelection& a, const ImageSelection& b);

/// One opened input. Exactly one of `path`, `url` or `builtin` is set. In memory `path` is
/// absolute; the session file stores it relative to the file when it is local.
struct SessionDataset {
  std::string id;  ///< unique in the session ("image", "cells", "image-2", ...)
  DatasetKind kind = DatasetKind::Image;
  std::string path;
  std::string url;
  std::string builtin;    ///< "demo": generated on first use, lives in the cache
  std::string name;       ///< shown name (file name, "Demo tissue")
  ImageSelection select;  ///< which image of a container (series, well, field), its axes
  /// Which table of a SpatialData store its cells layer shows (the name under `tables/`);
  /// "" = the first. The table picker changes it (chooseTable).
  std::string table{};
  /// The location as the user typed it: path, url or builtin.
  std::string location() const { return !path.empty() ? path : !url.empty() ? url : builtin; }
  bool operator==(const SessionDataset& o) const;
};

/// How one image channel is drawn; mirrors render::ChannelDisplay without depending on it.
struct ChannelState {
  std::string name;
  std::uint32_t color = 0xFFFFFF;  ///< 0xRRGGBB, used when lut == "solid"
  std::string lut = "solid";       ///< "solid", "grays", "fire", "viridis", ...
  double start = 0, end = 65535;
  double gamma = 1;
  bool inverted = false;
  bool visible = true;
  /// The window is still to come from the data (auto-contrast when first drawn).
  bool autoWindow = false;
  bool operator==(const ChannelState&) const = default;
};

/// How the cells of a table are drawn and coloured.
struct CellsDisplay {
  std::string colorKind;  ///< "gene", "column" or "" (the table's default colouring)
  std::string colorName;  ///< the gene or obs column
  std::string lut = "viridis";
  std::optional<std::pair<double, double>> range;  ///< continuous range; automatic when empty
  std::string style;     ///< "points", "outlines", "filled"; "" = the overlay's choice for the data
  double pointSize = 4;  ///< minimum dot size, screen px
  std::string groups;    ///< the categorical column the Clusters panel shows
  std::vector<int> hiddenCategories;  ///< of `groups`
  /// User-chosen colours of categories (category index → 0xRRGGBB), per categorical column, so
  /// that colouring by another column and back keeps them.
  std::map<std::string, std::map<int, std::uint32_t>> categoryColors;
  /// The column whose category colours apply now: the colour-by column, else `groups` when
  /// the cells show their default colouring; "" for a gene.
  std::string categoryColumn() const;
  std::vector<std::string> profileGenes;  ///< genes the Expression profile shows
  std::string basis;       ///< the embedding (obsm key) the Embedding dock shows; "" = default
  std::string geneSearch;  ///< the Genes panel's search text (it filters the list shown)
  /// Genes whose transcripts are not drawn (a Xenium table's transcripts); empty = all drawn.
  std::vector<std::string> hiddenTranscriptGenes;
  bool operator==(const CellsDisplay&) const = default;
};

/// Annotations: the session's annotation list drawn as one layer, with no dataset of its own.
enum class LayerKind { Image, Cells, Labels, Transcripts, Annotations };

const char* layerKindName(LayerKind kind);
bool layerKindFromName(const std::string& name, LayerKind& out);

struct SessionLayer {
  std::string id;  ///< unique in the session
  LayerKind kind = LayerKind::Image;
  std::string dataset;  ///< id of the dataset it draws
  std::string name;     ///< shown name
  bool visible = true;
  double opacity = 1;
  std::vector<ChannelState> channels;  ///< Image layers
  CellsDisplay cells;                  ///< Cells layers
  bool operator==(const SessionLayer&) const = default;
};

/// What the view shows, in level-0 pixels of the reference (first) image.
struct SessionCamera {
  double centerX = 0, centerY = 0;
  double width = 0;  ///< visible world width; 0 = fit the image
  /// Visible world height; derived from the viewport's aspect when absent.
  std::optional<double> height;
  /// The viewport the camera was saved from (device px), so a render reproduces it.
  std::optional<std::pair<int, int>> viewport;
  std::int64_t t = 0, z = 0;
  int level = -1;  ///< a forced pyramid level; -1 picks it from the zoom
  bool isFit() const { return width <= 0; }
  bool operator==(const SessionCamera&) const = default;
};

/// A table placed on an image: table coordinates map to image pixels through `affine`
/// (identity when the table is already in pixels). `frame` names the element of a
/// SpatialData store the cells are placed on.
struct TablePairing {
  std::string table;  ///< dataset id
  std::string image;  ///< dataset id
  std::optional<Affine2D> affine;
  std::string frame;
  bool operator==(const TablePairing&) const = default;
};

/// A stop of a guided tour: a view and optionally the layers' state to restore there
/// (`waypoint.h` applies one to a session).
struct Waypoint {
  std::string title;
  std::string narration;                       ///< Markdown
  double centerX = 0, centerY = 0, width = 0;  ///< width 0 = the whole image
  std::vector<SessionLayer> layers;            ///< empty = leave the layers as they are
  /// A layer (id or name) or a channel of the image layer (name) kept hidden until the
  /// presenter reveals it (a quiz's answer); "" = none.
  std::string reveal{};
  /// A named selection of cells shown highlighted there; "" = none.
  std::string selection{};
  /// The session's annotations shown (true) or hidden (false) there; empty = as they are.
  std::optional<bool> annotations{};
  /// Or only these annotations shown there, the others hidden: each named by its GeoJSON "id",
  /// else by its name (annotationKey). Set when a waypoint shows some annotations and not others.
  std::optional<std::vector<std::string>> shownAnnotations{};
  bool operator==(const Waypoint&) const = default;
};

/// The Cell Classifier's training labels: the cells (rows of the table dataset `table`) the user
/// labelled as each class, classes in the order they were made (a class's index is its place),
/// and the features trained on, or a saved classifier applied. The prediction is not kept: it is
/// trained (or applied) again when the session opens, so the file stays small.
struct ClassifierLabels {
  std::string table;  ///< dataset id; labels of another table do not apply
  /// Class name → labelled cells (ascending, unique); a class may have none left.
  std::vector<std::pair<std::string, std::vector<std::uint32_t>>> classes;
  /// Obs columns and genes by name, in training order; empty = the app's default choice.
  std::vector<std::string> features;
  /// A saved classifier applied instead (the dock's Load…), when no class has labels: absolute in
  /// memory, relative to the session file when stored. It is read, never written.
  std::string file{};
  bool empty() const { return classes.empty() && file.empty(); }
  bool operator==(const ClassifierLabels&) const = default;
};

struct Session {
  std::vector<SessionDataset> datasets;
  std::vector<SessionLayer> layers;  ///< drawing order, bottom first
  SessionCamera camera;
  std::vector<TablePairing> pairings;
  /// Named selections of cells: indices into the rows of the (first) table.
  std::map<std::string, std::vector<std::uint32_t>> selections;
  /// The cells selected now (lasso, box, a click, a recalled name): rows of the (first) table,
  /// ascending. The markers of the selection are computed from it.
  std::vector<std::uint32_t> selection;
  std::vector<Waypoint> waypoints;
  /// Annotations as the annotation tools write them (a JSON list, kept as is).
  nlohmann::json annotations = nlohmann::json::array();
  ClassifierLabels classifier;

  bool operator==(const Session& o) const;
  bool empty() const { return datasets.empty(); }
  const SessionDataset* dataset(const std::string& id) const;
  const SessionLayer* layer(const std::string& id) const;
  SessionLayer* layer(const std::string& id);
  /// The first layer of a kind, or null.
  const SessionLayer* firstLayer(LayerKind kind) const;
  /// The pairing of a table, or null when it is shown by itself.
  const TablePairing* pairingOf(const std::string& table) const;
  /// An id not used by any dataset or layer yet: `base`, `base-2`, ...
  std::string freshId(const std::string& base) const;
  /// Where File ▸ Add puts new layers: on top, but under an annotations layer that is on top.
  std::size_t addedLayersAt() const;
};

/// Dataset `dataset` shows table `table` of its SpatialData store ("" = the first) instead of
/// the one it shows: nothing of the old table's state survives, since it described other rows,
/// genes and columns: its cells layers come up with the new table's defaults (their visibility
/// and opacity kept), and the selections, named and current, and the classifier's labels of
/// that dataset go. `labels` names the labels element the new table annotates ("cells"; ""
/// when none): the dataset's labels layer is named for it, or added under its cells layer when
/// it has none, so that the regions drawn are the new table's; with none, the dataset's labels
/// layer goes (it drew the old table's regions). False (and `session` unchanged)
/// when it shows that table already or there is no such dataset.
bool chooseTable(Session& session, const std::string& dataset, const std::string& table,
                 const std::string& labels = {});

/// Gives `session` an annotations layer on top when it has none (a session of version 3 or
/// older, or one just opened), so that annotations have a place in the layer order.
void ensureAnnotationsLayer(Session& session);

}  // namespace tessera::data
