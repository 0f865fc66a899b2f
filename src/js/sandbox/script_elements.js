// Code the stub page runs from the script elements a script makes. A loader's last step is
// `s.src = URL.createObjectURL(new Blob([code]))`, `s.src = 'data:text/javascript;base64,…'`
// or `s.text = code`, then `head.appendChild(s)`: the browser runs that code, and the
// second stage is what reads the card. Here such code runs once per element, after the
// script that set it has run on (a task in a browser; a microtask here), through the
// page's `eval`, so the sandbox's recorder keeps it as a layer too. A `src` on the network
// is a request, as before, and is not fetched.
(function () {
  "use strict";
  var G = globalThis;
  var MAX_CODE = 4 << 20;
  var codes = {};

  var priorObjectURL = G.URL.createObjectURL;
  G.URL.createObjectURL = function (b) {
    var id = priorObjectURL.apply(this, arguments);
    if (b && typeof b.__text === "string") codes[id] = b.__text;
    return id;
  };

  function codeOf(url) {
    url = String(url);
    if (Object.prototype.hasOwnProperty.call(codes, url)) return codes[url];
    var m = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/i.exec(url);
    if (!m) return null;
    try { return /;base64/i.test(m[2]) ? atob(m[3].replace(/\s+/g, "")) : decodeURIComponent(m[3]); } catch (e) { return null; }
  }

  function runnable(el) {
    var ran = false;
    function run(code) {
      if (ran || typeof code !== "string" || !/\S/.test(code) || code.length > MAX_CODE) return;
      var type = String(el.type || "").toLowerCase();
      // `type="text/plain"` or JSON: data the page keeps, not code it runs.
      if (type && type !== "text" && !/javascript|ecmascript|module|jscript/.test(type)) return;
      ran = true;
      Promise.resolve().then(function () {
        try { (0, G.eval)(code); } catch (e) {}
        el.dispatchEvent({ type: "load", target: el, currentTarget: el, bubbles: false });
      });
    }
    var src = Object.getOwnPropertyDescriptor(el, "src");
    if (src && src.set) {
      Object.defineProperty(el, "src", {
        get: src.get,
        set: function (v) { src.set.call(el, v); run(codeOf(v)); },
        enumerable: true, configurable: true
      });
    }
    var text = "";
    ["text", "textContent", "innerText", "innerHTML"].forEach(function (p) {
      Object.defineProperty(el, p, {
        get: function () { return text; },
        set: function (v) { text = String(v); run(text); },
        enumerable: true, configurable: true
      });
    });
    var priorAppend = el.appendChild;
    // `s.appendChild(document.createTextNode(code))`.
    el.appendChild = function (c) {
      var r = priorAppend.apply(el, arguments);
      if (c && c.nodeType === 3) run(String(c.data !== undefined ? c.data : c.textContent));
      return r;
    };
    return el;
  }

  // Inline scripts of markup the browser runs: `document.write`, and an iframe's `srcdoc`
  // (a same-origin frame; its code runs here in the page's own scope, where a
  // BroadcastChannel or a `parent` hand-off reaches it as it would the frame).
  function scriptsIn(html) {
    var re = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi, m, n = 0;
    while ((m = re.exec(String(html))) !== null && n++ < 64) {
      var type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(m[1]);
      if (type && !/javascript|ecmascript|module|jscript/i.test(type[1])) continue;
      var src = /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(m[1]);
      var code = src ? codeOf(src[1]) : m[2];
      if (typeof code === "string" && /\S/.test(code) && code.length <= MAX_CODE) later(code);
    }
  }
  function later(code) {
    Promise.resolve().then(function () { try { (0, G.eval)(code); } catch (e) {} });
  }
  function framed(el) {
    var doc = "";
    Object.defineProperty(el, "srcdoc", {
      get: function () { return doc; },
      set: function (v) { doc = String(v); scriptsIn(doc); },
      enumerable: true, configurable: true
    });
    var priorSet = el.setAttribute;
    el.setAttribute = function (n, v) {
      if (String(n).toLowerCase() === "srcdoc") el.srcdoc = v;
      else priorSet.apply(el, arguments);
    };
    return el;
  }

  var doc = G.document;
  var priorCreate = doc.createElement;
  doc.createElement = function (t) {
    var el = priorCreate.apply(doc, arguments);
    var n = String(t).toLowerCase();
    return n === "script" ? runnable(el) : n === "iframe" ? framed(el) : el;
  };
  ["write", "writeln"].forEach(function (w) {
    var prior = doc[w];
    doc[w] = function () {
      var r = prior.apply(doc, arguments);
      scriptsIn([].slice.call(arguments).join(""));
      return r;
    };
  });
})
