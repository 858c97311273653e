#pragma once
/// Runs a program to completion for the app tests: the real `tessera` executable
/// (TESSERA_EXE) as a user or script would, or the reference python (TESSERA_PYTHON).
/// Test-only; blocks the calling thread until the program ends or times out.
#include <QByteArray>
#include <QDebug>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace tessera::test {

struct Run {
  int code = -1;  ///< exit code; -1 when it timed out (and was killed), -2 when it crashed
  QByteArray out, err;
};

inline Run runProgram(const QString& program, const QStringList& args, int timeoutMs = 600000) {
  QProcess p;
  p.start(program, args);
  Run r;
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    return r;
  }
  r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

inline Run runTessera(const QStringList& args, int timeoutMs = 600000) {
  return runProgram(qEnvironmentVariable("TESSERA_EXE"), args, timeoutMs);
}

/// Runs the reference python (a fixture writer); false, with its stderr as a warning, when it
/// fails.
inline bool runPython(const QStringList& args, int timeoutMs = 120000) {
  const auto r = runProgram(QStringLiteral(TESSERA_PYTHON), args, timeoutMs);
  if (r.code != 0) qWarning("%s", r.err.constData());
  return r.code == 0;
}

}  // namespace tessera::test
