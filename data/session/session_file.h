#pragma once
/// The `*.tessera` session file: UTF-8 JSON holding one Session.
///
///   {"tessera_session": 4,
///    "datasets": [{"id": "image", "kind": "image", "path": "data/tissue.ome.zarr"},
///                 {"id": "cells", "kind": "table", "url": "https://…/cells.h5ad"},
///                 {"id": "demo", "kind": "image", "builtin": "demo"},
///                 {"id": "stack", "kind": "image", "path": "a.n5", "series": 1, "axes": "czyx"}],
///    "view": {"center": [x, y], "width": w, "height": h, "viewport": [W, H], "t": 0, "z": 0},
///    "layers": [{"id", "kind": "image|cells|labels|transcripts|annotations", "dataset", "name",
///                "visible",
///                "opacity", "channels": [{"name", "color": "#rrggbb", "lut", "window": [a, b],
///                "gamma", "inverted", "visible"}], "cells": {"color_by": {"kind", "name"}, "lut",
///                "range": [a, b], "style", "point_size", "groups", "hidden_categories",
///                "category_colors": {"leiden": {"3": "#rrggbb"}}, "profile_genes", "basis":
///                "X_umap", "gene_search", "hidden_transcript_genes": [names]}}],
///    "pairings": [{"table", "image", "affine": [[a,b,c],[d,e,f]], "frame"}],
///    "selections": {"name": [cell indices]},
///    "selection": [cell indices selected now],
///    "waypoints": [{"title", "narration", "view": {"center", "width"}, "layers": [...],
///                   "reveal": "layer or channel", "selection": "name",
///                   "annotations": true|false}],
///    "annotations": [...],
///    "classifier": {"table", "classes": [{"name", "cells": [cell indices]}], "features",
///                   "file": "a saved classifier applied, relative like paths"}}
///
/// A dataset's "series", "well" and "field" pick the image of a container; "axes" names the
/// dimensions of a bare zarr array or N5 dataset (as `--axes`). The view is in level-0 pixels of
/// the first image. Local paths are written relative to the
/// session file, so a session moved together with its data opens in the new place; relative
/// paths are resolved against the file's folder when read (`../../` included). Reading only
/// describes datasets: it never opens, creates or writes them. Writes are atomic
/// (atomic_file.h). A file from a newer Tessera is refused with a message; older versions are
/// migrated on reading. Pure functions plus file I/O; any thread.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "data/error.h"
#include "data/session/session.h"

namespace tessera::data {

/// 1: the first format. 2: "selection" (the cells selected now); "category_colors" per column.
/// 3: "classifier" (the Cell Classifier's labels, classifier_json.h). 4: a cells layer's
/// "basis", "gene_search" and "hidden_transcript_genes"; an "annotations" layer (no dataset)
/// places the annotations in the layer order.
constexpr int kSessionVersion = 4;
constexpr const char* kSessionExtension = ".tessera";

/// `sessionDir` is the folder local paths are written relative to (empty: kept absolute).
nlohmann::json sessionToJson(const Session& session, const std::filesystem::path& sessionDir);
/// `what` names the source in errors ("session.tessera"); relative paths resolve against
/// `sessionDir`. Errors: Errc::Unsupported for a newer version, Errc::Corrupt naming the key.
Expected<Session> sessionFromJson(const nlohmann::json& j, const std::filesystem::path& sessionDir,
                                  const std::string& what);

/// Parses session text; "FILE: not valid JSON at line N" for broken or truncated text.
Expected<Session> parseSession(const std::string& text, const std::filesystem::path& file);
Expected<Session> readSessionFile(const std::filesystem::path& file);
/// Writes atomically. Refuses a target that is, or lies inside, one of the session's datasets.
Expected<void> writeSessionFile(const Session& session, const std::filesystem::path& file);

/// True when `path` names a session file (by its extension).
bool isSessionFile(const std::string& path);

}  // namespace tessera::data
