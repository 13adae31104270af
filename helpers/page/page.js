// The exported page's buttons and pictures (helpers/page/page.html): the drawing canvas,
// the photo input, the answer and the ten bars. The arithmetic is in digits.js (Digits).
// Each reading is also kept in window.lastReading (for the course's browser test), with
// the 28 x 28 input, the outputs and how long it took.
"use strict";
(() => {
  const model = Digits.loadModel(JSON.parse(document.getElementById("model").textContent));
  const BRUSH = 18;  // the pen's width on the 280 x 280 canvas, like notebook 09's canvas
  const canvas = document.getElementById("canvas"), ctx = canvas.getContext("2d", { willReadFrequently: true });
  const answer = document.getElementById("answer"), message = document.getElementById("message");
  const seen = document.getElementById("input").getContext("2d"), bars = document.getElementById("bars");
  const time = document.getElementById("time"), photo = document.getElementById("photo");
  document.getElementById("model-description").textContent = model.description;
  window.readings = 0;

  // The ten bars, made once.
  const rows = [];
  for (let d = 0; d < 10; d++) {
    const row = document.createElement("div"), fill = document.createElement("div"), value = document.createElement("span");
    row.className = "bar";
    row.innerHTML = `<span class="digit">${d}</span><div class="track"></div>`;
    fill.className = "fill"; fill.style.width = "0";
    value.className = "value";
    row.querySelector(".track").appendChild(fill); row.appendChild(value);
    bars.appendChild(row); rows.push({ row, fill, value });
  }

  // The answer: the digit, or the refusal in words ("not sure", "no digit", "several digits",
  // or "cannot read" for a file that is not a picture), with the reason below it.
  function show(reading, ms) {
    answer.textContent = reading.verdict === "digit" ? String(reading.digit)
      : reading.verdict === "error" ? "cannot read" : reading.verdict;
    message.textContent = reading.message || "";
    rows.forEach((r, d) => {
      const v = reading.outputs ? reading.outputs[d] : 0;
      r.fill.style.width = `${Math.round(Math.min(Math.max(v, 0), 1) * 100)}%`;
      r.value.textContent = reading.outputs ? v.toFixed(2) : "";
      r.row.classList.toggle("top", reading.verdict === "digit" && d === reading.digit);
    });
    const picture = seen.createImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = reading.input ? Math.round(reading.input[p] * 255) : 0;
      picture.data.set([v, v, v, 255], 4 * p);
    }
    seen.putImageData(picture, 0, 0);
    time.textContent = `read in ${ms.toFixed(0)} ms`;
    window.lastReading = { ...reading, ms };
    window.readings += 1;
    answer.dataset.readings = String(window.readings);
  }

  function readPixels(rgba, w, h, fromPhoto, jpeg = false) {
    const start = performance.now();
    let reading;
    try {
      reading = Digits.read(model, rgba, w, h, fromPhoto, jpeg);
    } catch (err) {  // not foreseen: said in words, never a guess
      reading = { verdict: "error", digit: null, outputs: null, message: err.message, input: null };
    }
    show(reading, performance.now() - start);
  }

  // ---------------------------------------------------------------- drawing
  let strokes = [], current = null;
  function paint() {
    ctx.fillStyle = "white"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = "black"; ctx.fillStyle = "black";
    ctx.lineWidth = BRUSH; ctx.lineCap = "round"; ctx.lineJoin = "round";
    for (const s of strokes) {
      if (s.length === 1) { ctx.beginPath(); ctx.arc(s[0][0], s[0][1], BRUSH / 2, 0, 2 * Math.PI); ctx.fill(); continue; }
      ctx.beginPath(); ctx.moveTo(s[0][0], s[0][1]);
      for (const p of s.slice(1)) ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    }
  }
  function readCanvas() {
    if (!strokes.length) return;
    readPixels(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height, false);
  }
  function at(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  }
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId); current = [at(e)]; strokes.push(current); paint();
  });
  canvas.addEventListener("pointermove", (e) => { if (current !== null) { current.push(at(e)); paint(); } });
  const lift = () => { if (current !== null) { current = null; readCanvas(); } };
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);
  document.getElementById("clear").addEventListener("click", () => {
    strokes = []; paint();
    show({ verdict: "cleared", digit: null, outputs: null, message: "", input: null }, 0);
    answer.textContent = "draw a digit";
  });
  paint();

  // ---------------------------------------------------------------- a photo
  // Decoded by the browser, turned upright as its EXIF orientation says, colours as stored.
  async function readFile(file) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image", premultiplyAlpha: "none",
                                               colorSpaceConversion: "none" });
    } catch (err) {
      show({ verdict: "error", digit: null, outputs: null, input: null,
             message: `${file.name}: cannot read it as an image (it is not a picture file this browser knows: PNG, JPEG, GIF, WebP, ...)` }, 0);
      return;
    }
    if (bitmap.width * bitmap.height > 60000000) {
      show({ verdict: "error", digit: null, outputs: null, input: null,
             message: `${file.name}: the image is ${bitmap.width}x${bitmap.height} pixels, more than the 60 megapixels read here; make it smaller first` }, 0);
      return;
    }
    const board = document.createElement("canvas");
    board.width = bitmap.width; board.height = bitmap.height;
    const c = board.getContext("2d", { willReadFrequently: true });
    c.drawImage(bitmap, 0, 0);
    bitmap.close();
    const head = new Uint8Array(await file.slice(0, 3).arrayBuffer());  // a JPEG starts FF D8 FF
    const jpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
    readPixels(c.getImageData(0, 0, board.width, board.height).data, board.width, board.height, true, jpeg);
  }
  photo.addEventListener("change", () => { if (photo.files.length) readFile(photo.files[0]).finally(() => { photo.value = ""; }); });
  window.readFile = readFile;
})();
