#include "data/session/session_migrate.h"

namespace tessera::data {
namespace {

using nlohmann::json;

// A version 1 cells layer kept one set of category colours, meant for the column the cells were
// coloured by (or, with the default colouring, the Clusters column). Version 2 keeps them per
// column: the flat object moves under that column's name. Colours with no column to belong to
// (a layer coloured by a gene) applied to nothing and are dropped.
void cellsColorsV1toV2(json& layer) {
  if (!layer.is_object() || !layer.contains("cells") || !layer["cells"].is_object()) return;
  json& cells = layer["cells"];
  if (!cells.contains("category_colors") || !cells["category_colors"].is_object()) return;
  json flat = std::move(cells["category_colors"]);
  std::string kind, column;
  if (cells.contains("color_by") && cells["color_by"].is_object()) {
    const json& by = cells["color_by"];
    if (by.contains("kind") && by["kind"].is_string()) kind = by["kind"].get<std::string>();
    if (by.contains("name") && by["name"].is_string()) column = by["name"].get<std::string>();
  }
  if (kind.empty() && cells.contains("groups") && cells["groups"].is_string())
    column = cells["groups"].get<std::string>();
  cells["category_colors"] = json::object();
  if (kind != "gene" && !column.empty() && !flat.empty())
    cells["category_colors"][column] = std::move(flat);
}

void layersV1toV2(json& layers) {
  if (!layers.is_array()) return;  // the reader names the key
  for (auto& l : layers)
    cellsColorsV1toV2(l);
}

// 1 → 2: category colours per column (above); "selection", the cells selected now, is new and
// starts empty.
void v1toV2(json& j) {
  if (j.contains("layers")) layersV1toV2(j["layers"]);
  if (j.contains("waypoints") && j["waypoints"].is_array())
    for (auto& w : j["waypoints"])
      if (w.is_object() && w.contains("layers")) layersV1toV2(w["layers"]);
  j["selection"] = json::array();
  j["tessera_session"] = 2;
}

}  // namespace

Expected<json> migrateSession(json j, int version, const std::string& what) {
  if (version < 1)
    return fail(Errc::Corrupt, what + ": \"tessera_session\" must be a version of 1 or more");
  if (version == 1) {
    v1toV2(j);
    version = 2;
  }
  // 2 → 3: "classifier" is new and optional (no labels); nothing older changes shape.
  if (version == 2) {
    j["tessera_session"] = 3;
    version = 3;
  }
  // 3 → 4: a cells layer's "basis", "gene_search" and "hidden_transcript_genes" are new and
  // optional (the table's default embedding, no search, every transcript drawn), as a version 3
  // window showed them after opening; so is a layer of kind "annotations" (without one, the
  // annotations are drawn on top, where version 3 drew them).
  if (version == 3) {
    j["tessera_session"] = 4;
    version = 4;
  }
  return j;
}

}  // namespace tessera::data
