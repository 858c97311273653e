#pragma once
/// The session file's "classifier" entry (Session::classifier, the Cell Classifier's labels):
///
///   "classifier": {"table": "cells",
///                  "classes": [{"name": "immune", "cells": [3, 17, 40]}, ...],
///                  "features": ["area", "CD45", ...],
///                  "file": "classifier.yaml"}   (a saved classifier applied, the dock's Load…)
///
/// Kept apart from session_file.cpp, which holds the rest of the format and makes "file" relative
/// to the session file (as dataset paths). Pure functions; any
/// thread. Errors: Errc::Corrupt naming the key (`where` is the file's name and the key path).
#include <string>

#include <nlohmann/json.hpp>

#include "data/error.h"
#include "data/session/session.h"

namespace tessera::data {

nlohmann::json classifierToJson(const ClassifierLabels& labels);
/// Cell lists come back sorted and unique; class names must be non-empty and distinct.
Expected<ClassifierLabels> classifierFromJson(const nlohmann::json& j, const std::string& where);

}  // namespace tessera::data
