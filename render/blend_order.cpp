#include "render/blend_order.h"

#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkObjectFactory.h>
#include <vtkOpenGLActor.h>
#include <vtkOpenGLRenderWindow.h>
#include <vtkOpenGLRenderer.h>
#include <vtkOpenGLState.h>
#include <vtkPropCollection.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTexture.h>
#include <vtk_glew.h>

#include <algorithm>
#include <vector>

namespace tessera::render {
namespace {

// Draws with src-alpha / one blending: its colour (times its opacity) is added to the frame.
// vtkOpenGLActor::Render leaves the blend function alone, so it is set around it and restored.
class AddingActor : public vtkOpenGLActor {
 public:
  static AddingActor* New();
  vtkTypeMacro(AddingActor, vtkOpenGLActor);
  void Render(vtkRenderer* renderer, vtkMapper* mapper) override {
    auto* window = vtkOpenGLRenderWindow::SafeDownCast(renderer->GetRenderWindow());
    if (!window) return vtkOpenGLActor::Render(renderer, mapper);
    vtkOpenGLState* state = window->GetState();
    vtkOpenGLState::ScopedglBlendFuncSeparate saved(state);
    state->vtkglBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE, GL_ZERO, GL_ONE);
    vtkOpenGLActor::Render(renderer, mapper);
  }
};
vtkStandardNewMacro(AddingActor);

// Blended actors drawn in the opaque pass: they need everything behind them drawn first.
bool blendsInOpaquePass(vtkProp* prop) {
  auto* actor = vtkActor::SafeDownCast(prop);
  if (!actor || !actor->GetVisibility() || !actor->GetForceOpaque()) return false;
  if (AddingActor::SafeDownCast(actor)) return true;
  if (actor->GetProperty()->GetOpacity() < 1.0) return true;
  auto* texture = actor->GetTexture();
  return texture && texture->IsTranslucent();
}

void orderProps(vtkObject* caller, unsigned long, void*, void*) {
  auto* renderer = static_cast<vtkRenderer*>(caller);
  vtkPropCollection* props = renderer->GetViewProps();
  std::vector<vtkProp*> current, order;
  std::vector<std::pair<double, vtkProp*>> blended;
  vtkCollectionSimpleIterator it;
  props->InitTraversal(it);
  while (vtkProp* p = props->GetNextProp(it)) {
    current.push_back(p);
    if (blendsInOpaquePass(p))
      blended.emplace_back(p->GetBounds()[4], p);
    else
      order.push_back(p);
  }
  if (blended.empty()) return;
  // The camera looks along +z: the largest z is the farthest, drawn first.
  std::stable_sort(blended.begin(), blended.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [z, p] : blended)
    order.push_back(p);
  if (order == current) return;
  // The collection itself, not Remove/AddViewProp: those would release graphics resources.
  std::vector<vtkSmartPointer<vtkProp>> hold(current.begin(), current.end());
  props->RemoveAllItems();
  for (vtkProp* p : order)
    props->AddItem(p);
}

}  // namespace

vtkSmartPointer<vtkActor> newAddingActor() {
  auto actor = vtkSmartPointer<AddingActor>::New();
  setBlended(*actor, true);
  return actor;
}

void setBlended(vtkActor& actor, bool blended) {
  actor.SetForceTranslucent(false);
  actor.SetForceOpaque(blended);
}

void useTranslucentPass(vtkRenderer* renderer) {
  vtkPropCollection* props = renderer->GetViewProps();
  vtkCollectionSimpleIterator it;
  props->InitTraversal(it);
  while (vtkProp* p = props->GetNextProp(it))
    if (blendsInOpaquePass(p)) {
      auto* actor = static_cast<vtkActor*>(p);
      actor->SetForceOpaque(false);
      actor->SetForceTranslucent(true);
    }
}

void installBlendOrder(vtkRenderer* renderer) {
  auto command = vtkSmartPointer<vtkCallbackCommand>::New();
  command->SetCallback(orderProps);
  renderer->AddObserver(vtkCommand::StartEvent, command);
}

}  // namespace tessera::render
