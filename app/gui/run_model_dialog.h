#pragma once
/// Analysis ▸ Run Model…: the model (a bare .onnx, or a BioImage Model Zoo package: folder, zip
/// or rdf.yaml), the image channels fed to it, the region (the part of the image in view, or
/// all of it), the pyramid level, and whether the output is labelled into cells (watershed on
/// a foreground channel, optionally a boundary channel). Only gathers the choice; ModelActions
/// runs it. GUI thread only.
#include <QDialog>
#include <cstdint>
#include <optional>
#include <vector>

#include "data/image_info.h"
#include "render/view_camera.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QRadioButton;
class QSpinBox;

namespace tessera::app {

struct RunModelChoice {
  QString model;
  std::vector<std::int64_t> channels;  ///< empty: all, when the model takes that many
  bool wholeImage = false;
  int level = 0;
  /// Region in pixels of `level` (used when !wholeImage).
  std::int64_t x = 0, y = 0, width = 0, height = 0;
  bool instances = false;
  int foreground = 0;
  std::optional<int> boundary;
};

/// The part of `view` (level-0 pixels) inside the image, in pixels of `level`; empty (width 0)
/// when the view does not overlap the image.
void viewRegion(const data::ImageInfo& info, int level, const render::Rect& view,
                RunModelChoice& choice);

class RunModelDialog : public QDialog {
  Q_OBJECT
 public:
  /// `view` is the visible part of the image in level-0 pixels.
  RunModelDialog(const data::ImageInfo& info, const render::Rect& view, QWidget* parent = nullptr);
  RunModelChoice choice() const;

  QLineEdit* modelEdit() const { return model_; }
  QListWidget* channelList() const { return channels_; }
  QRadioButton* wholeImageButton() const { return whole_; }
  QSpinBox* levelBox() const { return level_; }
  QCheckBox* instancesBox() const { return instances_; }
  QSpinBox* foregroundBox() const { return foreground_; }
  QSpinBox* boundaryBox() const { return boundary_; }

 private:
  void browse();
  void updateRegionText();

  data::ImageInfo info_;
  render::Rect view_;
  QLineEdit* model_ = nullptr;
  QListWidget* channels_ = nullptr;
  QRadioButton* inView_ = nullptr;
  QRadioButton* whole_ = nullptr;
  QSpinBox* level_ = nullptr;
  QLabel* region_ = nullptr;
  QCheckBox* instances_ = nullptr;
  QSpinBox* foreground_ = nullptr;
  QSpinBox* boundary_ = nullptr;
};

}  // namespace tessera::app
