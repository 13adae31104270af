// The drawing canvas of notebook 09 (helpers/widgets/your_own_handwriting.py, DrawingCanvas),
// an anywidget module. It draws the pen's line locally (no waiting for Python) and sends the
// strokes, lists of [x, y] points in canvas pixels, to Python at most every `send_every`
// milliseconds while the pen is down, and once more when it lifts (`pen_down` says which). The pen's width grows with
// the drawing (as lesson.pen_width): `pen_share` of its larger extent, from `min_brush` to
// `brush` pixels, so a small digit is not a blob. Under the canvas, "reading..." shows from
// each sending until Python has answered it (`answered` catches up with `sent`); otherwise
// the caption Python sets (after an upload: the drawing is not what is read).
function render({ model, el }) {
  const size = model.get("size");
  const canvas = document.createElement("canvas");
  canvas.width = size; canvas.height = size;
  canvas.className = "digits-canvas";  // the look is in canvas.css; the size comes from Python
  Object.assign(canvas.style, { width: size + "px", height: size + "px" });
  const caption = document.createElement("div");
  caption.className = "digits-canvas-caption";
  caption.style.width = size + "px";
  const ctx = canvas.getContext("2d");
  let strokes = [], current = null, lastSent = 0, timer = null;

  function penWidth() {
    let lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
    for (const s of strokes) for (const p of s) {
      lo = [Math.min(lo[0], p[0]), Math.min(lo[1], p[1])]; hi = [Math.max(hi[0], p[0]), Math.max(hi[1], p[1])];
    }
    const extent = lo[0] === Infinity ? 0 : Math.max(hi[0] - lo[0], hi[1] - lo[1]);
    return Math.min(model.get("brush"), Math.max(model.get("min_brush"), model.get("pen_share") * extent));
  }
  function paint() {
    ctx.fillStyle = "white"; ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "black"; ctx.fillStyle = "black";
    ctx.lineWidth = penWidth(); ctx.lineCap = "round"; ctx.lineJoin = "round";
    for (const s of strokes) {
      if (s.length === 1) { ctx.beginPath(); ctx.arc(s[0][0], s[0][1], ctx.lineWidth / 2, 0, 2 * Math.PI); ctx.fill(); continue; }
      ctx.beginPath(); ctx.moveTo(s[0][0], s[0][1]);
      for (const p of s.slice(1)) ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    }
  }
  function label() {
    const waiting = model.get("answered") < model.get("sent");
    caption.textContent = waiting ? "reading..." : model.get("caption");
    caption.classList.toggle("waiting", waiting);
  }
  function send() {
    lastSent = Date.now(); timer = null;
    model.set("strokes", strokes.map((s) => s.map((p) => [p[0], p[1]])));
    model.set("pen_down", current !== null);  // Python redraws its picture only once the pen is lifted
    model.set("sent", model.get("sent") + 1);
    model.save_changes();
    label();
  }
  function soon() {
    const wait = model.get("send_every") - (Date.now() - lastSent);
    if (wait <= 0) send(); else if (timer === null) timer = setTimeout(send, wait);
  }
  function at(event) {
    const box = canvas.getBoundingClientRect();
    return [Math.round((event.clientX - box.left) * size / box.width), Math.round((event.clientY - box.top) * size / box.height)];
  }
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId); current = [at(e)]; strokes.push(current); paint(); soon();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (current === null) return; current.push(at(e)); paint(); soon();
  });
  const lift = () => { if (current === null) return; current = null; if (timer !== null) clearTimeout(timer); send(); };
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);
  // Python changed the drawing (Clear), or echoes what we sent: adopt it, but never in the
  // middle of a stroke, which would lose the points drawn since.
  model.on("change:strokes", () => {
    if (current !== null) return;
    strokes = model.get("strokes").map((s) => s.map((p) => [p[0], p[1]])); paint();
  });
  model.on("change:answered", label);
  model.on("change:caption", label);
  strokes = model.get("strokes").map((s) => s.map((p) => [p[0], p[1]]));
  paint(); label();
  el.appendChild(canvas);
  el.appendChild(caption);
}
export default { render };
