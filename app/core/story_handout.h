#pragma once
/// A story's handout as PDF (QPdfWriter): one A4 portrait page per waypoint with its title, the
/// rendered view (with its scale bar and the cells' legend), a legend of the image channels
/// shown, and the narration rendered from Markdown (QTextDocument::setMarkdown); a footer names
/// the story and the page. Pages are written as they come, so memory holds one page.
/// Needs a QGuiApplication (fonts); any one thread at a time.
/// The view sits at a fixed place: kHandoutMarginMm from the left, kHandoutImageTopMm from the
/// top, kHandoutImageWidthMm wide (its height follows its aspect), so a page rendered at
/// 101.6 DPI shows a 720 px wide view 1:1 at (60, 140) px.
#include <QString>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "data/error.h"
#include "render/offscreen_render.h"

class QPdfWriter;
class QPainter;

namespace tessera::app {

constexpr double kHandoutMarginMm = 15;
constexpr double kHandoutImageTopMm = 35;
constexpr double kHandoutImageWidthMm = 180;

struct StoryPage {
  std::string title;
  std::string narration;  ///< Markdown
  render::RenderedImage image;
  /// The image channels shown, with their colours (0xRRGGBB), for the channel legend.
  std::vector<std::pair<std::string, std::uint32_t>> channels;
};

class HandoutWriter {
 public:
  /// Starts `path` (an existing file is replaced when finish() succeeds); `storyTitle` goes into
  /// the footer and the PDF's title.
  static data::Expected<std::unique_ptr<HandoutWriter>> open(const QString& path,
                                                             const QString& storyTitle);
  ~HandoutWriter();
  /// Adds waypoint `number` of `count`: one page, and more when its narration does not fit.
  void addPage(const StoryPage& page, int number, int count);
  /// Pages written so far.
  int pages() const { return pages_; }
  /// Closes the PDF; Errc::Io naming the file when it cannot be written.
  data::Expected<void> finish();

 private:
  HandoutWriter() = default;
  QString path_, tmp_, story_;
  std::unique_ptr<QPdfWriter> writer_;
  std::unique_ptr<QPainter> painter_;
  bool first_ = true;
  int pages_ = 0;
};

}  // namespace tessera::app
