#pragma once
/// The Cell Classifier's prediction stored beside a saved session, so that reopening it shows the
/// predicted column at once instead of training again. The window writes it on every save into
/// the session's data folder ("NAME.tessera-data/classifier-prediction.json", where Run Model's
/// outputs go) and removes it when there is nothing current to store:
///
///   {"tessera": "classifier-prediction", "version": 1,
///    "labels": {...},          (Session::classifier as the session file has it, the prediction's
///                               source; a saved classifier's "file" relative to the session)
///    "source": "...",          (the table file as the app fingerprints it)
///    "cells": 1200, "classes": ["A", "B"],
///    "predicted": [0, 1, ...], "confidence": [0.93, ...],      (one per cell)
///    "confusion": {"classes": [...], "counts": [[...], ...]}}   (cross-validation; may be empty)
///
/// A stored prediction is trusted only when checkStoredPrediction finds it made from the labels
/// the session holds now, for a table of the same source and cell count; a damaged or stale
/// file is the caller's to discard. Pure functions and file I/O; any thread.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/session/session.h"

namespace tessera::data {

struct StoredPrediction {
  ClassifierLabels labels;  ///< what it was predicted from ("file" absolute in memory)
  std::string source;       ///< the table's fingerprint (location, size, time), opaque here
  std::vector<std::string> classNames;
  std::vector<std::int32_t> classes;  ///< per cell, index into classNames
  std::vector<float> confidence;      ///< per cell, [0, 1]
  std::vector<std::string> confusionClasses;
  std::vector<std::vector<int>> confusion;  ///< rows = true class, cols = predicted
  bool operator==(const StoredPrediction&) const = default;
};

/// The file of a session's stored prediction inside its data folder `dataDir`.
std::filesystem::path storedPredictionFile(const std::filesystem::path& dataDir);

/// Writes atomically (creating the folder); `sessionDir` makes labels.file relative.
Expected<void> writeStoredPrediction(const StoredPrediction& p, const std::filesystem::path& file,
                                     const std::filesystem::path& sessionDir);
/// Reads and checks the file's own consistency (Errc::NotFound when there is none,
/// Errc::Corrupt naming the file and what is wrong).
Expected<StoredPrediction> readStoredPrediction(const std::filesystem::path& file,
                                                const std::filesystem::path& sessionDir);
/// Whether `p` is the prediction of `labels` over a table of `cells` rows from `source`:
/// Errc::InvalidArgument saying what differs.
Expected<void> checkStoredPrediction(const StoredPrediction& p, const ClassifierLabels& labels,
                                     const std::string& source, std::size_t cells);

}  // namespace tessera::data
