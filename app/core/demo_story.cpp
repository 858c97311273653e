#include "app/core/demo_story.h"

#include <QFile>

#include "data/session/session_file.h"

// The resources live in a static library whose initialiser the linker would otherwise drop;
// Q_INIT_RESOURCE must be used outside any namespace (repeating it is harmless).
static void initStoryResources() {
  Q_INIT_RESOURCE(tessera);
}

namespace tessera::app {

data::Expected<data::Session> demoStory() {
  initStoryResources();
  QFile f(QStringLiteral(":/stories/demo.tessera"));
  if (!f.open(QIODevice::ReadOnly))
    return data::fail(data::Errc::Io, "the built-in demo story is missing from this build");
  return data::parseSession(f.readAll().toStdString(), "demo-story.tessera");
}

}  // namespace tessera::app
