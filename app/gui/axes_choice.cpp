#include "app/gui/axes_choice.h"

#include <QCryptographicHash>
#include <QInputDialog>
#include <QMessageBox>
#include <QSettings>
#include <filesystem>

namespace tessera::app {
namespace {

// URLs are kept as typed; paths made absolute, so "./a.n5" and "/x/a.n5" are one dataset.
QString datasetKey(const std::string& input) {
  if (input.find("://") != std::string::npos) return QString::fromStdString(input);
  std::error_code ec;
  const auto p = std::filesystem::absolute(input, ec).lexically_normal();
  return QString::fromStdString(ec ? input : p.string());
}

QString group(const QString& key) {
  return QStringLiteral("imageAxes/") +
         QString::fromLatin1(
             QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha1).toHex());
}

bool validAxes(const QString& axes, std::size_t rank) {
  if (static_cast<std::size_t>(axes.size()) != rank) return false;
  for (int i = 0; i < axes.size(); ++i)
    if (!QStringLiteral("tczyx").contains(axes[i]) || axes.indexOf(axes[i]) != i) return false;
  return axes.contains('y') && axes.contains('x');
}

}  // namespace

bool canInterpretAxes(const data::ImageInfo& info) {
  return info.format == "zarr-array" || info.format == "n5";
}

std::optional<QString> askAxes(QWidget* parent, const data::ImageInfo& info) {
  QString current;
  for (const auto& a : info.storedAxes)
    current += QString::fromStdString(a);
  const std::size_t rank = info.storedAxes.size();
  // The stored shape, in stored order, so the user can tell which dimension is which.
  QStringList dims;
  for (const auto& a : info.storedAxes) {
    const int slot = QStringLiteral("tczyx").indexOf(QString::fromStdString(a));
    dims << QString::number(info.levels[0].shape[static_cast<std::size_t>(std::max(slot, 0))]);
  }
  for (;;) {
    bool ok = false;
    const QString answer =
        QInputDialog::getText(parent, QObject::tr("Interpret axes"),
                              QObject::tr("Shape %1 (stored order).\nName each dimension with one "
                                          "of t, c, z, y, x (y and x required), e.g. %2:")
                                  .arg(dims.join(QStringLiteral(" × ")), current),
                              QLineEdit::Normal, current, &ok)
            .trimmed()
            .toLower();
    if (!ok || answer == current) return std::nullopt;
    if (validAxes(answer, rank)) return answer;
    QMessageBox::warning(parent, QObject::tr("Interpret axes"),
                         QObject::tr("\"%1\" does not name %2 dimensions with distinct letters "
                                     "of t, c, z, y, x including y and x.")
                             .arg(answer)
                             .arg(rank));
  }
}

void saveAxesChoice(const std::string& input, const QString& axes) {
  const QString key = datasetKey(input);
  QSettings settings;
  settings.remove(group(key));
  if (axes.isEmpty()) return;
  settings.beginGroup(group(key));
  settings.setValue("path", key);
  settings.setValue("axes", axes);
}

QString loadAxesChoice(const std::string& input) {
  const QString key = datasetKey(input);
  QSettings settings;
  settings.beginGroup(group(key));
  if (settings.value("path").toString() != key) return {};
  return settings.value("axes").toString();
}

}  // namespace tessera::app
