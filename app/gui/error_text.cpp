#include "app/gui/error_text.h"

#include <QRegularExpression>
#include <QStringList>

namespace tessera::app {
namespace {

// What a library's own words look like: struct fields (sblock->base_addr), snake_case names
// with values (stored_eof = 64568), addresses, HDF5 API names, errno.
bool looksInternal(const QString& s) {
  static const QRegularExpression internal(
      QStringLiteral(R"(->|\b[A-Za-z]+_[A-Za-z_]+\s*=|\b0x[0-9a-fA-F]+|\bH5[A-Z]|\berrno\b)"));
  return internal.match(s).hasMatch();
}

// The plain reading of a library detail the app knows, or empty.
QString plainReading(const QString& inner) {
  static const QRegularExpression truncated(
      QStringLiteral(R"(truncated file:\s*eof\s*=\s*(\d+).*stored_eof\s*=\s*(\d+))"));
  if (const auto m = truncated.match(inner); m.hasMatch())
    return QObject::tr("the file is cut short: %1 of %2 bytes").arg(m.captured(1), m.captured(2));
  if (inner.contains(QLatin1String("signature"), Qt::CaseInsensitive))
    return QObject::tr("not an HDF5 file");
  return {};
}

QString plainLine(const QString& line, bool& changed) {
  QString out;
  QStringList readings;
  int depth = 0, open = -1;
  for (int i = 0; i < line.size(); ++i) {
    const QChar c = line[i];
    if (c == '(') {
      if (depth++ == 0) open = i;
      continue;
    }
    if (c == ')' && depth > 0) {
      if (--depth == 0) {
        const QString inner = line.mid(open + 1, i - open - 1);
        if (looksInternal(inner)) {
          changed = true;
          while (out.endsWith(' '))
            out.chop(1);
          if (const QString r = plainReading(inner); !r.isEmpty()) readings << r;
        } else {
          out += '(' + inner + ')';
        }
      }
      continue;
    }
    if (depth == 0) out += c;
  }
  if (depth > 0) out += line.mid(open);  // an unbalanced '(' stays as written
  if (!readings.isEmpty()) out += QStringLiteral(": ") + readings.join(QStringLiteral("; "));
  return out;
}

}  // namespace

ErrorText splitErrorText(const QString& message) {
  bool changed = false;
  QStringList lines;
  for (const QString& line : message.split('\n'))
    lines << plainLine(line, changed);
  if (!changed) return {message, {}};
  return {lines.join('\n'), message};
}

}  // namespace tessera::app
