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
    // Touch: one finger pans and two pinch, by the same moved picture as the mouse, and the camera
    // redraws once when the last finger lifts. sigma's touch captor would set the camera (and draw
    // a frame) on every move, and loses track of a pinch when one finger lifts: the moves, and the
    // end of a gesture that moved, are caught before it (capture, on the document it listens on);
    // it still sees a tap, which selects as a click does.
    /** The gesture so far: the picture's move when it began, and where its fingers were then. */
    let fingers = null;
    const touches = (e) => [...e.touches].map(local);
    /** A finger came or went: the gesture goes on from the picture as it is moved now. */
    const rebase = (e) => (fingers = { base: pending || { k: 1, tx: 0, ty: 0 }, start: touches(e) });
    container.addEventListener(
      "touchstart",
      (e) => {
        clearTimeout(wheelTimer);
        if (!fingers) dragged = false;
        rebase(e);
      },
      { capture: true },
    );
    document.addEventListener(
      "touchmove",
      (e) => {
        if (!fingers) return;
        e.preventDefault();
        e.stopPropagation();
        const now = touches(e);
        const { base, start } = fingers;
        if (!now.length) return;
        if (now.length !== start.length) return rebase(e);
        let k = 1;
        let [ax, ay] = [start[0].x, start[0].y];
        let [bx, by] = [now[0].x, now[0].y];
        if (now.length >= 2) {
          // Scaled by the fingers' spread, about their midpoint, which follows the fingers.
          const spread = (t) => Math.hypot(t[1].x - t[0].x, t[1].y - t[0].y) || 1;
          const ratio = camera.getState().ratio;
          const wanted = base.k * (spread(now) / spread(start));
          k = ratio / camera.getBoundedRatio(ratio / wanted) / base.k;
          [ax, ay] = [(start[0].x + start[1].x) / 2, (start[0].y + start[1].y) / 2];
          [bx, by] = [(now[0].x + now[1].x) / 2, (now[0].y + now[1].y) / 2];
        } else if (!dragged && Math.hypot(bx - ax, by - ay) < DRAG_TOLERANCE_PX) return;
        dragged = true;
        // The gesture maps p to k·(p − a) + b, after the move it began from.
        pending = { k: k * base.k, tx: k * (base.tx - ax) + bx, ty: k * (base.ty - ay) + by };
        show();
      },
      { capture: true, passive: false },
    );
    const lift = (e) => {
      if (!fingers) return;
      // A gesture that moved is no tap: sigma does not see its end.
      if (dragged) e.stopPropagation();
      if (e.touches.length) return rebase(e);
      fingers = null;
      if (dragged) settle();
    };
    document.addEventListener("touchend", lift, { capture: true });
    document.addEventListener("touchcancel", lift, { capture: true });

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
