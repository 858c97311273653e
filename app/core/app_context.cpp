#include "app/core/app_context.h"

#include <QCoreApplication>
#include <algorithm>
#include <thread>

namespace tessera::app {

AppContext::AppContext(std::size_t cacheMb)
    : tilePool(static_cast<int>(std::max(2u, std::thread::hardware_concurrency()))),
      jobPool(2),
      cache(cacheMb * 1024 * 1024, tilePool) {}

AppContext::~AppContext() {
  // A result still queued for the main thread (a gene fetch that finished as the window
  // closed) can hold the last reference to a cell table, whose expression engine closes its
  // reader on hdf5Pool. Left queued, it would be destroyed with the QApplication, after these
  // pools: a crash at exit (app_tst_classifier_genes, 1 run in 3). So such events are dropped
  // here, while the pools still run, until the pools are idle and nothing more is queued.
  for (int round = 0; round < 4; ++round) {
    jobPool.waitIdle();
    hdf5Pool.waitIdle();
    tilePool.waitIdle();
    if (!QCoreApplication::instance()) break;
    QCoreApplication::removePostedEvents(nullptr);
  }
  jobPool.waitIdle();
  hdf5Pool.waitIdle();
  tilePool.waitIdle();
}

}  // namespace tessera::app
