#pragma once
/// Translucent layers without VTK's translucent pass. With depth peeling off, VTK 9.1 sends every
/// translucent actor through vtkOrderIndependentTranslucentPass, ~100 ms a frame on llvmpipe.
/// Every layer here is a flat sheet at a known z, so the opaque pass can draw them instead with
/// plain GL blending (VTK leaves GL_BLEND on, src-alpha / one-minus-src-alpha), provided each
/// blended sheet is drawn after everything it covers: the renderer's prop order (the order of
/// the opaque pass) is rearranged before each render so that blended actors come last, farthest
/// first. Texels with alpha 0 are discarded by VTK's fragment shader, so they write no depth.
/// - setBlended(actor, true): the actor draws in the opaque pass and is ordered as blended
///   whenever its opacity is below 1 or its texture is translucent.
/// - installBlendOrder(renderer): done by setupRenderer() (a second call only sorts twice).
/// Where two blended sheets overlap the result is the exact "over" composite (the translucent
/// pass only approximates it: weighted blended OIT). UI thread (the render thread) only.
/// - newAddingActor(): an actor that adds its colour, times its opacity, onto what is drawn
///   behind it (GL blending one-and-one) instead of covering it; always ordered as blended.
class vtkActor;
class vtkRenderer;
template <class T>
class vtkSmartPointer;

namespace tessera::render {

vtkSmartPointer<vtkActor> newAddingActor();

void setBlended(vtkActor& actor, bool blended);
void installBlendOrder(vtkRenderer* renderer);
/// Sends the renderer's currently blended actors back to VTK's translucent pass (the previous
/// path), for comparisons in tests and benchmarks. Layers set their actors again as they change.
void useTranslucentPass(vtkRenderer* renderer);

}  // namespace tessera::render
