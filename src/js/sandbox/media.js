// The stub page's bytes (see `media.rs`). Loaders hide their second stage where only a
// browser's own machinery finds it: in the pixels of a PNG drawn on a canvas and read back
// with `getImageData`, or compressed and unpacked with `DecompressionStream` before it runs
// from a `blob:` URL. Here:
// - a Blob keeps the bytes it was made of (typed arrays, buffers, other Blobs, text), and
//   gives them back (`arrayBuffer`, `bytes`, `stream`, `slice`);
// - a stream is a Blob's or a response's bytes at once; `pipeThrough` a
//   (De)CompressionStream computes the result natively (gzip, deflate, deflate-raw), and a
//   `Response` made of a stream reads as its text, bytes or Blob;
// - an `<img>` whose `src` is a `data:` URL is decoded (PNG; other formats load with no
//   pixels) and fires `load`; a 2D canvas keeps pixels, so `drawImage` then `getImageData`
//   gives back what the image holds, as `createImageBitmap` does;
// - `fetch` of a `data:` URL answers with its bytes, as a browser does without a request.
// Nothing here reaches the network: a `data:` URL is the only image that is decoded.
(function (native, codec) {
  "use strict";
  var G = globalThis;
  var MAX_PIXELS = 1 << 20;

  var hexOf = codec.hexOf, bytesOfHex = codec.bytesOfHex, utf8 = codec.utf8, textOf = codec.textOf;
  function latin1(s) {
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 255;
    return out;
  }
  // Bytes of a BufferSource or a Blob; null for anything else.
  function bytesOf(x) {
    if (x instanceof Uint8Array) return x;
    if (x instanceof ArrayBuffer) return new Uint8Array(x);
    if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    if (x && x.__bytes instanceof Uint8Array) return x.__bytes;
    return null;
  }
  function concat(list) {
    var n = 0;
    list.forEach(function (b) { n += b.length; });
    var out = new Uint8Array(n), at = 0;
    list.forEach(function (b) { out.set(b, at); at += b.length; });
    return out;
  }
  function call(op, arg, bytes) {
    var out = native(op, String(arg), hexOf(bytes));
    if (out.charAt(0) === "!") throw new TypeError(op + " failed: " + out.slice(1));
    return out;
  }

  // --- Blobs and streams -------------------------------------------------------------------
  var PriorBlob = G.Blob;
  function MediaBlob(parts, options) {
    var chunks = [], texts = [];
    [].slice.call(parts || []).forEach(function (p) {
      var b = bytesOf(p);
      if (b === null) {
        var s = String(p);
        chunks.push(utf8(s));
        texts.push(s);
      } else {
        chunks.push(b);
        texts.push(p && p.__text !== undefined ? p.__text : textOf(b));
      }
    });
    PriorBlob.call(this, texts, options);
    var bytes = concat(chunks);
    // Not enumerable: a send serialises the Blob as JSON, and the bytes as an object keyed
    // by index ("737": 58) would carry every short canary by chance.
    Object.defineProperty(this, "__bytes", { value: bytes, enumerable: false, configurable: true });
    this.size = bytes.length;
    this.type = options && options.type ? String(options.type).toLowerCase() : "";
    this.arrayBuffer = function () { return Promise.resolve(bytes.slice().buffer); };
    this.bytes = function () { return Promise.resolve(bytes.slice()); };
    this.stream = function () { return new ByteStream(function () { return bytes; }); };
    this.slice = function (a, b, t) { return new MediaBlob([bytes.slice(a, b)], { type: t }); };
  }
  MediaBlob.prototype = PriorBlob.prototype;

  // A readable stream of bytes computed when first read (a transform's input is complete
  // by then: the script awaited its writer's `close`).
  function ByteStream(make) {
    var self = this, made = null, failed = null;
    function bytes() {
      if (made === null && failed === null) {
        try { made = make(); } catch (e) { failed = e; }
      }
      if (failed !== null) throw failed;
      return made;
    }
    Object.defineProperty(this, "__bytes", { get: function () { try { return bytes(); } catch (e) { return new Uint8Array(0); } } });
    Object.defineProperty(this, "__text", { get: function () { return textOf(self.__bytes); } });
    this.locked = false;
    this.pipeThrough = function (t) {
      if (t && typeof t.__through === "function") return new ByteStream(function () { return t.__through(bytes()); });
      return (t && t.readable) || self;
    };
    this.pipeTo = function (w) {
      try {
        var wr = w && typeof w.getWriter === "function" ? w.getWriter() : w;
        if (wr && wr.write) wr.write(bytes());
        if (wr && wr.close) wr.close();
        return Promise.resolve();
      } catch (e) { return Promise.reject(e); }
    };
    this.getReader = function () {
      var done = false;
      return {
        read: function () {
          if (done) return Promise.resolve({ done: true, value: undefined });
          done = true;
          try { return Promise.resolve({ done: false, value: bytes() }); } catch (e) { return Promise.reject(e); }
        },
        releaseLock: function () {},
        cancel: function () { return Promise.resolve(); },
        closed: Promise.resolve()
      };
    };
    this.tee = function () { return [new ByteStream(bytes), new ByteStream(bytes)]; };
    this.cancel = function () { return Promise.resolve(); };
    if (typeof Symbol === "function" && Symbol.asyncIterator) {
      this[Symbol.asyncIterator] = function () {
        var r = self.getReader();
        return { next: function () { return r.read(); }, return: function () { return Promise.resolve({ done: true }); } };
      };
    }
  }

  // `new DecompressionStream('deflate-raw')`: used with `pipeThrough`, or written to by
  // hand (`writable.getWriter()`) and read from `readable`.
  function transform(op) {
    return function (format) {
      var fmt = String(format);
      if (["gzip", "deflate", "deflate-raw"].indexOf(fmt) < 0) throw new TypeError("Unsupported compression format: " + fmt);
      var chunks = [];
      var through = function (bytes) { return bytesOfHex(call(op, fmt, bytes)); };
      this.__through = through;
      this.writable = {
        locked: false,
        getWriter: function () {
          return {
            write: function (c) { chunks.push(bytesOf(c) || utf8(c)); return Promise.resolve(); },
            close: function () { return Promise.resolve(); },
            releaseLock: function () {},
            ready: Promise.resolve(),
            closed: Promise.resolve()
          };
        }
      };
      this.readable = new ByteStream(function () { return through(concat(chunks)); });
    };
  }

  var PriorResponse = G.Response;
  function MediaResponse(body, init) {
    var bytes = bytesOf(body);
    var r = new PriorResponse(bytes !== null && body.__text === undefined ? textOf(bytes) : body, init);
    if (bytes === null) bytes = utf8(body === undefined || body === null ? "" : typeof body === "string" ? body : r.body && r.body.__text !== undefined ? r.body.__text : String(body));
    var own = bytes;
    r.arrayBuffer = function () { return Promise.resolve(own.slice().buffer); };
    r.bytes = function () { return Promise.resolve(own.slice()); };
    r.blob = function () { return Promise.resolve(new MediaBlob([own])); };
    r.body = new ByteStream(function () { return own; });
    r.bodyUsed = false;
    return r;
  }
  MediaResponse.prototype = PriorResponse.prototype;

  // --- images and canvases -------------------------------------------------------------------
  function dataBytes(url) {
    var m = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/i.exec(url);
    if (!m) return null;
    try {
      return { mime: m[1].toLowerCase(), bytes: /;base64/i.test(m[2]) ? latin1(atob(m[3].replace(/\s+/g, ""))) : utf8(decodeURIComponent(m[3])) };
    } catch (e) { return null; }
  }
  function decoded(mime, bytes) {
    try {
      var out = call("image", mime, bytes);
      var i = out.indexOf(","), j = out.indexOf(",", i + 1);
      return { width: +out.slice(0, i), height: +out.slice(i + 1, j), pixels: bytesOfHex(out.slice(j + 1)) };
    } catch (e) { return null; }
  }
  function withPixels(el) {
    var d = Object.getOwnPropertyDescriptor(el, "src");
    if (!d || !d.set) return el;
    el.naturalWidth = el.naturalHeight = 0;
    el.complete = false;
    Object.defineProperty(el, "src", {
      get: d.get,
      set: function (v) {
        d.set.call(el, v);
        var data = dataBytes(String(v));
        if (!data) return;
        var img = decoded(data.mime, data.bytes);
        if (img) {
          el.__pixels = img.pixels;
          el.naturalWidth = el.width = img.width;
          el.naturalHeight = el.height = img.height;
        }
        el.complete = true;
        // As in a browser, `load` comes after the script that set `src` has run on.
        Promise.resolve().then(function () { el.dispatchEvent({ type: "load", target: el, currentTarget: el, bubbles: false }); });
      },
      enumerable: true, configurable: true
    });
    el.decode = function () { return Promise.resolve(); };
    return el;
  }
  function withContext(el) {
    var buf = null, cw = 0, ch = 0;
    if (!el.width) el.width = 300;
    if (!el.height) el.height = 150;
    function size() {
      var w = Math.max(0, el.width | 0), h = Math.max(0, el.height | 0);
      if (w * h > MAX_PIXELS) { w = 0; h = 0; }
      if (buf === null || w !== cw || h !== ch) { buf = new Uint8ClampedArray(w * h * 4); cw = w; ch = h; }
    }
    function blit(src, sw, sh, sx, sy, w, h, dx, dy) {
      for (var y = 0; y < h; y++) {
        for (var x = 0; x < w; x++) {
          var fx = sx + x, fy = sy + y, tx = dx + x, ty = dy + y;
          if (fx < 0 || fy < 0 || fx >= sw || fy >= sh || tx < 0 || ty < 0 || tx >= cw || ty >= ch) continue;
          var f = (fy * sw + fx) * 4, t = (ty * cw + tx) * 4;
          buf[t] = src[f]; buf[t + 1] = src[f + 1]; buf[t + 2] = src[f + 2]; buf[t + 3] = src[f + 3];
        }
      }
    }
    function noop() {}
    var ctx = {
      canvas: el,
      drawImage: function (img) {
        size();
        var px = img && (img.__pixels || (typeof img.__canvasPixels === "function" ? img.__canvasPixels() : null));
        if (!px) return;
        var iw = img.naturalWidth || img.width | 0, ih = img.naturalHeight || img.height | 0;
        var a = [].slice.call(arguments, 1).map(function (n) { return n | 0; });
        // (dx, dy), (dx, dy, dw, dh) or (sx, sy, sw, sh, dx, dy, dw, dh); no scaling.
        if (a.length >= 8) blit(px, iw, ih, a[0], a[1], Math.min(a[2], a[6]), Math.min(a[3], a[7]), a[4], a[5]);
        else blit(px, iw, ih, 0, 0, iw, ih, a[0] || 0, a[1] || 0);
      },
      getImageData: function (sx, sy, sw, sh) {
        size();
        sx |= 0; sy |= 0; sw = Math.max(0, sw | 0); sh = Math.max(0, sh | 0);
        if (sw * sh > MAX_PIXELS) throw new RangeError("getImageData: too large");
        var out = new Uint8ClampedArray(sw * sh * 4);
        for (var y = 0; y < sh; y++) {
          for (var x = 0; x < sw; x++) {
            var fx = sx + x, fy = sy + y;
            if (fx < 0 || fy < 0 || fx >= cw || fy >= ch) continue;
            var f = (fy * cw + fx) * 4, t = (y * sw + x) * 4;
            out[t] = buf[f]; out[t + 1] = buf[f + 1]; out[t + 2] = buf[f + 2]; out[t + 3] = buf[f + 3];
          }
        }
        return { width: sw, height: sh, data: out, colorSpace: "srgb" };
      },
      putImageData: function (d, dx, dy) {
        size();
        if (d && d.data) blit(d.data, d.width | 0, d.height | 0, 0, 0, d.width | 0, d.height | 0, dx | 0, dy | 0);
      },
      createImageData: function (w, h) {
        w = Math.max(0, w | 0); h = Math.max(0, h | 0);
        if (w * h > MAX_PIXELS) throw new RangeError("createImageData: too large");
        return { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
      },
      measureText: function (t) { return { width: String(t).length * 7 }; },
      getTransform: function () { return { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }; }
    };
    ["fillRect", "clearRect", "strokeRect", "fillText", "strokeText", "beginPath", "closePath", "moveTo", "lineTo", "arc", "rect", "fill", "stroke", "save", "restore", "translate", "rotate", "scale", "setTransform", "resetTransform", "clip", "quadraticCurveTo", "bezierCurveTo"].forEach(function (n) { ctx[n] = noop; });
    el.getContext = function (type) { return /^2d$/i.test(String(type)) ? ctx : null; };
    el.toDataURL = function () { return "data:image/png;base64,"; };
    el.toBlob = function (cb) { if (typeof cb === "function") cb(new MediaBlob([], { type: "image/png" })); };
    el.__canvasPixels = function () { size(); return buf; };
    return el;
  }

  var doc = G.document;
  var priorCreate = doc.createElement;
  doc.createElement = function (t) {
    var el = priorCreate.apply(doc, arguments);
    var n = String(t).toLowerCase();
    if (n === "img") return withPixels(el);
    if (n === "canvas") return withContext(el);
    return el;
  };
  var PriorImage = G.Image;
  function MediaImage(w, h) {
    var el = withPixels(PriorImage());
    if (w !== undefined) el.width = w | 0;
    if (h !== undefined) el.height = h | 0;
    return el;
  }
  function OffscreenCanvasStub(w, h) {
    var el = withContext(priorCreate.call(doc, "canvas"));
    el.width = w | 0;
    el.height = h | 0;
    return el;
  }
  function createImageBitmap(src) {
    if (src && src.__pixels) return Promise.resolve({ width: src.naturalWidth || src.width, height: src.naturalHeight || src.height, __pixels: src.__pixels, close: function () {} });
    var bytes = bytesOf(src);
    var img = bytes && decoded(src.type || "", bytes);
    if (!img) return Promise.reject(new TypeError("createImageBitmap: the source image could not be decoded"));
    return Promise.resolve({ width: img.width, height: img.height, naturalWidth: img.width, naturalHeight: img.height, __pixels: img.pixels, close: function () {} });
  }

  function define(name, value) {
    Object.defineProperty(G, name, { value: value, writable: true, configurable: true });
  }
  define("Blob", MediaBlob);
  define("Response", MediaResponse);
  define("DecompressionStream", transform("decompress"));
  define("CompressionStream", transform("compress"));
  define("Image", MediaImage);
  define("OffscreenCanvas", OffscreenCanvasStub);
  define("createImageBitmap", createImageBitmap);

  // `fetch('data:…')` is answered by the browser itself, with no request: the URL's bytes (a
  // loader reads its second stage back out of an icon's data URL this way).
  var priorFetch = G.fetch;
  define("fetch", function (u, init) {
    var url = u && typeof u === "object" && u.url ? u.url : u;
    var d = typeof url === "string" && /^data:/i.test(url) ? dataBytes(url) : null;
    if (d) return Promise.resolve(new MediaResponse(d.bytes, { headers: { "Content-Type": d.mime } }));
    return priorFetch.call(this, u, init);
  });
})
