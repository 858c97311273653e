#pragma once
/// `tessera markers INPUT --groupby COL --group VALUE [--top N] [--json]` and
/// `tessera markers INPUT --group @selection.json [--top N] [--json]`: marker genes of a group
/// (or of a list of cells) against every other cell, by the expression engine's Wilcoxon
/// rank-sum test (data/expression/differential.h). Prints a JSON list
/// [{gene, score, logfoldchange, pval, pval_adj, mean_in, mean_out, frac_in, frac_out}] best
/// first, or an aligned table. Runs on the CLI's main thread (the only HDF5 user); the tests
/// fan out to AppContext::tilePool. Errors: one line naming the file and column/value/id.
#include <string>
#include <vector>

namespace tessera::app {

int runMarkers(const std::vector<std::string>& args, std::size_t cacheMb);

}  // namespace tessera::app
