// The page's arithmetic: the MNIST-style preprocessing of helpers/images.py and the forward
// pass of a saved network, in plain JavaScript (no libraries), step for step as in Python so
// that the page reads a picture the way `python -m helpers predict` does.
//
// Pictures are Float32Array rows of pixels (width w, height h), like Python's float32
// arrays; where NumPy computes in float32, Math.fround rounds each result the same way, so
// the 28x28 digit the page makes agrees with helpers.images.preprocess to about 1e-7.
// Loaded by the page as an ordinary script: it defines one global object, Digits.
"use strict";
const Digits = (() => {
  const f = Math.fround;
  const SIDE = 28, BOX = 20, CENTRE = 14.0;              // helpers.images: MNIST's layout
  const FLOOR = 0.25, MIN_CONTRAST = 0.1, MIN_SIGNAL_TO_NOISE = 6.0, MIN_INK_SHARE = 0.04;
  const WORK_SIDE = 560, MAX_PIXELS = 60000000;          // helpers.images, helpers.image_files
  const LUMA = [f(0.299), f(0.587), f(0.114)];           // ITU-R BT.601, as float32 like NumPy's

  class NoDigitFound extends Error {}
  class TooSmall extends Error {}

  // Python's round(): halves go to the even neighbour (round(2.5) == 2), unlike Math.round.
  function roundHalfEven(x) {
    const r = Math.round(x);
    return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
  }
  function median(values) {  // np.median of a Float64Array (a copy is sorted)
    const s = Float64Array.from(values).sort(), n = s.length, m = n >> 1;
    return n % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
  function median32(values) {  // np.median of a float32 array: the mean of the middle two in float32
    const s = Float32Array.from(values).sort(), n = s.length, m = n >> 1;
    return n % 2 ? s[m] : f(f(s[m - 1] + s[m]) / 2);
  }
  function pct(x) { return Math.round(x * 100) + "%"; }

  // ------------------------------------------------------------------ reading the pixels
  // Block means of 8-bit RGBA pixels over k x k blocks, rounded as Pillow's reduce(k)
  // rounds them (the last, partial blocks averaged over the pixels they hold).
  function reduceBy(rgba, w, h, k) {
    if (k <= 1) return { rgba, w, h };
    const w2 = Math.ceil(w / k), h2 = Math.ceil(h / k), out = new Uint8ClampedArray(w2 * h2 * 4);
    for (let i = 0; i < h2; i++) {
      const y0 = i * k, yn = Math.min(k, h - y0);
      for (let j = 0; j < w2; j++) {
        const x0 = j * k, xn = Math.min(k, w - x0), n = xn * yn;
        const multiplier = Math.floor(4294967296 / (256 * n)), amend = Math.floor(n / 2);
        for (let c = 0; c < 4; c++) {
          let ss = 0;
          for (let y = y0; y < y0 + yn; y++) for (let x = x0; x < x0 + xn; x++) ss += rgba[(y * w + x) * 4 + c];
          out[(i * w2 + j) * 4 + c] = Math.floor((ss + amend) * multiplier / 16777216);
        }
      }
    }
    return { rgba: out, w: w2, h: h2 };
  }

  // What helpers.image_files.read_image does to a large picture. A JPEG at least twice
  // WORK_SIDE on both sides is decoded by Pillow at 1/2, 1/4 or 1/8 of its size (its
  // draft mode, inside the JPEG decoder: a browser cannot do that, so here blocks of the
  // full picture are averaged, which is close but not the same); then any picture still
  // larger than WORK_SIDE is reduced, reduce(k), as Pillow does.
  function reduceLikePillow(rgba, w, h, jpeg) {
    if (jpeg) {
      const most = Math.min(Math.floor(w / WORK_SIDE), Math.floor(h / WORK_SIDE));
      const s = [8, 4, 2, 1].find((scale) => most >= scale) || 1;
      ({ rgba, w, h } = reduceBy(rgba, w, h, s));
    }
    return reduceBy(rgba, w, h, Math.ceil(Math.max(w, h) / WORK_SIDE));
  }

  // helpers.images.to_grey for 8-bit RGBA pixels (what a browser decodes every picture to).
  // A picture whose pixels are all opaque is read as Pillow's RGB, and one whose pixels are
  // all grey (red = green = blue) as Pillow's L or LA: that is how Python gets such files.
  function toGrey(rgba, w, h) {
    const n = w * h, grey = new Float32Array(n);
    let opaque = true, greyOnly = true;
    for (let p = 0; p < n; p++) {
      const r = rgba[4 * p], g = rgba[4 * p + 1], b = rgba[4 * p + 2];
      if (rgba[4 * p + 3] !== 255) opaque = false;
      if (r !== g || g !== b) greyOnly = false;
    }
    for (let p = 0; p < n; p++) {
      let v;
      if (greyOnly) v = f(rgba[4 * p] / 255);
      else {
        const r = f(rgba[4 * p] / 255), g = f(rgba[4 * p + 1] / 255), b = f(rgba[4 * p + 2] / 255);
        v = f(f(f(r * LUMA[0]) + f(g * LUMA[1])) + f(b * LUMA[2]));
      }
      grey[p] = v;
    }
    if (!opaque) {  // composite on the page: a fully transparent pixel is bare paper
      const page = pageBehind(grey, rgba, n);
      for (let p = 0; p < n; p++) {
        const a = f(rgba[4 * p + 3] / 255);
        grey[p] = f(f(a * grey[p]) + f(f(1 - a) * page));
      }
    }
    return grey;
  }

  // helpers.images._page_behind: the page seen through transparency, white (1), unless the
  // drawn (mostly opaque) pixels are light on average, then black (0).
  function pageBehind(grey, rgba, n) {
    let drawn = 0, sum = 0;
    for (let p = 0; p < n; p++) if (f(rgba[4 * p + 3] / 255) > 0.5) { drawn++; sum += grey[p]; }
    return drawn > 0 && drawn < n && sum / drawn > 0.5 ? 0 : 1;
  }

  // helpers.images.shrink: k x k block means (edges repeated), to at most WORK_SIDE pixels.
  function shrink(img, w, h) {
    const k = Math.ceil(Math.max(h, w) / WORK_SIDE);
    if (k <= 1) return { img, w, h };
    const w2 = Math.ceil(w / k), h2 = Math.ceil(h / k), out = new Float32Array(w2 * h2);
    for (let i = 0; i < h2; i++) for (let j = 0; j < w2; j++) {
      let s = 0;
      for (let y = i * k; y < (i + 1) * k; y++) for (let x = j * k; x < (j + 1) * k; x++)
        s = f(s + img[Math.min(y, h - 1) * w + Math.min(x, w - 1)]);
      out[i * w2 + j] = f(s / (k * k));
    }
    return { img: out, w: w2, h: h2 };
  }

  // Least squares for the plane a + b x + c y (the normal equations, 3 x 3, in float64).
  function fitPlane(basis, v, keep) {
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], r = [0, 0, 0];
    for (let p = 0; p < v.length; p++) {
      if (!keep[p]) continue;
      const row = basis[p];
      for (let i = 0; i < 3; i++) {
        r[i] += row[i] * v[p];
        for (let j = 0; j < 3; j++) A[i][j] += row[i] * row[j];
      }
    }
    // Gaussian elimination with partial pivoting; a singular system (all x or all y equal)
    // gives 0 for the missing slope, as lstsq's minimum-norm answer does.
    const M = A.map((row, i) => [...row, r[i]]), x = [0, 0, 0];
    const scale = Math.max(...M.map((row) => Math.abs(row[0]) + Math.abs(row[1]) + Math.abs(row[2])), 1e-300);
    const used = [false, false, false], pivotOf = [];
    for (let col = 0; col < 3; col++) {
      let best = -1;
      for (let i = 0; i < 3; i++) if (!used[i] && (best < 0 || Math.abs(M[i][col]) > Math.abs(M[best][col]))) best = i;
      if (Math.abs(M[best][col]) <= 1e-12 * scale) { pivotOf.push(-1); continue; }
      used[best] = true; pivotOf.push(best);
      for (let i = 0; i < 3; i++) {
        if (i === best) continue;
        const m = M[i][col] / M[best][col];
        for (let j = col; j < 4; j++) M[i][j] -= m * M[best][j];
      }
    }
    for (let col = 0; col < 3; col++) if (pivotOf[col] >= 0) x[col] = M[pivotOf[col]][3] / M[pivotOf[col]][col];
    return x;
  }

  // helpers.images.page_level: the brightness of the page without the ink, a plane fitted
  // to the pixels near the median brightness, then refitted to those near the plane.
  function pageLevel(grey, w, h) {
    const step = Math.max(1, Math.floor(Math.sqrt(h * w / 4096)));
    const v = [], basis = [];
    for (let y = 0; y < h; y += step) for (let x = 0; x < w; x += step) {
      v.push(grey[y * w + x]);
      basis.push([1, x / Math.max(w - 1, 1), y / Math.max(h - 1, 1)]);
    }
    const med = median(v);
    let residual = v.map((value) => value - med), coef = [med, 0, 0];
    for (let round = 0; round < 3; round++) {
      const spread = 1.4826 * median(residual.map(Math.abs));
      const limit = Math.max(2.5 * spread, 0.02);
      const keep = residual.map((e) => Math.abs(e) <= limit);
      if (keep.filter(Boolean).length < 3) break;
      coef = fitPlane(basis, v, keep);
      residual = v.map((value, p) => value - (basis[p][0] * coef[0] + basis[p][1] * coef[1] + basis[p][2] * coef[2]));
    }
    const level = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++)
      level[y * w + x] = f(coef[0] + coef[1] * x / Math.max(w - 1, 1) + coef[2] * y / Math.max(h - 1, 1));
    return level;
  }

  // helpers.images._box3: each pixel's 3x3 mean (edges repeated), summed in Python's order.
  function box3(img, w, h) {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -1; i <= 1; i++) {
        const yy = Math.min(Math.max(y + i, 0), h - 1);
        for (let j = -1; j <= 1; j++) s = f(s + img[yy * w + Math.min(Math.max(x + j, 0), w - 1)]);
      }
      out[y * w + x] = f(s / 9);
    }
    return out;
  }

  // helpers.images.to_ink: how much ink each pixel holds, 0 to 1; NoDigitFound if none.
  function toInk(grey, w, h) {
    const level = pageLevel(grey, w, h), n = w * h, d = new Float32Array(n);
    for (let p = 0; p < n; p++) d[p] = f(grey[p] - level[p]);
    const smooth = box3(d, w, h);
    let lo = Infinity, hi = -Infinity;
    for (let p = 0; p < n; p++) { lo = Math.min(lo, smooth[p]); hi = Math.max(hi, smooth[p]); }
    const darker = -lo, lighter = hi, flip = darker >= lighter;
    const ink = new Float32Array(n);
    for (let p = 0; p < n; p++) ink[p] = flip ? -d[p] : d[p];
    const noise = 1.4826 * median32(d.map(Math.abs));
    const contrast = Math.max(0, flip ? darker : lighter);
    const needed = Math.max(MIN_CONTRAST, MIN_SIGNAL_TO_NOISE * noise);
    if (contrast < MIN_CONTRAST || contrast < MIN_SIGNAL_TO_NOISE * noise)
      throw new NoDigitFound(`no digit found: the picture is blank or all one shade (its strongest mark differs ` +
        `from the page by ${pct(contrast)} of black to white, and at least ${pct(needed)} is needed). Write the ` +
        `digit darker, or photograph it closer and in better light.`);
    const low = FLOOR * contrast, lowF = f(low), span = f(contrast - low), aloneBelow = f(contrast / 6);
    const positive = ink.map((e) => Math.max(e, 0));
    const alone = box3(positive, w, h);
    const out = new Float32Array(n);
    for (let p = 0; p < n; p++)
      out[p] = alone[p] < aloneBelow ? 0 : Math.min(Math.max(f(f(ink[p] - lowF) / span), 0), 1);
    return out;
  }

  // helpers.images.crop_to_ink: the smallest rectangle holding all the ink.
  function cropToInk(ink, w, h) {
    let top = h, bottom = -1, left = w, right = -1;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (ink[y * w + x] > 0) {
      top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
    }
    if (bottom < 0) throw new NoDigitFound("no digit found: there is no ink in the picture");
    const cw = right - left + 1, ch = bottom - top + 1, out = new Float32Array(cw * ch);
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) out[y * cw + x] = ink[(top + y) * w + left + x];
    return { img: out, w: cw, h: ch };
  }

  // helpers.images._weights: the n_out x n_in matrix that resamples a row of pixels.
  function weights(nIn, nOut) {
    const W = Array.from({ length: nOut }, () => new Float64Array(nIn));
    if (nOut <= nIn) {
      const scale = nIn / nOut;
      for (let i = 0; i < nOut; i++) {
        const left = i * scale, right = (i + 1) * scale;
        for (let j = Math.floor(left); j < Math.min(Math.ceil(right), nIn); j++)
          W[i][j] = (Math.min(j + 1, right) - Math.max(j, left)) / scale;
      }
    } else {
      for (let i = 0; i < nOut; i++) {
        const x = Math.min(Math.max((i + 0.5) * nIn / nOut - 0.5, 0), nIn - 1);
        const j = nIn > 1 ? Math.min(Math.floor(x), nIn - 2) : 0, t = x - j;
        W[i][j] = 1 - t;
        if (nIn > 1) W[i][j + 1] += t;
      }
    }
    return W;
  }

  // helpers.images.resample for one picture: R_rows @ P @ R_columns^T in float64.
  function resample(img, w, h, height, width) {
    const R = weights(h, height), C = weights(w, width);
    const rows = new Float64Array(height * w);  // R_rows @ P
    for (let i = 0; i < height; i++) for (let y = 0; y < h; y++) {
      const r = R[i][y];
      if (r === 0) continue;
      for (let x = 0; x < w; x++) rows[i * w + x] += r * img[y * w + x];
    }
    const out = new Float32Array(height * width);
    for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) {
      let s = 0;
      for (let x = 0; x < w; x++) s += rows[i * w + x] * C[j][x];
      out[i * width + j] = f(s);
    }
    return { img: out, w: width, h: height };
  }

  function fitInto(c, size = BOX) {  // helpers.images.fit_into: the longer side becomes `size` pixels
    const scale = size / Math.max(c.h, c.w);
    return resample(c.img, c.w, c.h, Math.max(1, roundHalfEven(c.h * scale)), Math.max(1, roundHalfEven(c.w * scale)));
  }

  // NumPy's float32 sum of n numbers (at a[start], a[start + stride], ...): pairwise, in
  // blocks of up to 128 with eight running sums (numpy's pairwise_sum), each add rounded.
  function pairwiseSum32(a, start, n, stride) {
    if (n < 8) {
      let r = 0;
      for (let i = 0; i < n; i++) r = f(r + a[start + i * stride]);
      return r;
    }
    if (n <= 128) {
      const r = [];
      for (let j = 0; j < 8; j++) r.push(a[start + j * stride]);
      let i = 8;
      for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f(r[j] + a[start + (i + j) * stride]);
      let res = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])));
      for (; i < n; i++) res = f(res + a[start + i * stride]);
      return res;
    }
    let n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return f(pairwiseSum32(a, start, n2, stride) + pairwiseSum32(a, start + n2 * stride, n - n2, stride));
  }

  // helpers.images.centre_of_mass, summed as NumPy sums float32 (the whole picture and each
  // row pairwise; each column row after row, unless the picture is one column wide), so
  // that a centre exactly between two pixels rounds the same way as in Python.
  function centreOfMass(c) {
    const total = pairwiseSum32(c.img, 0, c.w * c.h, 1);
    if (!(total > 0)) throw new NoDigitFound("no digit found: there is no ink in the picture");
    let sr = 0, sc = 0;
    for (let y = 0; y < c.h; y++) sr += pairwiseSum32(c.img, y * c.w, c.w, 1) * y;
    for (let x = 0; x < c.w; x++) {
      let column = 0;
      if (c.w === 1) column = pairwiseSum32(c.img, x, c.h, c.w);
      else for (let y = 0; y < c.h; y++) column = f(column + c.img[y * c.w + x]);
      sc += column * x;
    }
    return [sr / total, sc / total];
  }

  // helpers.images.centre_by_mass: in 28 x 28, its centre of mass at (14, 14).
  function centreByMass(c) {
    const [r, col] = centreOfMass(c);
    const top = Math.min(Math.max(roundHalfEven(CENTRE - r), 0), SIDE - c.h);
    const left = Math.min(Math.max(roundHalfEven(CENTRE - col), 0), SIDE - c.w);
    const out = new Float32Array(SIDE * SIDE);
    for (let y = 0; y < c.h; y++) for (let x = 0; x < c.w; x++) out[(top + y) * SIDE + left + x] = c.img[y * c.w + x];
    return out;
  }

  // helpers.images.preprocess_steps, from a browser's RGBA pixels: every picture on the way.
  // `photo`: the pixels come from a file (reduced as helpers.image_files reads a large
  // file); `jpeg`: that file is a JPEG.
  function preprocessSteps(rgba, w, h, photo = true, jpeg = false) {
    if (w * h > MAX_PIXELS)
      throw new Error(`the image is ${w}x${h} pixels, more than the ${MAX_PIXELS / 1e6} megapixels read here; ` +
        `make it smaller first (a digit needs only a few hundred pixels across)`);
    if (photo && Math.min(w, h) < 8)  // helpers.image_files refuses the file: an error, not a reading
      throw new Error(`the image is only ${w.toLocaleString("en")}x${h.toLocaleString("en")} pixels: too small ` +
        "to hold a digit (at least 8x8 are needed)");
    if (photo) ({ rgba, w, h } = reduceLikePillow(rgba, w, h, jpeg));
    let grey = toGrey(rgba, w, h);
    if (Math.min(w, h) < 8) throw new TooSmall(`the picture is only ${w}x${h} pixels: too small to hold a digit`);
    ({ img: grey, w, h } = shrink(grey, w, h));
    const ink = toInk(grey, w, h);
    const cropped = cropToInk(ink, w, h);
    if (Math.max(cropped.w, cropped.h) < Math.max(4, MIN_INK_SHARE * Math.max(w, h)))
      throw new NoDigitFound(`no digit found: the only ink is a speck of ${cropped.w}x${cropped.h} pixels in a ` +
        `${w}x${h} picture. Write the digit larger, or crop the photo to it.`);
    const fitted = fitInto(cropped);
    return { grey: { img: grey, w, h }, ink: { img: ink, w, h }, cropped, fitted, centred: centreByMass(fitted) };
  }

  // ------------------------------------------------------------------ the network
  function unpack(packed) {  // base64 of little-endian float32 numbers (helpers.exporting._packed)
    const bytes = Uint8Array.from(atob(packed.data), (ch) => ch.charCodeAt(0));
    const view = new DataView(bytes.buffer), values = new Float32Array(bytes.length / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, true);
    return { shape: packed.shape, values };
  }

  function loadModel(spec) {
    return { ...spec, steps: spec.steps.map((s) => ({ ...s, w: s.w && unpack(s.w), b: s.b && unpack(s.b) })) };
  }

  function softmax(z) {
    const top = Math.max(...z), e = z.map((v) => Math.exp(v - top)), sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  }

  // The forward pass for one example (Float64Array in the model's input shape, row-major):
  // each step as helpers.layers computes it, in float64.
  function forward(model, x) {
    let a = Float64Array.from(x), shape = model.input_shape.slice();
    for (const s of model.steps) {
      if (s.op === "dense") {  // z = w a + b
        const [nOut, nIn] = s.w.shape, w = s.w.values, z = new Float64Array(nOut);
        for (let j = 0; j < nOut; j++) {
          let sum = s.b.values[j];
          for (let i = 0; i < nIn; i++) sum += w[j * nIn + i] * a[i];
          z[j] = sum;
        }
        a = z; shape = [nOut];
      } else if (s.op === "conv") {  // stride 1, no padding: Z[o,i,j] = b[o] + sum w[o,c,p,q] A[c,i+p,j+q]
        const [cOut, cIn, k] = s.w.shape, [, H, W] = shape, h = H - k + 1, wd = W - k + 1, w = s.w.values;
        const z = new Float64Array(cOut * h * wd);
        for (let o = 0; o < cOut; o++) for (let i = 0; i < h; i++) for (let j = 0; j < wd; j++) {
          let sum = s.b.values[o];
          for (let c = 0; c < cIn; c++) for (let p = 0; p < k; p++) for (let q = 0; q < k; q++)
            sum += w[((o * cIn + c) * k + p) * k + q] * a[(c * H + i + p) * W + j + q];
          z[(o * h + i) * wd + j] = sum;
        }
        a = z; shape = [cOut, h, wd];
      } else if (s.op === "maxpool") {  // the largest of each size x size window; leftovers dropped
        const [c, H, W] = shape, n = s.size, h = Math.floor(H / n), wd = Math.floor(W / n);
        const z = new Float64Array(c * h * wd);
        for (let ch = 0; ch < c; ch++) for (let i = 0; i < h; i++) for (let j = 0; j < wd; j++) {
          let top = -Infinity;
          for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) top = Math.max(top, a[(ch * H + i * n + p) * W + j * n + q]);
          z[(ch * h + i) * wd + j] = top;
        }
        a = z; shape = [c, h, wd];
      } else if (s.op === "flatten") {
        shape = [a.length];
      } else if (s.op === "sigmoid") {
        a = a.map((v) => 0.5 + 0.5 * Math.tanh(0.5 * v));
      } else if (s.op === "relu") {
        a = a.map((v) => Math.max(v, 0));
      } else if (s.op === "softmax") {
        a = Float64Array.from(softmax(Array.from(a)));
      } else {
        throw new Error(`the page cannot run a step ${s.op}`);
      }
    }
    return Array.from(a);
  }

  // What `python -m helpers predict` shows: softmax of the logits, or a sigmoid or softmax
  // output layer's activations as they are.
  function confidences(model, x) {
    const out = forward(model, x);
    return model.softmax_on_top ? softmax(out) : out;
  }

  // ------------------------------------------------------------------ the honest reader
  // helpers/reading.py, rule for rule: a digit, or "not sure", "no digit" or "several
  // digits", each with its reason in the same words. The numbers are reading.py's.
  const GRID = 40, LEVEL = 0.3, MIN_PIECE = 0.05, CORE = 11, THIN = 1.0, FLAT = 30.0, WIDE = 2.2;
  const PIECE_HEIGHT = 0.6, OVERLAP = 0.1, MIN_TOP = 0.3, MIN_MARGIN = 0.1;

  // Python's format(x, ".nf"): a tie (x exactly halfway) goes to the even digit.
  function fixed(x, n) {
    const scaled = x * 10 ** n;
    if (Math.abs(scaled % 1) === 0.5) return (roundHalfEven(scaled) / 10 ** n).toFixed(n);
    return x.toFixed(n);
  }

  // reading.label_pieces: the pieces of ink joined side by side or corner to corner, by a
  // flood fill from the first unlabelled pixel in reading order.
  function labelPieces(ink, w, h) {
    const labels = new Int32Array(w * h);
    let count = 0;
    for (let start = 0; start < w * h; start++) {
      if (!ink[start] || labels[start]) continue;
      labels[start] = ++count;
      const todo = [start];
      while (todo.length) {
        const p = todo.pop(), r = Math.floor(p / w), c = p % w;
        for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr, cc = c + dc;
          if (rr >= 0 && rr < h && cc >= 0 && cc < w && ink[rr * w + cc] && !labels[rr * w + cc]) {
            labels[rr * w + cc] = count; todo.push(rr * w + cc);
          }
        }
      }
    }
    return { labels, count };
  }

  // reading.wear_away: how many times the ink can be worn away (a pixel stays only if its 8
  // neighbours are ink too; outside the picture is bare).
  function wearAway(ink, w, h) {
    let times = 0, now = Uint8Array.from(ink);
    while (now.some((v) => v)) {
      const kept = new Uint8Array(w * h);
      for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
        let all = 1;
        for (let dr = -1; dr <= 1 && all; dr++) for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr, cc = c + dc;
          if (rr < 0 || rr >= h || cc < 0 || cc >= w || !now[rr * w + cc]) { all = 0; break; }
        }
        kept[r * w + c] = all;
      }
      now = kept; times++;
    }
    return times;
  }

  // reading.main_direction: the ink's spread across its main direction, and that
  // direction's angle from level in degrees.
  function mainDirection(ink, w, h) {
    const rs = [], cs = [];
    for (let p = 0; p < w * h; p++) if (ink[p]) { rs.push(Math.floor(p / w)); cs.push(p % w); }
    const n = rs.length, mr = rs.reduce((a, b) => a + b, 0) / n, mc = cs.reduce((a, b) => a + b, 0) / n;
    let sxx = 0, syy = 0, sxy = 0;
    for (let i = 0; i < n; i++) {
      const x = cs[i] - mc, y = rs[i] - mr;
      sxx += x * x; syy += y * y; sxy += x * y;
    }
    sxx /= n; syy /= n; sxy /= n;
    const mid = (sxx + syy) / 2, half = Math.hypot((sxx - syy) / 2, sxy);
    return { across: Math.sqrt(Math.max(mid - half, 0)), angle: Math.abs(0.5 * Math.atan2(2 * sxy, sxx - syy) * (180 / Math.PI)) };
  }

  // reading.ink_shape: the ink scaled to GRID pixels on its longer side, pixels of at least
  // LEVEL ink: its box, spread, angle, core and pieces (left to right).
  function inkShape(cropped) {
    const fitted = fitInto(cropped, GRID), w = fitted.w, h = fitted.h;
    let grid = Uint8Array.from(fitted.img, (v) => (v >= LEVEL ? 1 : 0));
    if (!grid.some((v) => v)) grid = Uint8Array.from(fitted.img, (v) => (v > 0 ? 1 : 0));
    let top = h, bottom = -1, left = w, right = -1, total = 0;
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) if (grid[r * w + c]) {
      top = Math.min(top, r); bottom = Math.max(bottom, r); left = Math.min(left, c); right = Math.max(right, c); total++;
    }
    const { labels, count } = labelPieces(grid, w, h);
    const boxes = Array.from({ length: count + 1 }, () => [h, -1, w, -1, 0]);
    for (let p = 0; p < w * h; p++) if (labels[p]) {
      const b = boxes[labels[p]], r = Math.floor(p / w), c = p % w;
      b[0] = Math.min(b[0], r); b[1] = Math.max(b[1], r); b[2] = Math.min(b[2], c); b[3] = Math.max(b[3], c); b[4]++;
    }
    const pieces = boxes.slice(1).filter((b) => b[4] >= MIN_PIECE * total).sort((a, b) => a[2] - b[2] || a[0] - b[0]);
    const { across, angle } = mainDirection(grid, w, h);
    return { height: bottom - top + 1, width: right - left + 1, across, angle, core: wearAway(grid, w, h), pieces };
  }

  // reading.side_by_side: how many characters the pieces make side by side.
  function sideBySide(pieces, height) {
    let count = 0, leftEnd = 0, rightEnd = -1;
    for (const [top, bottom, left, right] of pieces) {
      if (bottom - top + 1 < PIECE_HEIGHT * height) continue;
      const overlap = Math.min(rightEnd, right) - left + 1;
      if (count && overlap > OVERLAP * Math.min(rightEnd - leftEnd + 1, right - left + 1)) rightEnd = Math.max(rightEnd, right);
      else { count++; leftEnd = left; rightEnd = right; }
    }
    return count;
  }

  const article = (d) => (d === 8 ? "an" : "a");
  const reading = (verdict, digit, outputs, message, input = null) => ({ verdict, digit, outputs, message, input });

  // reading.judge_outputs: "digit" when the highest output is at least MIN_TOP and at least
  // MIN_MARGIN above the second, else "not sure".
  function judgeOutputs(a, input) {
    const order = a.map((v, i) => i).sort((i, j) => a[j] - a[i] || j - i);  // NumPy's argsort, reversed
    const top = order[0], second = order[1];
    if (a[top] < MIN_TOP)
      return reading("not sure", null, a, `not sure: no output is high (the highest, for ${top}, is only ` +
        `${fixed(a[top], 2)}; at least ${fixed(MIN_TOP, 2)} is needed)`, input);
    if (a[top] - a[second] < MIN_MARGIN)
      return reading("not sure", null, a, `not sure: it could be ${article(top)} ${top} (${fixed(a[top], 2)}) or ` +
        `${article(second)} ${second} (${fixed(a[second], 2)}), too close to choose`, input);
    return reading("digit", top, a, `the network reads ${article(top)} ${top} (output ${fixed(a[top], 2)})`, input);
  }

  // reading.read_digit, on the ink of a picture (steps.ink).
  function readDigit(model, ink) {
    const { img, w, h } = ink;
    if (!img.some((v) => v > 0)) return reading("no digit", null, null, "no digit: there is no ink in the picture");
    const cropped = cropToInk(img, w, h);
    if (Math.max(cropped.w, cropped.h) < Math.max(4, MIN_INK_SHARE * Math.max(w, h)))
      return reading("no digit", null, null, `no digit: the only ink is a speck of ${cropped.w} x ${cropped.h} ` +
        `pixels in a ${w} x ${h} picture; write the digit larger`);
    const input = centreByMass(fitInto(cropped)), outputs = confidences(model, input);
    const shape = inkShape(cropped), n = sideBySide(shape.pieces, shape.height);
    if (n >= 2)
      return reading("several digits", null, outputs, `several digits: ${n} separate pieces of ink side by side; ` +
        "write one digit at a time", input);
    if (shape.core >= CORE)
      return reading("no digit", null, outputs, "no digit: a dot or a filled shape, solid ink instead of lines; " +
        "a digit is drawn with lines", input);
    if (shape.across <= THIN * shape.core && shape.angle <= FLAT)
      return reading("no digit", null, outputs, `no digit: one straight line lying ${fixed(shape.angle, 0)} degrees ` +
        "from level, a dash; a digit is more than a dash, and a 1 stands up", input);
    if (shape.width >= WIDE * shape.height)
      return reading("several digits", null, outputs, `several digits: the writing is ` +
        `${fixed(shape.width / shape.height, 1)} times wider than it is tall, wider than one digit; write one ` +
        "digit at a time", input);
    return judgeOutputs(outputs, input);
  }

  // The page's reading of a picture, as reading.read_pixels and `predict` make it:
  // {verdict, digit, outputs, message, input (the 28 x 28 picture the network read)}.
  // A file too large to read is an "error", as in `predict`.
  function read(model, rgba, w, h, photo = true, jpeg = false) {
    let steps;
    try {
      steps = preprocessSteps(rgba, w, h, photo, jpeg);
    } catch (err) {
      if (err instanceof NoDigitFound) return reading("no digit", null, null, err.message);
      if (err instanceof TooSmall) return reading("no digit", null, null, `no digit: ${err.message}`);
      return reading("error", null, null, err.message);
    }
    const r = readDigit(model, steps.ink);
    return { ...r, input: r.input && Array.from(r.input) };
  }

  return { NoDigitFound, preprocessSteps, loadModel, forward, confidences, softmax, roundHalfEven, read };
})();
