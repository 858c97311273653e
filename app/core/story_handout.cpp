#include "app/core/story_handout.h"

#include <QAbstractTextDocumentLayout>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

#include <algorithm>

namespace tessera::app {
namespace {

constexpr int kDpi = 300;

double mm(double v) {
  return v * kDpi / 25.4;
}

QColor rgb(std::uint32_t c) {
  return QColor((c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF);
}

// Where a page of `doc` that starts at `from` ends, at or above `limit` (document units): after
// the last paragraph that fits whole, else after the last line that fits (a paragraph longer
// than the room); `from` when not even a line fits. Paragraph ends are preferred because
// drawContents draws every paragraph its clip touches: one split by lines is drawn (clipped) on
// both pages, and a PDF reader's text search would find it twice.
double pageBreak(const QTextDocument& doc, double from, double limit) {
  const double total = doc.size().height();
  if (limit >= total) return total;
  double afterBlock = from, afterLine = from;
  auto* layout = doc.documentLayout();
  for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
    const QRectF box = layout->blockBoundingRect(b);
    if (box.top() > limit) break;
    if (box.bottom() > from && box.bottom() <= limit) afterBlock = box.bottom();
    const QTextLayout* lines = b.layout();
    for (int i = 0; lines && i < lines->lineCount(); ++i) {
      const double end = box.top() + lines->lineAt(i).rect().bottom();
      if (end > from && end <= limit) afterLine = std::max(afterLine, end);
    }
  }
  return afterBlock > from ? afterBlock : afterLine;
}

}  // namespace

data::Expected<std::unique_ptr<HandoutWriter>> HandoutWriter::open(const QString& path,
                                                                   const QString& storyTitle) {
  std::unique_ptr<HandoutWriter> w(new HandoutWriter);
  w->path_ = path;
  // Written beside the target and renamed at the end: a failed or cancelled export leaves the
  // previous file as it was.
  w->tmp_ = path + QStringLiteral(".part");
  w->story_ = storyTitle;
  w->writer_ = std::make_unique<QPdfWriter>(w->tmp_);
  w->writer_->setResolution(kDpi);
  w->writer_->setPageSize(QPageSize(QPageSize::A4));
  w->writer_->setPageMargins(QMarginsF(0, 0, 0, 0));
  w->writer_->setTitle(storyTitle);
  w->writer_->setCreator(QStringLiteral("Tessera"));
  w->painter_ = std::make_unique<QPainter>();
  if (!w->painter_->begin(w->writer_.get()))
    return data::fail(data::Errc::Io, path.toStdString() + ": cannot be written");
  return w;
}

HandoutWriter::~HandoutWriter() {
  if (painter_ && painter_->isActive()) {
    painter_->end();
    QFile::remove(tmp_);
  }
}

void HandoutWriter::addPage(const StoryPage& page, int number, int count) {
  QPainter& p = *painter_;
  if (!first_) writer_->newPage();
  first_ = false;
  ++pages_;
  const double left = mm(kHandoutMarginMm), width = mm(kHandoutImageWidthMm);
  const double pageH = writer_->height();

  // Title, with the page's place in the story above it.
  QFont small(QStringLiteral("DejaVu Sans"), 9);
  p.setFont(small);
  p.setPen(QColor(110, 110, 110));
  p.drawText(QRectF(left, mm(kHandoutMarginMm - 4), width, mm(5)), Qt::AlignLeft | Qt::AlignTop,
             QObject::tr("%1 · %2 of %3").arg(story_).arg(number).arg(count));
  QFont title(QStringLiteral("DejaVu Sans"), 18, QFont::Bold);
  p.setFont(title);
  p.setPen(Qt::black);
  const QString heading = page.title.empty() ? QObject::tr("Waypoint %1").arg(number)
                                             : QString::fromStdString(page.title);
  p.drawText(QRectF(left, mm(kHandoutMarginMm + 1), width, mm(kHandoutImageTopMm - 17)),
             Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, heading);

  // The view, 1:1 at 101.6 DPI for a 720 px wide frame.
  const auto& im = page.image;
  double y = mm(kHandoutImageTopMm);
  if (im.width > 0 && im.height > 0) {
    const QImage frame(im.rgb.data(), im.width, im.height, im.width * 3, QImage::Format_RGB888);
    const double h = width * im.height / im.width;
    // Flate, not JPEG: single cells stay sharp, and the page holds the rendered pixels.
    p.setRenderHint(QPainter::LosslessImageRendering);
    p.drawImage(QRectF(left, y, width, h), frame);
    y += h;
  }

  // The channels shown: a swatch and a name each, in one wrapping row.
  y += mm(3);
  p.setFont(small);
  const QFontMetricsF fm(small, writer_.get());
  double x = left;
  for (const auto& [name, color] : page.channels) {
    const QString label = QString::fromStdString(name);
    const double w = mm(4.5) + fm.horizontalAdvance(label) + mm(5);
    if (x + w > left + width && x > left) {
      x = left;
      y += mm(5.5);
    }
    p.fillRect(QRectF(x, y + mm(0.5), mm(3.5), mm(3.5)), rgb(color));
    p.setPen(Qt::black);
    p.drawText(QRectF(x + mm(4.5), y, w, mm(4.5)), Qt::AlignLeft | Qt::AlignVCenter, label);
    x += w;
  }
  if (!page.channels.empty()) y += mm(6);

  // The narration, from Markdown, in the space left above the footer; what does not fit goes on
  // continuation pages, broken between lines.
  y += mm(3);
  QTextDocument doc;
  doc.documentLayout()->setPaintDevice(writer_.get());
  doc.setDefaultFont(QFont(QStringLiteral("DejaVu Sans"), 11));
  doc.setMarkdown(QString::fromStdString(page.narration));
  doc.setTextWidth(width);
  const double bottom = pageH - mm(20), total = doc.size().height();
  double from = 0;
  for (int part = 0;; ++part) {
    if (part > 0) {
      writer_->newPage();
      ++pages_;
      p.setFont(small);
      p.setPen(QColor(110, 110, 110));
      p.drawText(QRectF(left, mm(kHandoutMarginMm - 4), width, mm(5)), Qt::AlignLeft | Qt::AlignTop,
                 QObject::tr("%1 · %2 (continued)").arg(story_, heading));
      y = mm(kHandoutMarginMm + 4);
    }
    const double limit = from + std::max(bottom - y, 0.0);
    double to = pageBreak(doc, from, limit);
    if (to <= from && part > 0) to = limit;  // a line taller than a whole page is cut
    if (to > from) {
      p.save();
      p.translate(left, y - from);
      // Half a device pixel inside the break, so the paragraphs ending or starting exactly
      // there (which the layout counts as touching the clip) are left to their own page.
      const double top = from > 0 ? from + 0.5 : from, end = to < total ? to - 0.5 : to;
      doc.drawContents(&p, QRectF(0, top, width, end - top));
      p.restore();
    }
    p.setFont(QFont(QStringLiteral("DejaVu Sans"), 8));
    p.setPen(QColor(130, 130, 130));
    p.drawText(QRectF(left, pageH - mm(14), width, mm(5)), Qt::AlignRight | Qt::AlignVCenter,
               QObject::tr("Tessera story handout · page %1 of %2").arg(number).arg(count));
    if (to >= total) break;
    from = to;
  }
}

data::Expected<void> HandoutWriter::finish() {
  painter_->end();
  painter_.reset();
  writer_.reset();  // flushes the file
  if (!QFileInfo(tmp_).isFile() || QFileInfo(tmp_).size() == 0)
    return data::fail(data::Errc::Io, path_.toStdString() + ": cannot be written");
  QFile::remove(path_);
  if (!QFile::rename(tmp_, path_)) {
    QFile::remove(tmp_);
    return data::fail(data::Errc::Io, path_.toStdString() + ": cannot be written");
  }
  return {};
}

}  // namespace tessera::app
