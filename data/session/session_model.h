#pragma once
/// The current Session and every change to it. Views observe the model (a plain callback per
/// observer, called after each change with what changed) and change it only through these
/// calls, so the window, the CLI and the saved file never disagree. Edits of display state,
/// colour-by, a dataset's axes, layers, selections, waypoints, annotations and the classifier's
/// labels go on an undo stack;
/// the camera does not (a pan is not an edit). Consecutive edits with the same merge key (one
/// slider drag) undo as one step. Single-threaded: the owner's thread (the GUI thread in the
/// window).
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/session/session.h"

namespace tessera::data {

enum class SessionChange {
  Reset,        ///< a new document (opening replaces the session); everything changed
  Datasets,     ///< datasets, layers or pairings added, removed or reordered
  Layer,        ///< one layer's display state (`layer` names it)
  Camera,       ///< centre, width, z/t
  Selections,   ///< named selections
  Waypoints,    ///< the waypoint list
  Annotations,  ///< the annotation list
  History,      ///< undo/redo availability or the unsaved-changes flag
  Selection,    ///< the current selection of cells
  Classifier,   ///< the Cell Classifier's labels
};

struct SessionEvent {
  SessionChange what = SessionChange::Reset;
  std::string layer;  ///< for SessionChange::Layer
};

class SessionModel {
 public:
  using Observer = std::function<void(const SessionEvent&)>;

  /// Keeps an observer registered while it lives (move-only; destroy it to stop observing).
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&&) noexcept = default;
    Subscription& operator=(Subscription&&) noexcept = default;
    ~Subscription();
    void reset();

   private:
    friend class SessionModel;
    Subscription(std::weak_ptr<std::map<int, Observer>> list, int id)
        : list_(std::move(list)), id_(id) {}
    std::weak_ptr<std::map<int, Observer>> list_;
    int id_ = -1;
  };

  SessionModel();
  ~SessionModel();
  SessionModel(const SessionModel&) = delete;
  SessionModel& operator=(const SessionModel&) = delete;

  const Session& session() const { return session_; }
  [[nodiscard]] Subscription observe(Observer observer);

  /// Replaces the whole document (opening a dataset or a session file): the undo history is
  /// cleared and the document counts as saved.
  void reset(Session session);

  // Undoable edits. `label` is what Undo names ("Undo Channel window"); edits with the same
  // non-empty `mergeKey` in a row merge into one step. Unknown layer ids are ignored.
  void setLayer(const SessionLayer& layer, const std::string& label,
                const std::string& mergeKey = {});
  void setChannels(const std::string& layer, const std::vector<ChannelState>& channels,
                   const std::string& mergeKey = {});
  void setCellsDisplay(const std::string& layer, const CellsDisplay& cells,
                       const std::string& label, const std::string& mergeKey = {});
  void setLayerVisible(const std::string& layer, bool visible);
  void setLayerOpacity(const std::string& layer, double opacity);
  /// Moves a layer to `index` in the drawing order (clamped).
  void moveLayer(const std::string& layer, int index);
  /// Removes a layer, and its dataset (and pairing) when no other layer draws it.
  void removeLayer(const std::string& layer);
  /// Adds a dataset with its layers on top (File ▸ Add), under the annotations; ids are made
  /// unique.
  void addDataset(SessionDataset dataset, std::vector<SessionLayer> layers,
                  std::optional<TablePairing> pairing = {});
  /// Reads a dataset with other axes (Interpret Axes): an undo step (event Datasets). The image
  /// layers drawing it lose their channels, which described the image read before; the app
  /// reopens the dataset when its reading changes and fills them in (adjust).
  void setDatasetAxes(const std::string& dataset, const std::string& axes);
  /// Reads another image of a dataset's container (a series, a plate's well and field; the
  /// Images dock) the same way: an undo step named `label`, event Datasets, its image layers'
  /// channels left for the app to fill in.
  void setDatasetSelection(const std::string& dataset, const ImageSelection& select,
                           const std::string& label = "Choose image");
  /// Shows another table of a dataset's SpatialData store (the table picker): one undo step
  /// named `label` doing chooseTable (session.h; `labels` as there) through setStructure, so that
  /// the old table's colouring, selections and classifier labels go with it and come back on Undo.
  void setDatasetTable(const std::string& dataset, const std::string& table,
                       const std::string& labels = {}, const std::string& label = "Choose table");
  /// The datasets, layers and pairings of `from` (a model's outputs added, some replaced) and
  /// its classifier labels and selections, named and current (they are rows of a table), as one
  /// undo step; the rest of the session (view, story) stays.
  void setStructure(const Session& from, const std::string& label);
  void setSelection(const std::string& name, std::vector<std::uint32_t> cells);
  void removeSelection(const std::string& name);
  /// The cells selected now (sorted and made unique here); `label` names the undo step.
  void setCurrentSelection(std::vector<std::uint32_t> cells,
                           const std::string& label = "Select cells");
  void setWaypoints(std::vector<Waypoint> waypoints, const std::string& label);
  void setAnnotations(nlohmann::json annotations, const std::string& label);
  /// The Cell Classifier's labels (a class labelled, removed, cleared): event Classifier.
  void setClassifier(ClassifierLabels labels, const std::string& label);

  /// Not undoable, not an unsaved change.
  void setCamera(const SessionCamera& camera);
  /// A change without an undo step: values the app derives itself (auto-contrast windows, the
  /// state a loaded table comes up in), or state kept by a panel until saving. `modifies` marks
  /// the document unsaved. The edit must change only what `event` names.
  void adjust(const std::function<void(Session&)>& edit, const SessionEvent& event, bool modifies);

  bool canUndo() const { return index_ > 0; }
  bool canRedo() const { return index_ < commands_.size(); }
  std::string undoLabel() const;
  std::string redoLabel() const;
  void undo();
  void redo();

  /// True when an edit was made (or undone) since the last reset() or markSaved().
  bool modified() const { return modified_; }
  void markSaved();

  static constexpr std::size_t kMaxUndo = 200;

 private:
  struct Command {
    std::string label, mergeKey;
    std::function<void(Session&)> undo, redo;
    std::vector<SessionEvent> events;
  };
  void push(Command command);
  void notify(const SessionEvent& event);
  void notifyAll(const std::vector<SessionEvent>& events);
  void updateModified();
  template <class Part>
  void editPart(Part Session::*part, Part value, SessionEvent event, const std::string& label);

  Session session_;
  std::shared_ptr<std::map<int, Observer>> observers_;
  int nextObserver_ = 0;
  std::vector<Command> commands_;
  std::size_t index_ = 0;  ///< commands_[0, index_) are done
  /// Position of index_ when the document was last saved; -1 when that state was dropped.
  long savedIndex_ = 0;
  bool modified_ = false;
  bool adjusted_ = false;   ///< an adjust() that modifies since the last save
  bool mergeable_ = false;  ///< the top command may absorb the next edit with its key
};

}  // namespace tessera::data
