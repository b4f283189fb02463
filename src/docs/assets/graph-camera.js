// Pan and zoom of the docs site's graph without redrawing it while the gesture lasts: a drag or a
// wheel step moves the picture already drawn (a CSS transform of sigma's canvases and the overlay),
// and the camera takes the gesture's end state in one full redraw once the drag ends or the wheel
// rests. At 10,000 nodes a sigma frame costs tens to hundreds of milliseconds in a software
// renderer; a transform costs the compositor alone.
(() => {
  "use strict";

  /** The wheel rests (and the camera redraws) this long after its last step. */
  const WHEEL_REST_MS = 120;
  /** A press that moves less than this (CSS pixels) is a click, not a drag. */
  const DRAG_TOLERANCE_PX = 3;
  /** One wheel step or zoom button, as sigma's own default. */
  const ZOOM_STEP = 1.7;

  /**
   * `renderer` the sigma instance; `container` its element; `overlay` the canvas drawn on top.
   * Returns { settle(), zoomAt(point, factor), moving(), justDragged(), commits() }.
   */
  window.SluiceDocsCamera = (renderer, container, overlay) => {
    const camera = renderer.getCamera();
    /** The picture's move since the camera last drew: screen point p shows at k·p + (tx, ty). */
    let pending = null;
    let drag = null;
    let wheelTimer = 0;
    let dragged = false;
    let commits = 0;
    let clearOnDraw = false;

    const layers = () => [...container.querySelectorAll("canvas"), overlay];
    function show() {
      const t = pending ? `translate(${pending.tx}px, ${pending.ty}px) scale(${pending.k})` : "";
      for (const c of layers()) {
        c.style.transformOrigin = "0 0";
        c.style.transform = t;
      }
    }
    // The transform goes in the frame the camera's redraw lands in, so the picture never jumps.
    // A wheel step that came after the redraw was asked for stays shown, relative to the new camera.
    renderer.on("afterRender", () => {
      if (!clearOnDraw) return;
      clearOnDraw = false;
      show();
    });

    /** Gives the camera the state the moved picture shows, and redraws once. */
    function settle() {
      clearTimeout(wheelTimer);
      wheelTimer = 0;
      if (!pending) return;
      const { k, tx, ty } = pending;
      pending = null;
      const w = container.clientWidth;
      const h = container.clientHeight;
      // The point of the old picture that now shows at the pane's centre becomes the new centre.
      const centre = renderer.viewportToFramedGraph({ x: (w / 2 - tx) / k, y: (h / 2 - ty) / k });
      const before = camera.getState();
      const ratio = camera.getBoundedRatio(before.ratio / k);
      if (centre.x === before.x && centre.y === before.y && ratio === before.ratio) {
        show();
        return;
      }
      commits++;
      clearOnDraw = true;
      camera.setState({ x: centre.x, y: centre.y, ratio });
    }

    /** Zooms by `factor` (> 1 in) about `point` (CSS pixels in the pane), drawn at once as a transform. */
    function zoomAt(point, factor) {
      const p = pending || { k: 1, tx: 0, ty: 0 };
      // Never past the camera's own bounds, so the redraw matches the picture.
      const ratio = camera.getState().ratio;
      const target = camera.getBoundedRatio(ratio / (p.k * factor));
      const step = ratio / target / p.k;
      if (step === 1) return;
      pending = {
        k: p.k * step,
        tx: step * p.tx + (1 - step) * point.x,
        ty: step * p.ty + (1 - step) * point.y,
      };
      show();
      clearTimeout(wheelTimer);
      wheelTimer = setTimeout(settle, WHEEL_REST_MS);
    }

    const local = (e) => {
      const r = container.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };

    container.addEventListener("mousedown", (e) => {
      if (e.button !== 0) return;
      settle();
      dragged = false;
      drag = { x: e.clientX, y: e.clientY };
    });
    // sigma's own panning would redraw on every move: it is told not to, and the picture moves.
    renderer.on("moveBody", ({ event, preventSigmaDefault }) => {
      if (!drag) return;
      preventSigmaDefault();
      const dx = event.original.clientX - drag.x;
      const dy = event.original.clientY - drag.y;
      if (!dragged && Math.hypot(dx, dy) < DRAG_TOLERANCE_PX) return;
      dragged = true;
      pending = { k: 1, tx: dx, ty: dy };
      show();
    });
    document.addEventListener("mouseup", () => {
      if (!drag) return;
      drag = null;
      if (dragged) settle();
    });
    // Caught before sigma's own wheel handler (on the same element, bubbling), which would animate
    // the camera a frame at a time; sigma 3.0's preventSigmaDefault does not reach its wheel.
    container.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        e.stopPropagation();
        const delta = e.deltaY || e.deltaX;
        if (delta) zoomAt(local(e), delta < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
      },
      { capture: true, passive: false },
    );

    return {
      settle,
      zoomAt,
      step: ZOOM_STEP,
      /** The picture's move the camera has not drawn yet (identity when none). */
      transform: () => pending || { k: 1, tx: 0, ty: 0 },
      /** True while the picture is moved and the camera has not drawn it yet. */
      moving: () => pending !== null || (drag !== null && dragged),
      /** True when the press that ends in this click moved the picture (the click selects nothing). */
      justDragged: () => dragged,
      /** Redraws that ended a gesture (tests check a drag draws once, at its end). */
      commits: () => commits,
    };
  };
})();
