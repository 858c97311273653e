#include <QApplication>
#include <QSettings>
#include <QSurfaceFormat>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "app/core/app_context.h"
#include "app/core/memory_policy.h"
#include "app/gui/main_window.h"
#include "app/gui/remote_setup.h"

int main(int argc, char** argv) {
  tessera::app::applyMemoryPolicy();
  std::vector<std::string> args(argv + 1, argv + argc);
  tessera::app::GuiOptions gui;
  if (const int rc = tessera::app::runCli(args, gui); rc >= 0) return rc;

  QApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
  QApplication app(argc, argv);
  QApplication::setOrganizationName("tessera");
  QApplication::setApplicationName("tessera");
  QGuiApplication::setDesktopFileName("tessera");
  QSettings settings;
  std::size_t cacheMb = gui.cacheMb;
  if (cacheMb == 0)
    cacheMb = settings.value("cache/mb", static_cast<qulonglong>(tessera::app::kDefaultCacheMb))
                  .toULongLong();
  else
    settings.setValue("cache/mb", static_cast<qulonglong>(cacheMb));

  const auto http = tessera::app::installRemoteContext();
  tessera::app::AppContext ctx(cacheMb);
  tessera::app::MainWindow window(ctx);
  window.show();
  QStringList inputs;
  for (const auto& in : gui.inputs)
    inputs << QString::fromStdString(in);
  if (inputs.isEmpty()) inputs << QStringLiteral("demo");
  window.openInputs(inputs);
  return app.exec();
}
