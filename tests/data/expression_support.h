#pragma once
// Shared by tst_expression and tst_expression_cache: the generated cases (per test executable,
// so that the two can run at once), typed waits on the engine's callbacks, readers over the
// case files and scipy's markers for the first case.
#include <QCoreApplication>
#include <QtTest>

#include <future>

#include "../fixtures/expression/cases.h"

#include "data/anndata/h5ad_reader.h"
#include "data/expression/expression_engine.h"
#include "data/expression/x_reader.h"

namespace expression_support {

using namespace tessera::data;
using expression_cases::close;
namespace fs = std::filesystem;

inline std::string workName() {
  return QCoreApplication::applicationName().toStdString();
}

inline const auto& cases() {
  static const std::string name = workName();
  return expression_cases::load(name.c_str());
}

inline std::vector<fs::path> tableFiles() {
  std::vector<fs::path> files;
  for (const auto& c : cases().json["cases"])
    files.push_back(cases().dir / c["file"].get<std::string>());
  const fs::path fx = fs::path(TESSERA_TEST_DATA_DIR) / "anndata";
  for (const char* f : {"v0.7.8.h5ad", "v0.8_rich.h5ad", "pbmc68k_reduced_v0.5.h5ad"})
    files.push_back(fx / f);
  return files;
}

template <class T>
Expected<T> await(const std::function<void(ExpressionEngine::Callback<T>)>& start) {
  auto p = std::make_shared<std::promise<Expected<T>>>();
  auto f = p->get_future();
  start([p](Expected<T> r) { p->set_value(std::move(r)); });
  return f.get();
}

inline CscMatrix readAll(const fs::path& path) {
  auto x = probeXMatrix(path);
  if (!x) qFatal("%s", x.error().message.c_str());
  auto r = XReader::open(*x);
  if (!r) qFatal("%s", r.error().message.c_str());
  auto m = r->readGenes(0, x->cols);
  if (!m) qFatal("%s", m.error().message.c_str());
  return std::move(*m);
}

inline fs::path freshDir(const char* name) {
  const fs::path d = fs::path(TESSERA_TEST_WORK_DIR) / (workName() + "-cache") / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline std::vector<fs::path> filesIn(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    out.push_back(e.path());
  return out;
}

inline std::unique_ptr<ExpressionEngine> engineFor(const fs::path& file, Executor& hdf5,
                                                   Executor& workers,
                                                   ExpressionEngine::Options opt) {
  auto x = probeXMatrix(file);
  if (!x) qFatal("%s", x.error().message.c_str());
  return std::make_unique<ExpressionEngine>(*x, hdf5, workers, std::move(opt));
}

// The "beta" group of a case file and scipy's markers for it (selection 0 of the first case).
inline std::vector<std::uint8_t> betaMask(const fs::path& file) {
  auto f = H5adFile::open(file);
  const auto codes = *f->readObsCodes("group");
  std::vector<std::uint8_t> mask(codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i)
    mask[i] = codes[i] == 1;
  return mask;
}

// Every gene's z and p equal scipy's (cases.json, the first case's first selection).
inline void compareWithScipy(const std::vector<MarkerGene>& all) {
  const auto& sel = cases().json["cases"][0]["selections"][0]["genes"];
  QCOMPARE(all.size(), sel.size());
  std::vector<MarkerGene> byGene = all;
  std::sort(byGene.begin(), byGene.end(), [](auto& a, auto& b) { return a.gene < b.gene; });
  for (std::size_t g = 0; g < byGene.size(); ++g) {
    QVERIFY(close(sel[g]["z"].get<double>(), byGene[g].score, 1e-9));
    const double p = sel[g]["pval"].get<double>();
    QVERIFY(std::abs(p - byGene[g].pval) <= 1e-6 * p || (p == 0 && byGene[g].pval < 1e-290));
    const double q = sel[g]["pval_adj"].get<double>();
    QVERIFY(std::abs(q - byGene[g].pvalAdj) <= 1e-6 * q || (q == 0 && byGene[g].pvalAdj < 1e-290));
  }
}

}  // namespace expression_support
