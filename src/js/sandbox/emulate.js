// A checkout page made of stubs, for running a whole obfuscated script in the sealed
// interpreter (see `emulate.rs`). Installed after `prelude.js`, in a context that still has no
// I/O of any kind: every way the script could send (XMLHttpRequest, fetch, sendBeacon, a
// resource URL, a form, a WebSocket, a peer connection, a navigation) only appends a record
// to `sends`, and every field value it reads is a canary chosen by what the field looks like
// (a valid test card number for a card-number field, and so on), recorded in `reads`.
// skimscan then looks for the canaries in what was sent (`emulate.rs`). Nothing here is a
// browser: the aim is to let a decoder-heavy script reach its own sending code, not fidelity.
(function (pageUrl) {
  "use strict";
  var G = globalThis;
  var reads = [];
  var sends = [];
  // What the page hands a script through a pipe it reads (an event's `detail`), marked so
  // a send that carries it shows where it went (see `pipe_marks.rs`).
  var pipeMarks = [];
  function pipeMark(key) {
    var n = pipeMarks.length, mark = "skpipe" + n + "x";
    pipeMarks.push([n, key]);
    var base = { toJSON: function () { return mark; }, toString: function () { return mark; }, valueOf: function () { return mark; } };
    return new Proxy(base, {
      get: function (t, k) { return k in t ? t[k] : typeof k === "string" ? mark + k : undefined; }
    });
  }
  var listeners = [];
  var timers = [];
  var MAX_RECORDS = 2000;
  var recordedTimer = G.setTimeout;

  function str(v) {
    try {
      if (v === undefined || v === null) return "";
      if (typeof v === "string") return v;
      if (v && v.__skimscan_serial) return v.__skimscan_serial();
      if (typeof v === "object") {
        try { return JSON.stringify(v); } catch (e) { return String(v); }
      }
      return String(v);
    } catch (e) {
      return "";
    }
  }
  // The shop's own checkout requests (see the steps): what a hook copies from them counts,
  // the requests themselves do not.
  // The third names the other platforms' checkout routes at once (OpenCart's
  // `route=extension/payment/…`, WooCommerce's `wc-ajax=checkout`, EC-CUBE's
  // `/shopping/confirm`, a generic `/checkout/confirm`): a hook that copies only requests to
  // its platform's route tests the URL for one of them.
  var OWN = ["/api/checkout/payment", "/rest/default/V1/carts/mine/payment-information",
    "/checkout/confirm/shopping/confirm/index.php?route=extension/payment/confirm&wc-ajax=checkout"];
  // What encrypted data held (`web_crypto.js`): a send of the ciphertext carries it.
  var unseal = function () { return ""; };
  function send(kind, url, data) {
    var u = str(url);
    if (OWN.indexOf(u) >= 0) return;
    var d = str(data);
    var plain = "";
    try { plain = unseal(data, u + "\n" + d); } catch (e) {}
    if (plain) d += "\n" + plain;
    if (sends.length < MAX_RECORDS) sends.push([kind, u, d]);
  }

  // What a field holds, by the words of its id, name or selector.
  function canary(key) {
    // The words of the selector, not its syntax (`[name="payment[method]"]` is no name field).
    var k = String(key).toLowerCase().replace(/\b(name|id|type|class|for|placeholder|autocomplete|aria-label|title)\s*[*^$|~]?=/g, " ");
    // Accents as written and without (`cartão`, and `cartao` from a pattern `cart[aã]o`).
    var bare = k.normalize ? k.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : k;
    if (bare !== k) k = k + " " + bare;
    // Captions of fake forms come in the shop's language: セキュリティコード, Prüfnummer,
    // cryptogramme, código de seguridad; 有効期限, Gültig bis, caducidad; カード番号, Kartennummer,
    // numéro de carte, número de tarjeta.
    // Also Italian, Dutch, Swedish, Polish and Portuguese captions (codice di sicurezza,
    // vervaldatum, kortnummer, numer karty, validade).
    // And Korean and Portuguese (보안코드, 유효기간, 카드 번호, 명의; código de segurança).
    if (/cvv|cvc|cid\b|_cid|csc|cvn|security.?code|verif|セキュリティ|prüf|cryptogramme|seguridad|seguran|sicurezza|beveiligings|säkerhets|zabezpiecz|보안\s*코드/.test(k)) return "737";
    // The holder's name on a field that also says "card" (`Name on card`, `cc-name`).
    if (/inhaber|名義|명의|소유자|name.?on.?card|card.?holder|cc.name|titular|nome.?(impresso|no.?cart)/.test(k)) return "Jane Canary";
    if (/exp.*(year|yy)|year|_yr\b|yy\b/.test(k)) return "2029";
    if (/exp.*(month|mm)|month|mm\b/.test(k)) return "12";
    if (/exp|有効期限|유효\s*기간|만료|gültig|caducidad|vencimiento|validit|scadenza|vervaldatum|geldig|utgång|ważności|validade/.test(k)) return "12/29";
    if (/c(c|ard|redit).?(num|no\b|_no)|cardnumber|ccnum|number|pan\b|card|カード番号|karte|carte|tarjeta|cartão|cartao|\bcarta\b|\bkaart|\bkarty\b|\bkort(nummer)?\b|카드\s*번호/.test(k)) return "4111111111111111";
    if (/mail/.test(k)) return "jane.canary@mail.example";
    if (/name|owner|holder/.test(k) && !/(user|login|company|account|shipping|method|product|coupon)/.test(k)) return "Jane Canary";
    if (/phone|tel/.test(k)) return "5550100199";
    return "canary-" + k.replace(/[^a-z0-9]+/g, "-").slice(0, 40);
  }

  // --- events -------------------------------------------------------------------------------
  function listen(target, type, fn) {
    if (typeof fn === "function" || (fn && typeof fn.handleEvent === "function")) {
      if (listeners.length < MAX_RECORDS) listeners.push([target, String(type), fn]);
    }
  }
  function eventTarget(o) {
    o.addEventListener = function (t, fn) { listen(o, t, fn); };
    o.removeEventListener = function () {};
    o.dispatchEvent = function (ev) { dispatch(o, ev); return true; };
    o.attachEvent = function (t, fn) { listen(o, String(t).replace(/^on/, ""), fn); };
    return o;
  }
  function makeEvent(type, target, extra) {
    var ev = {
      type: type, target: target, currentTarget: target, srcElement: target,
      key: "4", keyCode: 52, which: 52, charCode: 52, code: "Digit4",
      isTrusted: true, bubbles: true, timeStamp: 1000,
      preventDefault: function () {}, stopPropagation: function () {},
      stopImmediatePropagation: function () {}
    };
    if (extra) for (var k in extra) ev[k] = extra[k];
    return ev;
  }
  function call(fn, self, ev) {
    try {
      if (typeof fn === "function") fn.call(self, ev);
      else fn.handleEvent(ev);
    } catch (e) {}
  }
  function dispatch(target, ev) {
    var type = ev && ev.type;
    listeners.slice().forEach(function (l) {
      // Page events bubble to the document and the window; a channel's or a socket's do not,
      // nor does an image's or a script's `load` (made with `bubbles: false`).
      var bubbles = ev.bubbles !== false && (target === G || (target && target.nodeType));
      if (l[1] === type && (l[0] === target || (bubbles && (l[0] === G || l[0] === doc)))) call(l[2], l[0], ev);
    });
    var on = target && target["on" + type];
    if (typeof on === "function") call(on, target, ev);
  }

  // --- elements ------------------------------------------------------------------------------
  // The DOM's interfaces, so `x instanceof HTMLInputElement` and a look at
  // `HTMLInputElement.prototype` do not throw, and a custom element's class (`class X extends
  // HTMLElement`) makes an element: its constructor answers with one of the page's.
  function iface(parent) {
    var f = function HTMLElement() {
      var made = element(defined.tagOf(new.target) || "div", "", {});
      if (new.target && new.target.prototype) Object.setPrototypeOf(made, new.target.prototype);
      return made;
    };
    f.prototype = Object.create(parent ? parent.prototype : Object.prototype);
    f.prototype.constructor = f;
    return f;
  }
  var NodeI = iface(null), ElementI = iface(NodeI), HTMLElementI = iface(ElementI);
  var interfaces = { Node: NodeI, Element: ElementI, HTMLElement: HTMLElementI };
  ["Input", "Form", "Select", "TextArea", "IFrame", "Button", "Option", "Image", "Script", "Anchor", "Div"].forEach(function (n) {
    interfaces["HTML" + n + "Element"] = iface(HTMLElementI);
  });
  // A field's value as the prototype's accessor (each element keeps its own): a script that
  // wraps `HTMLInputElement.prototype`'s `value` getter wraps this, and the shop's own
  // validation below reads the fields through whatever the prototype then holds.
  function ownValue(el) {
    var d = Object.getOwnPropertyDescriptor(el, "value");
    return d ? (d.get ? d.get.call(el) : d.value) : "";
  }
  var valueAccessor = {
    get: function () { return ownValue(this); },
    set: function (v) { var d = Object.getOwnPropertyDescriptor(this, "value"); if (d && d.set) d.set.call(this, v); },
    configurable: true, enumerable: true
  };
  // `HTMLFormElement.prototype.submit` as the page had it: the shop's checkout calls what the
  // prototype holds when it places the order (a skimmer wraps it to read the form first).
  function protoSubmit() {}
  var ifaceByTag = { INPUT: "Input", FORM: "Form", SELECT: "Select", TEXTAREA: "TextArea", IFRAME: "IFrame", BUTTON: "Button", OPTION: "Option", IMG: "Image", SCRIPT: "Script", A: "Anchor", DIV: "Div" };
  ["HTMLInputElement", "HTMLSelectElement", "HTMLTextAreaElement"].forEach(function (n) {
    Object.defineProperty(interfaces[n].prototype, "value", valueAccessor);
  });
  interfaces.HTMLFormElement.prototype.submit = protoSubmit;
  interfaces.HTMLFormElement.prototype.requestSubmit = protoSubmit;
  function protoOf(tag) {
    var i = interfaces["HTML" + (ifaceByTag[String(tag || "").toUpperCase()] || "") + "Element"] || HTMLElementI;
    return i.prototype;
  }
  // `customElements.define('x-card', XCard)`: `createElement('x-card')` makes one, and it is
  // connected (its `connectedCallback` runs) on the next task, as once it is on the page.
  var defined = {
    classes: {},
    tagOf: function (c) {
      for (var n in defined.classes) if (defined.classes[n] === c) return n;
      return "";
    },
    make: function (t) {
      madeAny = true;
      var C = defined.classes[String(t).toLowerCase()];
      if (!C) return element(t, "", {});
      var made;
      try { made = new C(); } catch (e) { made = element(t, "", {}); }
      timers.push([function () { if (typeof made.connectedCallback === "function") made.connectedCallback(); }, 1]);
      return made;
    }
  };
  var customElementsStub = {
    define: function (n, c) { if (typeof c === "function") defined.classes[String(n).toLowerCase()] = c; },
    get: function (n) { return defined.classes[String(n).toLowerCase()]; },
    whenDefined: function () { return Promise.resolve(); },
    upgrade: function () {}
  };
  // UTF-8 both ways (QuickJS has neither): code that hides its strings as bytes.
  function TextEncoderStub() {
    this.encoding = "utf-8";
    this.encode = function (text) {
      var b = unescape(encodeURIComponent(str(text === undefined ? "" : text)));
      var out = new Uint8Array(b.length);
      for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
      return out;
    };
  }
  function TextDecoderStub() {
    this.encoding = "utf-8";
    this.decode = function (bytes) {
      if (!bytes) return "";
      var a = bytes.buffer instanceof ArrayBuffer && !(bytes instanceof Uint8Array) ? new Uint8Array(bytes.buffer) : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
      var b = "";
      for (var i = 0; i < a.length; i++) b += String.fromCharCode(a[i] & 255);
      try { return decodeURIComponent(escape(b)); } catch (e) { return b; }
    };
  }
  // `new FontFace(family, 'url(…)')`: the browser fetches the font when it is loaded (or
  // added to `document.fonts`).
  function FontFaceStub(family, source) {
    this.family = str(family);
    this.status = "loaded";
    var m = /url\(\s*["']?([^"')]+)["']?\s*\)/i.exec(str(source));
    if (m) send("font", m[1], "");
    var self = this;
    this.load = function () { return Promise.resolve(self); };
    this.loaded = Promise.resolve(this);
  }
  // `new Option(text, value)`, as `<select>` lists are filled.
  function OptionStub(text, value) {
    var o = element("option", "", {});
    o.text = o.textContent = o.label = text === undefined ? "" : str(text);
    o.value = value === undefined ? o.text : str(value);
    return o;
  }
  var elements = {};
  function keyOf(sel) {
    return String(sel);
  }
  var all = [];
  function element(tag, key, attrs) {
    var el = eventTarget(Object.create(protoOf(tag)));
    if (all.length < MAX_RECORDS) all.push(el);
    var values = {};
    var attributes = attrs || {};
    tag = String(tag || "div").toUpperCase();
    // Real card fields say what they hold (`autocomplete="cc-number"`), and replay and
    // analytics scripts decide what to mask by it.
    if (tag === "INPUT" && attributes.autocomplete === undefined && (attributes.id || attributes.name)) {
      var ac = { "4111111111111111": "cc-number", "737": "cc-csc", "12": "cc-exp-month", "2029": "cc-exp-year", "12/29": "cc-exp", "Jane Canary": "cc-name", "jane.canary@mail.example": "email" }[canary((attributes.id || "") + " " + (attributes.name || ""))];
      if (ac) attributes.autocomplete = ac;
    }
    el.tagName = el.nodeName = tag;
    el.nodeType = 1;
    el.__key = key || "";
    el.id = attributes.id || "";
    el.name = attributes.name || "";
    el.type = attributes.type || "text";
    el.className = attributes["class"] || "";
    el.style = style();
    el.dataset = {};
    function dataKey(n) { return n.slice(5).replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); }); }
    Object.keys(attributes).forEach(function (n) { if (/^data-/.test(n)) el.dataset[dataKey(n)] = attributes[n]; });
    el.children = [];
    el.childNodes = el.children;
    // Where it hangs: what appended it, else the page's body (a script climbs from a field
    // it found to hide its container: `iframe.parentNode.style.display = 'none'`).
    var parent = null;
    ["parentNode", "parentElement"].forEach(function (p) {
      Object.defineProperty(el, p, {
        get: function () { return parent || (tag === "HTML" ? (p === "parentNode" ? doc : null) : tag === "BODY" || tag === "HEAD" ? docEl : body); },
        set: function (v) { parent = v; },
        configurable: true
      });
    });
    Object.defineProperty(el, "firstChild", { get: function () { return el.children[0] || null; }, configurable: true });
    Object.defineProperty(el, "lastChild", { get: function () { return el.children[el.children.length - 1] || null; }, configurable: true });
    el.options = [];
    if (tag === "SELECT") el.add = function (o) { if (o && typeof o === "object") { el.options.push(o); el.appendChild(o); } };
    el.selectedIndex = 0;
    el.checked = false;
    el.disabled = false;
    el.classList = { add: function () {}, remove: function () {}, contains: function () { return false; }, toggle: function () {} };
    // Attributes a browser reflects as properties (`input.autocomplete` is the attribute):
    // keyloggers pick card fields by `e.target.autocomplete` or `.placeholder` as often as by
    // `getAttribute`, and without these they saw no field at all.
    var formish = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
    var reflected = [["title", "title"], ["ariaLabel", "aria-label"]];
    if (formish || tag === "FORM") reflected.push(["autocomplete", "autocomplete"]);
    if (formish) reflected.push(["placeholder", "placeholder"], ["inputMode", "inputmode"], ["pattern", "pattern"]);
    reflected.forEach(function (p) {
      Object.defineProperty(el, p[0], {
        get: function () {
          var v = attributes[p[1]];
          if (v === undefined || v === null) return p[0] === "autocomplete" && tag === "FORM" ? "on" : "";
          return String(v);
        },
        set: function (v) { attributes[p[1]] = str(v); },
        enumerable: true, configurable: true
      });
    });
    if (formish) {
      Object.defineProperty(el, "maxLength", {
        get: function () { var n = parseInt(attributes.maxlength, 10); return isNaN(n) ? -1 : n; },
        set: function (v) { attributes.maxlength = str(v); },
        enumerable: true, configurable: true
      });
      Object.defineProperty(el, "required", {
        get: function () { return "required" in attributes; },
        set: function (v) { if (v) attributes.required = ""; else delete attributes.required; },
        enumerable: true, configurable: true
      });
    }
    Object.defineProperty(el, "value", {
      get: function () {
        if ("value" in values) return values.value;
        var k = el.__key || el.id || el.name;
        // What the script itself named the field (`setAttribute('placeholder', 'Card
        // Number')` on an input it made) says what a customer types there.
        var said = ["placeholder", "aria-label", "ariaLabel", "title", "autocomplete"].map(function (n) { return attributes[n] || el[n] || ""; }).join(" ");
        var v = canary(k + " " + el.id + " " + el.name + " " + said);
        reads.push([el.__key || (el.id ? "#" + el.id : el.name ? "[name=\"" + el.name + "\"]" : tag.toLowerCase()), v]);
        return v;
      },
      set: function (v) { values.value = str(v); },
      enumerable: true, configurable: true
    });
    ["src", "href", "action", "data"].forEach(function (p) {
      Object.defineProperty(el, p, {
        get: function () { return values[p] || ""; },
        set: function (v) {
          values[p] = str(v);
          if (p === "src" || p === "href" || p === "data") send(tag.toLowerCase(), values[p], "");
        },
        enumerable: true, configurable: true
      });
    });
    // URL lists and side requests: the browser fetches the first `srcset` candidate and posts
    // to a link's `ping` when it is followed.
    ["srcset", "ping", "poster", "background", "formAction"].forEach(function (p) {
      Object.defineProperty(el, p, {
        get: function () { return values[p] || ""; },
        set: function (v) { values[p] = str(v); send(tag.toLowerCase(), values[p].trim().split(/\s+/)[0], ""); },
        enumerable: true, configurable: true
      });
    });
    ["innerHTML", "outerHTML"].forEach(function (p) {
      Object.defineProperty(el, p, {
        get: function () { return values[p] || ""; },
        // The fields written are this element's own (a fake form's `elements`).
        set: function (v) { values[p] = str(v); markup(values[p]).forEach(el.appendChild); },
        enumerable: true, configurable: true
      });
    });
    el.textContent = el.innerText = "";
    // A style sheet the script writes fetches what it imports and the images it names.
    if (tag === "STYLE") {
      var css = "";
      if (styleTexts.length < 64) styleTexts.push(function () { return css; });
      ["textContent", "innerText", "innerHTML"].forEach(function (p) {
        Object.defineProperty(el, p, {
          get: function () { return css; },
          set: function (v) { css = str(v); cssRequests(css); },
          enumerable: true, configurable: true
        });
      });
      // Its sheet, written rule by rule (`sheet.insertRule('.x{background:url(…)}')`).
      el.sheet = new SheetStub();
    }
    el.getAttribute = function (n) {
      n = String(n);
      if (n === "id" || n === "name" || n === "type") return el[n] || null;
      if (n in attributes) return attributes[n];
      return values[n] !== undefined ? values[n] : null;
    };
    el.setAttribute = function (n, v) {
      n = String(n).toLowerCase();
      if (observers.length) mutated(el, { type: "attributes", attributeName: n, oldValue: null, addedNodes: [], removedNodes: [] });
      if (n === "src" || n === "href" || n === "action" || n === "data" || n === "value") el[n] = v;
      // URL lists and side requests as attributes: the same requests as the properties.
      else if (n === "ping" || n === "srcset" || n === "poster" || n === "background") el[n] = v;
      else {
        attributes[n] = str(v);
        if (n === "id" || n === "name") el[n] = str(v);
        if (n === "class") el.className = str(v);
        if (/^data-/.test(n)) el.dataset[dataKey(n)] = str(v);
      }
    };
    el.setAttributeNS = function (_, n, v) { el.setAttribute(String(n).replace(/^xlink:/i, ""), v); };
    el.getAttributeNS = function (_, n) { return el.getAttribute(n); };
    el.hasAttribute = function (n) { return n in attributes; };
    el.removeAttribute = function () {};
    el.appendChild = el.insertBefore = el.replaceChild = el.removeChild = function (c) {
      if (c && c.__form_child !== undefined) c.__form_child = el;
      if (c && typeof c === "object") {
        el.children.push(c);
        if (c.nodeType === 1) c.parentNode = el;
      }
      return c;
    };
    el.append = el.prepend = el.after = el.before = el.replaceWith = el.replaceChildren = function () {
      for (var i = 0; i < arguments.length; i++) {
        if (typeof arguments[i] === "string") markup(arguments[i]);
        else el.appendChild(arguments[i]);
      }
    };
    el.insertAdjacentHTML = function (_, html) { markup(str(html)).forEach(el.appendChild); };
    el.insertAdjacentElement = function (_, c) { return c; };
    el.remove = function () {};
    el.cloneNode = function (deep) {
      var c = element(tag, el.__key, attributes);
      if (deep) el.children.forEach(function (k) { c.children.push(k && k.cloneNode ? k.cloneNode(true) : k); });
      return c;
    };
    el.contains = function () { return true; };
    el.focus = el.blur = el.select = function () {};
    el.getBoundingClientRect = function () { return { top: 0, left: 0, width: 100, height: 20, bottom: 20, right: 100 }; };
    // A container the script filled with fields of its own answers with those for "every
    // field" (`form.querySelectorAll('input')`); anything else is found page-wide.
    // Inside a part of the checkout with no card field (`#checkout-step-shipping`), only
    // the fields the script put there.
    function inOther() { return otherPart(el.__key + " " + el.id + " " + el.className); }
    el.querySelector = function (s) { var own = ownFields(el); return (own.length || inOther()) && isGeneric(s) ? own[0] || null : query(s); };
    el.querySelectorAll = function (s) { var own = ownFields(el); return (own.length || inOther()) && isGeneric(s) ? list(own) : queryAll(s); };
    el.getElementsByTagName = function (t) { var own = ownFields(el); return (own.length || inOther()) && /^(input|select|textarea|\*)$/i.test(str(t)) ? list(own) : byTag(t); };
    el.getElementById = function (id) { return query("#" + id); };
    // A shadow root is a fragment of the same page here: what is written into it is found by
    // id and selector like the rest.
    el.attachShadow = function () {
      var r = element("fragment", "", {});
      r.host = el; r.mode = "open";
      el.shadowRoot = r;
      return r;
    };
    if (tag === "FORM") {
      Object.defineProperty(el, "elements", {
        get: function () { return list(ownFields(el)); },
        set: function (v) { Object.defineProperty(el, "elements", { value: v, writable: true, configurable: true }); },
        configurable: true
      });
    }
    el.getElementsByClassName = function (c) { return [query("." + c)]; };
    // The nearest ancestor: the form when the selector names one, else the element itself
    // (a listener on the document asks `e.target.closest('button')` of what was clicked).
    el.closest = function (sel) {
      var s = str(sel).toLowerCase();
      return /form/.test(s) && tag.toLowerCase() !== "form" ? form : el;
    };
    el.matches = function () { return true; };
    el.click = function () { dispatch(el, makeEvent("click", el)); };
    el.submit = function () {
      var body = fields.map(function (f) { return f.name + "=" + f.value; }).join("&");
      send("form", values.action || "", body);
    };
    el.requestSubmit = el.submit;
    el.reset = function () {};
    el.contentWindow = G;
    // A frame's document is the page's here: what the script writes into it is found again.
    el.contentDocument = tag === "IFRAME" || tag === "FRAME" ? doc : null;
    if (tag !== "STYLE") el.sheet = null;
    return el;
  }
  // What CSS text makes the browser fetch: the images it names, the sheets it imports.
  function cssRequests(css) {
    var re = /url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']/gi, m, n = 0;
    while ((m = re.exec(str(css))) !== null && n++ < 16) send("css", m[1] || m[2], "");
  }
  // A style sheet of the CSS object model (a `<style>`'s `sheet`, `new CSSStyleSheet()`
  // adopted by the document): rules added to it are CSS like any other.
  // What the script wrote into style sheets, for `getComputedStyle` (`computed_style.js`).
  var styleTexts = [];
  function SheetStub() {
    var rules = [];
    if (styleTexts.length < 64) styleTexts.push(function () { return rules.map(function (r) { return r.cssText; }).join("\n"); });
    this.cssRules = this.rules = rules;
    this.insertRule = function (text, at) {
      var r = { cssText: str(text) };
      cssRequests(r.cssText);
      rules.splice(Math.min(at >>> 0, rules.length), 0, r);
      return at >>> 0;
    };
    this.addRule = function (sel, body) { return this.insertRule(str(sel) + "{" + str(body) + "}", rules.length); };
    this.deleteRule = function (i) { rules.splice(i >>> 0, 1); };
    this.removeRule = this.deleteRule;
    this.replace = function (text) { cssRequests(text); return Promise.resolve(this); };
    this.replaceSync = function (text) { cssRequests(text); };
  }
  // An element's style: a CSS `url(…)` set on it is a request the browser makes.
  function style() {
    var st = {};
    function urls(v) {
      var re = /url\(\s*["']?([^"')]+)["']?\s*\)/gi, m;
      while ((m = re.exec(str(v))) !== null) send("css", m[1], "");
    }
    ["background", "backgroundImage", "cssText", "content", "listStyleImage", "borderImage", "cursor", "maskImage"].forEach(function (p) {
      var v = "";
      Object.defineProperty(st, p, { get: function () { return v; }, set: function (x) { v = str(x); urls(v); }, enumerable: true, configurable: true });
    });
    st.setProperty = function (_, v) { urls(v); };
    st.getPropertyValue = function () { return ""; };
    st.removeProperty = function () {};
    return st;
  }
  // The fields among an element's descendants (at most 64, depth 8).
  function ownFields(el) {
    var out = [];
    if (el.tagName === "BODY" || el.tagName === "HTML" || el.tagName === "HEAD") return out;
    (function walk(e, depth) {
      (e.children || []).forEach(function (c) {
        if (!c || out.length >= 64) return;
        if (c.tagName === "INPUT" || c.tagName === "SELECT" || c.tagName === "TEXTAREA") out.push(c);
        else if (depth < 8) walk(c, depth + 1);
      });
    })(el, 0);
    return out;
  }
  // Fields of markup the script wrote, by class.
  var written = {};
  function markup(html) {
    var made = [];
    madeAny = true;
    var re = /\b(?:src|href|action|data)\s*=\s*["']?([^"'\s>]+)/gi, m;
    while ((m = re.exec(html)) !== null) send("markup", m[1], "");
    // Fields the script writes itself (a fake card form): found later by id or name, and
    // read under the words that describe them (`placeholder="Card number"`), which is
    // how the analysis of the written-back flow knows them.
    var tags = /<(input|select|textarea)\b([^>]*)>/gi, t, after = 0;
    while ((t = tags.exec(html)) !== null) {
      var attrs = {}, a, are = /([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g;
      while ((a = are.exec(t[2])) !== null) attrs[a[1].toLowerCase()] = a[2] !== undefined ? a[2] : a[3] !== undefined ? a[3] : a[4];
      // The caption a customer reads just before the field (`<dt>カード番号</dt><dd><input>`,
      // `<label>Card number</label><input>`): what the field is, when no attribute says.
      var texts = html.slice(after, t.index).split(/<[^>]*>/).map(function (x) { return x.trim(); }).filter(Boolean);
      after = t.index + t[0].length;
      if (texts.length && texts[texts.length - 1].length <= 60) attrs["data-label"] = attrs["data-label"] || texts[texts.length - 1];
      var words = ["placeholder", "aria-label", "autocomplete", "title", "data-label"].filter(function (k) { return attrs[k]; })[0];
      var key = words ? "input[" + words + "=\"" + attrs[words] + "\"]" : attrs.id ? "#" + attrs.id : attrs.name ? "[name=\"" + attrs.name + "\"]" : "";
      if (!key) continue;
      attrs.id = attrs.id || ""; attrs.name = attrs.name || ""; attrs.type = attrs.type || "text";
      var el = element(t[1], key, attrs);
      el.form = form;
      // Found again by class too (`querySelectorAll('.tj')` of the script's own fields).
      (attrs["class"] || "").split(/\s+/).filter(Boolean).forEach(function (c) {
        (written["." + c] = written["." + c] || []).push(el);
      });
      if (attrs.id) elements["#" + attrs.id] = el;
      if (attrs.name) elements["[name=\"" + attrs.name + "\"]"] = elements["[name=" + attrs.name + "]"] = el;
      made.push(el);
      if (madeFields.length < MAX_RECORDS) madeFields.push(el);
    }
    return made;
  }
  // The fields the script wrote, and which of them a selector's last part names
  // (`.cc [data-k]`, `input[name=cvc]`, `#pay .num`): tag, id, class and attribute tests.
  var madeFields = [];
  function writtenMatching(sel) {
    var last = str(sel).split(",")[0].trim().split(/[\s>+~]+/).pop() || "";
    if (!last || /[:()]/.test(last)) return [];
    return madeFields.filter(function (el) { return matchesLast(el, last); });
  }
  // Whether `el` is what one compound selector (`input.cc[name^="payment["]`) names.
  function matchesLast(el, last) {
    var re = /([#.]?)([\w-]+)|\[\s*([\w-]+)\s*(?:([*^$|~]?=)\s*["']?([^"'\]]*)["']?)?\s*\]/g, m, rest = last;
    while ((m = re.exec(last)) !== null) {
      rest = rest.replace(m[0], "");
      if (m[2] !== undefined) {
        if (m[1] === "#" && el.id !== m[2]) return false;
        if (m[1] === "." && (" " + el.className + " ").indexOf(" " + m[2] + " ") < 0) return false;
        if (m[1] === "" && m[2] !== "*" && el.tagName !== m[2].toUpperCase()) return false;
      } else {
        var v = el.getAttribute(m[3]);
        if (v === null || v === undefined) return false;
        v = str(v);
        var want = m[5];
        if ((m[4] === "=" && v !== want) || (m[4] === "^=" && v.indexOf(want) !== 0) ||
          (m[4] === "$=" && v.slice(-want.length) !== want) || (m[4] === "*=" && v.indexOf(want) < 0) ||
          (m[4] === "~=" && v.split(/\s+/).indexOf(want) < 0) ||
          (m[4] === "|=" && v !== want && v.indexOf(want + "-") !== 0)) return false;
      }
    }
    return rest.trim() === "";
  }
  // The page's own fields that a list of attribute selectors names
  // (`input[autocomplete^="cc-"], input[name^="payment["]`): each field once, as the
  // browser answers, with the attributes a script then reads back.
  function pageMatching(sel) {
    var out = [];
    str(sel).split(",").forEach(function (part) {
      var last = part.trim().split(/[\s>+~]+/).pop() || "";
      if (!/\[/.test(last) || /[:()]/.test(last)) return;
      fields.forEach(function (el) { if (out.indexOf(el) < 0 && matchesLast(el, last)) out.push(el); });
    });
    return out;
  }

  // The card fields of the common platforms' checkouts (Magento, WooCommerce's card
  // gateways, BigCommerce, Shopify, OpenCart, EC-CUBE, hosted-field style ids), for scripts
  // that walk every input and for those that only act on the ids of their target platform
  // (an obfuscated script's literals are no hints).
  var standard = [
    ["input", "cc_number", "payment[cc_number]", "tel"],
    ["input", "cc_exp_month", "payment[cc_exp_month]", "text"],
    ["input", "cc_exp_year", "payment[cc_exp_year]", "text"],
    ["input", "cc_cid", "payment[cc_cid]", "tel"],
    ["input", "cc_owner", "payment[cc_owner]", "text"],
    ["input", "billing_email", "billing[email]", "email"],
    ["input", "wc-authorize-net-cim-credit-card-account-number", "wc-authorize-net-cim-credit-card-account-number", "tel"],
    ["input", "wc-authorize-net-cim-credit-card-expiry", "wc-authorize-net-cim-credit-card-expiry", "tel"],
    ["input", "wc-authorize-net-cim-credit-card-csc", "wc-authorize-net-cim-credit-card-csc", "tel"],
    ["input", "ccNumber", "ccNumber", "tel"],
    ["input", "ccExpiry", "ccExpiry", "tel"],
    ["input", "ccName", "ccName", "text"],
    ["input", "ccCvv", "ccCvv", "tel"],
    ["input", "number", "checkout[credit_card][number]", "tel"],
    ["input", "verification_value", "checkout[credit_card][verification_value]", "tel"],
    ["input", "input-cc-number", "cc_number", "tel"],
    ["input", "input-cc-cvv2", "cc_cvv2", "tel"],
    ["input", "card_no", "card_no", "tel"],
    ["input", "security_code", "security_code", "tel"],
    ["input", "cardNumber", "cardNumber", "tel"],
    ["input", "cardExpiry", "exp-date", "tel"],
    ["input", "cardCvc", "cvc", "tel"]
  ];
  // Sized as real card fields are (`maxlength="19" inputmode="numeric"`): scripts that know
  // a field by its shape, not its name.
  var shapes = { "4111111111111111": ["19", "numeric", "Card number"], "737": ["4", "numeric", "Security code"], "12/29": ["7", "numeric", "MM / YY"], "12": ["2", "numeric"], "2029": ["4", "numeric"], "Jane Canary": ["64", "text", "Name on card"] };
  var fields = standard.map(function (f) {
    var attrs = { id: f[1], name: f[2], type: f[3] };
    var shape = shapes[canary(f[1] + " " + f[2])];
    if (shape) { attrs.maxlength = shape[0]; attrs.inputmode = shape[1]; if (shape[2]) attrs.placeholder = shape[2]; }
    var el = element(f[0], "#" + f[1], attrs);
    if (shape) { el.maxLength = +shape[0]; el.inputMode = shape[1]; if (shape[2]) el.placeholder = shape[2]; }
    return el;
  });
  var form = element("form", "form", { id: "co-payment-form" });
  var pageForm = form;
  // `form.elements.cc_number`, `document.forms.checkout`: any name answers.
  function byName(items, other) {
    return new Proxy(items, {
      get: function (t, k) {
        if (typeof k !== "string" || k in t || /^\d+$/.test(k)) return t[k];
        return other(k);
      }
    });
  }
  // The captions a customer reads (`<label for="cc_number">Card number</label>`): scripts
  // that find fields by what the page says they are, in any platform's markup, through
  // labels, `<dt>`s and the like, or the text nodes a tree walker visits. Besides these,
  // the captions the script itself looks for (`captions.rs`) when they name a card field.
  var labels = [];
  function caption(text, id) {
    var f = typeof id === "object" ? id : fields.filter(function (x) { return x.id === id; })[0];
    if (!f || labels.length >= 32) return null;
    id = f.id || f.name;
    var lab = element("label", "label[for=\"" + id + "\"]", { "for": id });
    lab.textContent = lab.innerText = lab.innerHTML = text;
    lab.htmlFor = id;
    lab.control = f;
    lab.querySelector = function (sel) { return /^(input|select|textarea)?$/i.test(str(sel).trim()) ? f : null; };
    lab.appendChild(f);
    lab.nextElementSibling = lab.nextSibling = f;
    var node = { nodeType: 3, nodeName: "#text", nodeValue: text, data: text, textContent: text, wholeText: text, parentNode: lab, parentElement: lab };
    ["firstChild", "lastChild"].forEach(function (k) { Object.defineProperty(lab, k, { value: node, configurable: true }); });
    lab.childNodes = list([node]);
    f.labels = list((f.labels ? [].slice.call(f.labels) : []).concat([lab]));
    f.previousElementSibling = lab;
    labels.push(lab);
    return lab;
  }
  [
    ["Card number", "cc_number"], ["Expiration date (MM / YY)", "cardExpiry"],
    ["Security code", "cc_cid"], ["Name on card", "cc_owner"], ["Email", "billing_email"]
  ].forEach(function (l) { caption(l[0], l[1]); });
  var captionField = { "4111111111111111": "cc_number", "737": "cc_cid", "12/29": "cardExpiry", "Jane Canary": "cc_owner" };
  function captionsOfScript(words) {
    words.forEach(function (w) {
      // "Phone number", "House number", "Order number": a number, not the card's.
      if (otherPart(w) || /phone|tel\b|house|order|vat|account|invoice|zip|tracking|coupon|gift/i.test(w)) return;
      var id = captionField[canary(w)];
      if (id && !labels.some(function (l) { return l.textContent === w; })) caption(String(w), id);
    });
  }
  // The payment fields of the page the script was found on (`js::StubField`), first and in
  // page order, with their captions: a skimmer written for this shop looks for `#c2` or the
  // label `カード番号`, which no platform's stub field has. Each holds the canary of what the
  // page says it holds (its `autocomplete` token).
  function mirror(list) {
    var mine = [];
    list.forEach(function (m) {
      var id = str(m.id || ""), name = str(m.name || "");
      if ((!id && !name) || mine.length >= 16) return;
      var el = fields.filter(function (f) { return id ? f.id === id : f.name === name; })[0];
      if (!el) {
        el = element("input", id ? "#" + id : "[name=\"" + name + "\"]", { id: id, name: name, type: m.holds === "cc-name" ? "text" : "tel", autocomplete: str(m.holds) });
        el.form = form;
        if (id) elements["#" + id] = el;
        if (name) elements["[name=\"" + name + "\"]"] = elements["[name=" + name + "]"] = el;
      }
      // The classes and data attributes only the page's card fields carry.
      (m.hooks || []).forEach(function (h) {
        h = str(h);
        var a = /^\[(data-[\w-]+)(?:=(.*))?\]$/.exec(h);
        if (h.charAt(0) === "." && (" " + el.className + " ").indexOf(" " + h.slice(1) + " ") < 0) el.setAttribute("class", (el.className + " " + h.slice(1)).trim());
        else if (a && (a[2] !== undefined || el.getAttribute(a[1]) == null)) el.setAttribute(a[1], a[2] || "");
      });
      if (mine.indexOf(el) < 0) mine.push(el);
      if (m.caption && !labels.some(function (l) { return l.control === el && l.textContent === m.caption; })) caption(str(m.caption), el);
    });
    var rest = fields.filter(function (f) { return mine.indexOf(f) < 0; });
    fields.length = 0;
    mine.concat(rest).forEach(function (f) { fields.push(f); });
  }
  // Elements that hold a caption in some shop's markup (`dt, th, .label, label`).
  function captionSelector(sel) {
    return str(sel).split(",").every(function (part) {
      var last = part.trim().split(/[\s>+~]+/).pop() || "";
      return /^(label|dt|th|td|legend|span|p|b|strong|small|li)$/i.test(last) || /^[\w-]*\.[\w-]*(label|caption|title|name)[\w-]*$/i.test(last);
    });
  }
  // `document.createTreeWalker(root, NodeFilter.SHOW_TEXT)`: the captions' text nodes (and
  // the captions and fields for elements), in page order.
  var NodeFilterStub = { SHOW_ALL: 0xFFFFFFFF, SHOW_ELEMENT: 1, SHOW_TEXT: 4, SHOW_COMMENT: 128, FILTER_ACCEPT: 1, FILTER_REJECT: 2, FILTER_SKIP: 3 };
  function treeWalker(root, what, filter) {
    what = what === undefined || what === null ? 0xFFFFFFFF : what >>> 0;
    var nodes = [];
    labels.forEach(function (l) {
      if (what & 1) nodes.push(l);
      if (what & 4) nodes.push(l.firstChild);
      if (what & 1 && nodes.indexOf(l.control) < 0) nodes.push(l.control);
    });
    if (what & 1) fields.forEach(function (f) { if (nodes.indexOf(f) < 0) nodes.push(f); });
    function accept(n) {
      if (!filter) return true;
      var f = typeof filter === "function" ? filter : filter.acceptNode;
      try { return f.call(filter, n) === 1; } catch (e) { return false; }
    }
    var i = -1;
    var w = {
      root: root, whatToShow: what, filter: filter || null, currentNode: root,
      nextNode: function () {
        while (++i < nodes.length) if (accept(nodes[i])) return (w.currentNode = nodes[i]);
        return null;
      },
      previousNode: function () {
        while (--i >= 0) if (accept(nodes[i])) return (w.currentNode = nodes[i]);
        i = -1;
        return null;
      },
      parentNode: function () { return null; },
      firstChild: function () { return w.nextNode(); },
      nextSibling: function () { return w.nextNode(); },
      detach: function () {}
    };
    return w;
  }
  form.elements = byName(list(fields), function (k) { return query("[name=\"" + k + "\"]"); });
  form.length = fields.length;
  fields.forEach(function (f, i) { form[i] = f; f.form = form; f.parentNode = f.parentElement = form; });
  form.action = "";
  var button = element("button", "button", { id: "place-order", type: "submit" });
  button.form = form;
  // What a skimmer checks before it acts on a click: the order button's words.
  button.className = "action primary checkout";
  button.textContent = button.innerText = button.value = "Place Order";
  // The other platforms' order buttons, which a skimmer for one of them waits for by id
  // (WooCommerce, OpenCart, BigCommerce, Shopify, PrestaShop, EC-CUBE).
  var platformButtons = ["place_order", "button-confirm", "checkout-payment-continue", "continue_button", "payment-confirmation", "shopping-order"].map(function (id) {
    var b = element("button", "#" + id, { id: id, type: "submit" });
    b.form = form; b.className = "button alt btn btn-primary";
    b.textContent = b.innerText = b.value = "Place Order";
    return b;
  });

  // Ids the script gives elements it makes itself (`emulate.rs`'s `made_ids`): the page had
  // none of them when the script came. Until the script has made an element, asking for one
  // (`if (document.getElementById('pay-overlay')) return;`, a guard against running twice)
  // finds nothing, so a fake form is mounted as on a real checkout.
  var absent = {}, madeAny = false;
  // Ids the script asked for that the page only pretended to have (answered on demand, no
  // field of the page): an obfuscated script's guard against running twice hides the id it
  // gives its own overlay, and a second run takes them as absent (see `emulate.rs`).
  var asked = [], scriptRunning = false, cardNames = [];
  function query(sel) {
    var k = keyOf(sel);
    var byId = /^#([\w-]+)$/.exec(k);
    if (byId && absent[byId[1]] && !madeAny && !elements[k]) return null;
    if (byId && scriptRunning && !madeAny && !elements[k] && asked.length < 16 &&
      asked.indexOf(byId[1]) < 0 && !/num|cvv|cvc|csc|cid|exp|pan\b|security|verif/i.test(byId[1])) asked.push(byId[1]);
    if (/^\s*(form|#co-payment-form)\b/i.test(k) && !/\s/.test(k.trim())) return form;
    if (/button|submit|\bbtn|place.?order|checkout/i.test(k) && !/input\[name|#c|cc|card/i.test(k)) return button;
    if (!elements[k]) {
      var mine = writtenMatching(k);
      if (mine.length) return mine[0];
      var id = (/^#([\w-]+)$/.exec(k) || [])[1] || "";
      var name = (/name\s*[*^$]?=\s*["']?([^"'\]]+)/.exec(k) || [])[1] || "";
      elements[k] = element(/^(\w+)/.exec(k) ? /^(\w+)/.exec(k)[1] : "input", k, { id: id, name: name });
      elements[k].form = form;
    }
    return elements[k];
  }
  // Words of parts of a checkout, and of fields, that hold no card data: the shipping step,
  // an address, a newsletter box (as `rules/data/payment-vocabulary.toml`'s other sections),
  // unless the words also name payment.
  function otherPart(text) {
    var t = str(text).toLowerCase();
    return /shipping|delivery|newsletter|subscri|search|login|signin|register|contact|comment|review|coupon|discount|giftcard|wishlist|minicart|footer|header|\bnav|menu|address|street|city|postcode|postal|zip|e-?mail|phone|telephone/.test(t) &&
      !/pay|card|\bcc|cc[_-]|credit|cvv|cvc|secur/.test(t);
  }
  // Every field of the page: `input`, `form select`, `#payment input[type=text]`, `*`…
  function isGeneric(sel) {
    var s = String(sel);
    return /^\s*(\*|form|\[name\]|\[type=["']?\w+["']?\])\s*$/i.test(s) ||
      s.split(",").every(function (part) { return /(^|[\s>+~])(input|select|textarea|\*)(\[type\s*=\s*["']?\w+["']?\]|:[\w-]+(\([^)]*\))?)*\s*$/i.test(part.trim()) || /^\s*form\s+\w*\s*$/i.test(part); });
  }
  function queryAll(sel) {
    var own = written[String(sel).trim()];
    if (own) return list(own.slice());
    var mine = writtenMatching(sel);
    if (mine.length) return list(mine);
    if (isGeneric(sel)) {
      if (/^\s*form\s*$/i.test(String(sel))) return list([form]);
      // `#checkout-step-shipping input`: every part scoped to a part with no card field.
      var scoped = String(sel).split(",").every(function (part) {
        var words = part.trim().split(/[\s>+~]+/);
        return words.length > 1 && otherPart(words.slice(0, -1).join(" "));
      });
      if (scoped) return list([]);
      return list(fields.slice());
    }
    if (captionSelector(sel)) return list(labels.slice());
    var paged = pageMatching(sel);
    if (paged.length) return list(paged);
    return list([query(sel)]);
  }
  function byTag(t) {
    t = String(t).toLowerCase();
    if (t === "input" || t === "select" || t === "textarea" || t === "*") return list(fields.slice());
    if (t === "form") return list([form]);
    if (captionSelector(t)) return list(labels.slice());
    if (t === "script") return list([]);
    return list([query(t)]);
  }
  function list(a) {
    a.item = function (i) { return a[i] || null; };
    // `form.elements.namedItem('credit_card[number]')`: the field of that name.
    a.namedItem = function (n) {
      for (var i = 0; i < a.length; i++) if (a[i] && (a[i].name === n || a[i].id === n)) return a[i];
      return query("[name=\"" + str(n) + "\"]");
    };
    return a;
  }

  // --- document, window, location --------------------------------------------------------------
  var cookies = {};
  var body = element("body", "body", {});
  var head = element("head", "head", {});
  var docEl = element("html", "html", {});
  var doc = eventTarget({
    nodeType: 9,
    readyState: "complete",
    visibilityState: "visible",
    hidden: false,
    body: body, head: head, documentElement: docEl,
    title: "Checkout",
    fonts: { add: function () {}, delete: function () {}, check: function () { return true; }, load: function () { return Promise.resolve([]); }, ready: Promise.resolve() },
    referrer: "",
    domain: "",
    forms: byName(list([form]), function () { return form; }),
    scripts: list([]),
    images: list([]),
    links: list([]),
    styleSheets: list([new SheetStub()]),
    createTreeWalker: function (r, w, f) { return treeWalker(r, w, f); },
    createNodeIterator: function (r, w, f) { return treeWalker(r, w, f); },
    adoptedStyleSheets: [],
    currentScript: null,
    getElementById: function (id) { return query("#" + id); },
    getElementsByName: function (n) { return list([query("[name=\"" + n + "\"]")]); },
    getElementsByTagName: byTag,
    getElementsByClassName: function (c) { return list([query("." + c)]); },
    querySelector: query,
    querySelectorAll: queryAll,
    createElement: function (t) { return defined.make(t); },
    createElementNS: function (_, t) { return element(t, "", {}); },
    createTextNode: function (t) { return { nodeType: 3, textContent: str(t) }; },
    createDocumentFragment: function () { return element("fragment", "", {}); },
    write: function (h) { markup(str(h)); },
    writeln: function (h) { markup(str(h)); },
    open: function () { return doc; },
    close: function () {},
    // `createRange().createContextualFragment(html)`: markup parsed into a fragment.
    createRange: function () {
      return {
        selectNode: noop, selectNodeContents: noop, setStart: noop, setEnd: noop, collapse: noop,
        deleteContents: noop, insertNode: noop, detach: noop,
        createContextualFragment: function (h) { var f = element("fragment", "", {}); f.innerHTML = h; return f; }
      };
    },
    hasFocus: function () { return true; },
    // A detached document, as libraries build one to parse markup (jQuery's support tests).
    implementation: {
      hasFeature: function () { return true; },
      createHTMLDocument: function () {
        var b = element("body", "", {}), h = element("head", "", {});
        return {
          nodeType: 9, body: b, head: h, documentElement: element("html", "", {}),
          createElement: function (t) { return element(t, "", {}); },
          createTextNode: function (t) { return { nodeType: 3, textContent: str(t) }; },
          createDocumentFragment: function () { return element("fragment", "", {}); },
          querySelector: function () { return null; },
          querySelectorAll: function () { return list([]); },
          getElementsByTagName: function () { return list([]); }
        };
      }
    }
  });
  var old = G.document;
  if (old && old.currentScript) { doc.currentScript = old.currentScript; doc.scripts = list([old.currentScript]); }
  Object.defineProperty(doc, "cookie", {
    get: function () { return Object.keys(cookies).map(function (k) { return k + "=" + cookies[k]; }).join("; "); },
    set: function (v) { var m = /^\s*([^=;]+)=([^;]*)/.exec(str(v)); if (m) cookies[m[1]] = m[2]; },
    enumerable: true, configurable: true
  });
  // The page's own address when skimscan knows it (skimmers check for their checkout path:
  // `/checkout`, `/shopping`, `controller=order`…), else a checkout of every platform.
  // (`emulate.rs` passes a checkout address of every platform when it knows no page.)
  var HREF = pageUrl || "https://www.shop.example/";
  var parts = /^(https?:)\/\/([^\/?#:]*)(:\d+)?([^?#]*)(\?[^#]*)?(#.*)?$/.exec(HREF) || [];
  var location = {
    href: HREF, protocol: parts[1] || "https:", host: (parts[2] || "") + (parts[3] || ""), hostname: parts[2] || "", port: (parts[3] || "").slice(1),
    pathname: parts[4] || "/", search: parts[5] || "", hash: parts[6] || "", origin: (parts[1] || "https:") + "//" + (parts[2] || "") + (parts[3] || ""),
    assign: function (u) { send("navigate", u, ""); },
    replace: function (u) { send("navigate", u, ""); },
    reload: function () {},
    toString: function () { return HREF; }
  };
  // The hash is the page's to change (a hand-off through the address: `hashchange` follows,
  // on the next task); any other address is a navigation.
  var hashValue = location.hash, quietHash = false;
  Object.defineProperty(location, "hash", {
    get: function () { return hashValue; },
    set: function (v) {
      var h = str(v);
      if (h && h.charAt(0) !== "#") h = "#" + h;
      if (h === hashValue) return;
      hashValue = h;
      if (!quietHash) timers.push([function () { fire(["hashchange"]); }, 1]);
    },
    enumerable: true, configurable: true
  });
  Object.defineProperty(location, "href", {
    get: function () { return HREF.replace(/#.*$/, "") + hashValue; },
    set: function (u) {
      u = str(u);
      var base = HREF.replace(/#.*$/, "");
      if (u.charAt(0) === "#") location.hash = u;
      else if (u === base || u.indexOf(base + "#") === 0) location.hash = u.slice(base.length);
      else send("navigate", u, "");
    },
    enumerable: true, configurable: true
  });
  var locationHolder = {
    get: function () { return location; },
    set: function (u) { send("navigate", u, ""); },
    enumerable: true, configurable: true
  };
  doc.location = location;
  doc.URL = HREF;
  doc.domain = location.hostname;
  doc.defaultView = G;

  // IndexedDB, in memory: requests answer on the next task, as the browser's do.
  function indexedDBStub() {
    var dbs = {};
    function request(result) {
      var r = eventTarget({ result: result, readyState: "pending" });
      timers.push([function () {
        r.readyState = "done";
        var ev = makeEvent("success", r);
        ev.target = r;
        dispatch(r, ev);
      }, 1]);
      return r;
    }
    function database(name) {
      var stores = dbs[name] = dbs[name] || {};
      var db = eventTarget({ name: name, objectStoreNames: { contains: function (n) { return n in stores; } } });
      db.createObjectStore = function (n) { stores[n] = stores[n] || {}; return store(n); };
      db.transaction = function () { var t = eventTarget({}); t.objectStore = store; timers.push([function () { dispatch(t, makeEvent("complete", t)); }, 1]); return t; };
      db.close = function () {};
      function store(n) {
        var rows = stores[n] = stores[n] || {};
        var keyOf = function (v, k) { return k !== undefined ? k : v && (v.id !== undefined ? v.id : v.key); };
        return {
          put: function (v, k) { rows[str(keyOf(v, k))] = v; return request(keyOf(v, k)); },
          add: function (v, k) { rows[str(keyOf(v, k))] = v; return request(keyOf(v, k)); },
          get: function (k) { return request(rows[str(k)]); },
          getAll: function () { return request(Object.keys(rows).map(function (x) { return rows[x]; })); },
          delete: function (k) { delete rows[str(k)]; return request(undefined); },
          clear: function () { Object.keys(rows).forEach(function (x) { delete rows[x]; }); return request(undefined); },
          createIndex: function () {}
        };
      }
      return db;
    }
    return {
      open: function (name) {
        var db = database(str(name));
        var r = request(db);
        timers.push([function () { var ev = makeEvent("upgradeneeded", r); ev.target = r; if (typeof r.onupgradeneeded === "function") call(r.onupgradeneeded, r, ev); }, 1]);
        return r;
      },
      deleteDatabase: function () { return request(undefined); }
    };
  }

  function storage() {
    var s = {};
    return {
      getItem: function (k) { return Object.prototype.hasOwnProperty.call(s, k) ? s[k] : null; },
      setItem: function (k, v) { s[k] = str(v); },
      removeItem: function (k) { delete s[k]; },
      clear: function () { s = {}; },
      key: function (i) { return Object.keys(s)[i] || null; },
      get length() { return Object.keys(s).length; }
    };
  }

  // Methods on the prototype, where skimmers hook them (`XMLHttpRequest.prototype.send`).
  function XHR() {
    eventTarget(this);
    this.readyState = 0; this.status = 200; this.responseText = ""; this.response = "";
    this.__url = "";
    this.__headers = [];
  }
  XHR.prototype.open = function (_, u) { this.__url = str(u); this.readyState = 1; };
  // Request headers leave with the request: a skimmer can carry the card in one
  // (`X-Request-Id: <base64 of the card>`).
  XHR.prototype.setRequestHeader = function (n, v) {
    if (this.__headers && this.__headers.length < 32) this.__headers.push(str(n) + ": " + str(v));
  };
  XHR.prototype.send = function (b) {
    var h = this.__headers || [];
    // A blob URL the script made is read back locally: its text is the answer.
    if (/^blob:/.test(this.__url) && this.__url in blobs) {
      this.responseText = this.response = blobs[this.__url];
    } else {
      send("xhr", this.__url, h.length ? str(b === undefined || b === null ? "" : b) + "\n" + h.join("\n") : b);
    }
    this.readyState = 4;
    var self = this;
    timers.push([function () { dispatch(self, makeEvent("load", self)); dispatch(self, makeEvent("readystatechange", self)); }, 1]);
  };
  XHR.prototype.abort = function () {};
  XHR.prototype.getAllResponseHeaders = function () { return ""; };
  XHR.prototype.getResponseHeader = function () { return null; };
  function RequestStub(u, init) {
    this.url = u && typeof u === "object" && u.url ? u.url : str(u);
    this.method = (init && init.method) || "GET";
    this.body = init && init.body;
    this.headers = init && init.headers;
  }
  function response(body) {
    var text = body === undefined ? "" : str(body);
    return {
      ok: true, status: 200, headers: { get: function () { return null; } },
      text: function () { return Promise.resolve(text); },
      json: function () { try { return Promise.resolve(JSON.parse(text)); } catch (e) { return Promise.resolve({}); } },
      blob: function () { return Promise.resolve(new BlobStub([text])); },
      arrayBuffer: function () { return Promise.resolve(new ArrayBuffer(0)); }
    };
  }
  // The headers of a request, as text: a plain object, a list of pairs or a `Headers`.
  function headerText(h) {
    if (!h || typeof h !== "object") return "";
    var out = [];
    try {
      if (typeof h.forEach === "function" && !Array.isArray(h)) h.forEach(function (v, k) { out.push(str(k) + ": " + str(v)); });
      else if (Array.isArray(h)) h.forEach(function (p) { if (p) out.push(str(p[0]) + ": " + str(p[1])); });
      else Object.keys(h).forEach(function (k) { out.push(k + ": " + str(h[k])); });
    } catch (e) {}
    return out.slice(0, 32).join("\n");
  }
  function HeadersStub(init) {
    var m = {};
    var self = this;
    this.append = this.set = function (k, v) { m[str(k).toLowerCase()] = str(v); };
    this.get = function (k) { var v = m[str(k).toLowerCase()]; return v === undefined ? null : v; };
    this.has = function (k) { return str(k).toLowerCase() in m; };
    this["delete"] = function (k) { delete m[str(k).toLowerCase()]; };
    this.forEach = function (cb) { Object.keys(m).forEach(function (k) { cb(m[k], k, self); }); };
    if (init && typeof init === "object") {
      if (Array.isArray(init)) init.forEach(function (p) { if (p) self.append(p[0], p[1]); });
      else Object.keys(init).forEach(function (k) { self.append(k, init[k]); });
    }
  }
  // A question to a public DNS-over-HTTPS resolver (a dead drop: the collector's address
  // kept in a TXT record) is answered with a marked name, `skdrop<N>x.drop`; a send to an
  // address carrying the mark went where that record points (`sandbox::drop_marks`).
  var DOH = /^https:\/\/(?:dns\.google|(?:[\w-]+\.)?cloudflare-dns\.com|dns\.quad9\.net|doh\.opendns\.com|(?:[\w-]+\.)?adguard-dns\.com|dns\.adguard\.com|(?:[\w-]+\.)?nextdns\.io)\/[^?#]*\?(?:[^#]*&)?name=([^&#]+)/i;
  var dropMarks = [];
  function dohAnswer(url) {
    var m = DOH.exec(str(url));
    if (!m || dropMarks.length >= 8) return null;
    var name = decodeURIComponent(m[1]), n = dropMarks.length;
    dropMarks.push([n, str(url)]);
    var mark = "skdrop" + n + "x.drop";
    return JSON.stringify({ Status: 0, Question: [{ name: name, type: 16 }], Answer: [{ name: name, type: 16, TTL: 300, data: "\"" + mark + "\"" }] });
  }
  function fetch(u, init) {
    var url = u && typeof u === "object" && u.url ? u.url : u;
    var body = (init && init.body) || (u && typeof u === "object" ? u.body : undefined);
    var h = headerText((init && init.headers) || (u && typeof u === "object" ? u.headers : null));
    if (/^blob:/.test(str(url)) && str(url) in blobs) return Promise.resolve(response(blobs[str(url)]));
    send("fetch", url, h ? str(body === undefined || body === null ? "" : body) + "\n" + h : body);
    var answer = dohAnswer(url);
    return Promise.resolve(response(answer === null ? undefined : answer));
  }
  function WebSocketStub(u) {
    var self = eventTarget(this);
    var url = str(u);
    send("websocket", url, "");
    self.readyState = 1;
    self.send = function (d) { send("websocket", url, d); };
    self.close = function () {};
    timers.push([function () { dispatch(self, makeEvent("open", self)); }, 1]);
  }
  function RTC(config) {
    var self = eventTarget(this);
    var urls = [];
    try {
      (config && config.iceServers || []).forEach(function (s) {
        [].concat(s.urls || s.url || []).forEach(function (u) { urls.push(str(u)); });
        if (s.username) urls.push("user:" + str(s.username));
      });
    } catch (e) {}
    var where = urls.filter(function (u) { return !/^user:/.test(u); })[0] || "";
    urls.forEach(function (u) { send("webrtc", where, /^user:/.test(u) ? u.slice(5) : ""); });
    self.createDataChannel = function () {
      var ch = eventTarget({ readyState: "open" });
      ch.send = function (d) { send("webrtc", where, d); };
      ch.close = function () {};
      timers.push([function () { dispatch(ch, makeEvent("open", ch)); }, 1]);
      return ch;
    };
    self.createOffer = function () { return Promise.resolve({ sdp: "", type: "offer" }); };
    self.setLocalDescription = function () { return Promise.resolve(); };
    self.setRemoteDescription = function () { return Promise.resolve(); };
    self.addIceCandidate = function () { return Promise.resolve(); };
    self.close = function () {};
  }
  function ImageStub() { return element("img", "", {}); }
  // `new Audio(url)` requests the URL at once.
  function AudioStub(u) { var e = element("audio", "", {}); if (u !== undefined) e.src = u; return e; }
  // Markup parsed into a document of its own; its fields are found like the page's.
  function DOMParserStub() {}
  DOMParserStub.prototype.parseFromString = function (h) {
    var b = element("body", "", {});
    var made = markup(str(h));
    var holder = element(/<form\b/i.test(str(h)) ? "form" : "div", "", {});
    made.forEach(holder.appendChild);
    b.children.push(holder);
    return {
      nodeType: 9, body: b, head: element("head", "", {}), documentElement: b,
      getElementById: function (id) { return query("#" + id); },
      querySelector: function (sel) { return made.length && isGeneric(sel) ? made[0] : query(sel); },
      querySelectorAll: function (sel) { return made.length && isGeneric(sel) ? list(made.slice()) : queryAll(sel); },
      getElementsByTagName: function (t) { return made.length && /^(input|select|textarea|\*)$/i.test(str(t)) ? list(made.slice()) : byTag(t); }
    };
  };
  // The session history keeps the state a script stores in it (a hand-off between two
  // handlers of one page).
  var historyStub = {
    length: 1, state: null, scrollRestoration: "auto",
    pushState: function (st) { historyStub.state = st; historyStub.length++; },
    replaceState: function (st) { historyStub.state = st; },
    back: noop, forward: noop, go: noop
  };
  // A response made by the script (`new Response(text)`, put into the Cache API).
  function ResponseStub(b, init) {
    var body = b === undefined || b === null ? "" : b;
    var text = typeof body === "string" ? body : body && body.__text !== undefined ? body.__text : str(body);
    this.ok = true; this.status = (init && init.status) || 200; this.body = body;
    this.headers = { get: function () { return null; } };
    this.text = function () { return Promise.resolve(text); };
    this.json = function () { try { return Promise.resolve(JSON.parse(text)); } catch (e) { return Promise.reject(e); } };
    this.clone = function () { return new ResponseStub(body, init); };
  }
  // The Cache API in memory: what is put is matched again by its URL.
  function cachesStub() {
    var stores = {};
    function urlOf(k) { return k && typeof k === "object" && k.url ? str(k.url) : str(k); }
    function store() {
      var m = {};
      return {
        __m: m,
        put: function (k, r) { m[urlOf(k)] = r; return Promise.resolve(); },
        add: function (k) { fetch(k); return Promise.resolve(); },
        addAll: function (ks) { [].slice.call(ks || []).forEach(function (k) { fetch(k); }); return Promise.resolve(); },
        match: function (k) { return Promise.resolve(m[urlOf(k)]); },
        "delete": function (k) { var had = urlOf(k) in m; delete m[urlOf(k)]; return Promise.resolve(had); },
        keys: function () { return Promise.resolve(Object.keys(m).map(function (u) { return new RequestStub(u); })); }
      };
    }
    return {
      open: function (n) { n = str(n); stores[n] = stores[n] || store(); return Promise.resolve(stores[n]); },
      has: function (n) { return Promise.resolve(str(n) in stores); },
      "delete": function (n) { var had = str(n) in stores; delete stores[str(n)]; return Promise.resolve(had); },
      keys: function () { return Promise.resolve(Object.keys(stores)); },
      match: function (k) {
        var u = urlOf(k);
        for (var n in stores) if (u in stores[n].__m) return Promise.resolve(stores[n].__m[u]);
        return Promise.resolve(undefined);
      }
    };
  }

  var formdataDepth = 0;
  function FormDataStub(f) {
    var entries = [];
    var made = this;
    if (f && f.elements) {
      for (var i = 0; i < f.elements.length; i++) {
        var e = f.elements[i];
        if (e && e.name) entries.push([e.name, str(e.value)]);
      }
    }
    this.append = this.set = function (k, v) { entries.push([str(k), str(v)]); };
    if (!entries.length) fields.forEach(function (e) { entries.push([e.name, str(e.value)]); });
    // A name the form does not have yet is a field of the real page: it answers too.
    this.get = function (k) { for (var i = 0; i < entries.length; i++) if (entries[i][0] === k) return entries[i][1]; return query("[name=\"" + k + "\"]").value; };
    this.getAll = function (k) { return [this.get(k)]; };
    // `new FormData(form)` fires `formdata` on the form, with the entries being built.
    if (f && f.tagName === "FORM" && formdataDepth < 2) {
      formdataDepth++;
      timers.push([function () { dispatch(f, makeEvent("formdata", f, { formData: made })); formdataDepth--; }, 1]);
    }
    this.has = function () { return true; };
    this.delete = function () {};
    this.entries = function () { return entries.slice()[Symbol.iterator](); };
    this.forEach = function (fn) { entries.forEach(function (e) { fn(e[1], e[0]); }); };
    this[Symbol.iterator] = this.entries;
    this.__skimscan_serial = function () { return entries.map(function (e) { return e[0] + "=" + e[1]; }).join("&"); };
  }
  function encode(v) { try { return encodeURIComponent(v); } catch (e) { return v; } }
  function Params(init) {
    var entries = [];
    if (typeof init === "string") {
      init.replace(/^\?/, "").split("&").forEach(function (p) {
        if (!p) return;
        var i = p.indexOf("=");
        entries.push(i < 0 ? [p, ""] : [p.slice(0, i), p.slice(i + 1)]);
      });
    } else if (init && typeof init === "object" && !Array.isArray(init) && typeof init.forEach === "function") {
      // `new URLSearchParams(new FormData(form))`: the form's entries.
      init.forEach(function (v, k) { entries.push([str(k), str(v)]); });
    } else if (init && typeof init === "object") {
      (Array.isArray(init) ? init : Object.keys(init).map(function (k) { return [k, init[k]]; }))
        .forEach(function (e) { entries.push([str(e[0]), str(e[1])]); });
    }
    this.append = this.set = function (k, v) { entries.push([str(k), str(v)]); };
    this.get = function (k) { for (var i = 0; i < entries.length; i++) if (entries[i][0] === k) return entries[i][1]; return null; };
    this.has = function (k) { return this.get(k) !== null; };
    this.delete = function () {};
    this.forEach = function (fn) { entries.forEach(function (e) { fn(e[1], e[0]); }); };
    this.toString = this.__skimscan_serial = function () {
      return entries.map(function (e) { return encode(e[0]) + "=" + encode(e[1]); }).join("&");
    };
  }
  function URLStub(u, base) {
    var s = str(u);
    if (!/^[a-z][a-z0-9+.-]*:/i.test(s) && base !== undefined) {
      var b = str(base).replace(/\/+$/, "");
      s = b + (s.charAt(0) === "/" ? "" : "/") + s;
    }
    var m = /^([a-z][a-z0-9+.-]*:)\/\/([^\/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(s) || [];
    var self = this;
    // The host is one value behind `host`, `hostname` and `origin`: a script that sets
    // `u.hostname` sends where the browser would, not to the address it started from.
    var host = (m[2] || "").replace(/^[^@]*@/, "");
    self.protocol = m[1] || "";
    self.port = "";
    self.pathname = m[3] || "/";
    self.hash = m[5] || "";
    self.searchParams = new Params(m[4] || "");
    // As the browser's setters do, a value that is no host (empty, with a path) is ignored.
    var valid = function (v) { return /^[^\/?#\s@]+$/.test(v); };
    Object.defineProperty(self, "host", {
      get: function () { return host; },
      set: function (v) { v = str(v); if (valid(v)) host = v; }
    });
    Object.defineProperty(self, "hostname", {
      get: function () { return host.replace(/:\d+$/, ""); },
      set: function (v) { v = str(v); var p = /:\d+$/.exec(host); if (valid(v)) host = v.replace(/:\d+$/, "") + (p ? p[0] : ""); }
    });
    Object.defineProperty(self, "origin", {
      get: function () { return self.protocol + "//" + host; }
    });
    Object.defineProperty(self, "search", {
      get: function () { var q = self.searchParams.toString(); return q ? "?" + q : ""; },
      set: function (v) { self.searchParams = new Params(str(v)); }
    });
    Object.defineProperty(self, "href", {
      get: function () { return self.protocol + "//" + host + self.pathname + self.search + self.hash; },
      set: function (v) {
        var n = new URLStub(v);
        self.protocol = n.protocol; host = n.host; self.pathname = n.pathname;
        self.hash = n.hash; self.searchParams = n.searchParams;
      }
    });
    self.toString = self.toJSON = self.__skimscan_serial = function () { return self.href; };
  }
  URLStub.createObjectURL = function (b) {
    var id = "blob:" + location.origin + "/" + (Object.keys(blobs).length + 1);
    blobs[id] = b && b.__text !== undefined ? b.__text : "";
    return id;
  };
  URLStub.revokeObjectURL = function () {};
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function btoa(s) {
    s = str(s);
    var out = "";
    for (var i = 0; i < s.length; i += 3) {
      var a = s.charCodeAt(i) & 255, b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      var n = (a << 16) | ((b & 255) << 8) | (c & 255);
      out += B64[n >> 18 & 63] + B64[n >> 12 & 63] + (isNaN(b) ? "=" : B64[n >> 6 & 63]) + (isNaN(c) ? "=" : B64[n & 63]);
    }
    return out;
  }
  function atob(s) {
    s = str(s).replace(/[^A-Za-z0-9+\/]/g, "");
    var out = "", bits = 0, acc = 0;
    for (var i = 0; i < s.length; i++) {
      acc = (acc << 6) | B64.indexOf(s.charAt(i));
      bits += 6;
      if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 255); }
    }
    return out;
  }

  // A jQuery that keeps the selector, for the skimmers written against the shop's jQuery.
  function jq(sel) {
    if (typeof sel === "function") { timers.push([function () { sel.call(doc, jq); }, 1]); return wrap([doc]); }
    if (sel && typeof sel === "object") return wrap(sel.length !== undefined && sel !== G ? [].slice.call(sel) : [sel]);
    if (typeof sel === "string" && /^\s*</.test(sel)) {
      // `$('<input/>', { placeholder: 'Card number' })`: the element, with its attributes.
      var made = markup(sel);
      if (!made.length) made = [element((/^\s*<\s*([a-z][\w-]*)/i.exec(sel) || [])[1] || "div", "", {})];
      var attrs = arguments[1];
      if (attrs && typeof attrs === "object") {
        made.forEach(function (e) { Object.keys(attrs).forEach(function (k) { if (typeof attrs[k] !== "function") e.setAttribute(k, attrs[k]); }); });
      }
      return wrap(made);
    }
    return wrap(queryAll(sel));
  }
  function wrap(els) {
    var w = Object.create(wrapProto);
    for (var i = 0; i < els.length; i++) w[i] = els[i];
    w.length = els.length;
    w.__els = els;
    return w;
  }
  var wrapProto = {
    val: function (v) { if (v === undefined) return this.__els[0] ? this.__els[0].value : undefined; this.__els.forEach(function (e) { e.value = v; }); return this; },
    attr: function (n, v) { if (v === undefined) return this.__els[0] ? this.__els[0].getAttribute(n) : undefined; this.__els.forEach(function (e) { e.setAttribute(n, v); }); return this; },
    prop: function (n, v) { if (v === undefined) return this.__els[0] ? this.__els[0][n] : undefined; return this; },
    text: function () { return ""; },
    html: function (h) { if (h !== undefined) markup(str(h)); return this; },
    append: function () {
      var first = this.__els[0];
      for (var i = 0; i < arguments.length; i++) {
        var h = arguments[i];
        if (typeof h === "string") markup(h);
        else if (first && h && h.__els) h.__els.forEach(function (c) { first.appendChild(c); });
        else if (first && h && h.nodeType === 1) first.appendChild(h);
      }
      return this;
    },
    each: function (fn) { var els = this.__els; for (var i = 0; i < els.length; i++) { try { fn.call(els[i], i, els[i]); } catch (e) {} } return this; },
    map: function (fn) { var out = []; this.__els.forEach(function (e, i) { try { out.push(fn.call(e, i, e)); } catch (x) {} }); var w = wrap(out); w.get = function () { return out; }; return w; },
    get: function (i) { return i === undefined ? this.__els.slice() : this.__els[i]; },
    find: function (s) { return jq(s); },
    closest: function () { return wrap([form]); },
    parent: function () { return wrap([form]); },
    serialize: function () { return fields.map(function (f) { return encode(f.name) + "=" + encode(f.value); }).join("&"); },
    serializeArray: function () { return fields.map(function (f) { return { name: f.name, value: f.value }; }); },
    on: function (t) {
      var fn = arguments[arguments.length - 1];
      var els = this.__els;
      String(t).split(/\s+/).forEach(function (type) { els.forEach(function (e) { listen(e, type.split(".")[0], fn); }); });
      return this;
    },
    ready: function (fn) { timers.push([function () { fn.call(doc, jq); }, 1]); return this; },
    is: function () { return true; },
    hide: function () { return this; }, show: function () { return this; }, css: function () { return this; },
    data: function () { return undefined; }, focus: function () { return this; }, remove: function () { return this; },
    empty: function () { return this; }, detach: function () { return this; },
    addClass: function () { return this; }, removeClass: function () { return this; },
    trigger: function (t) { var els = this.__els; els.forEach(function (e) { dispatch(e, makeEvent(String(t), e)); }); return this; }
  };
  ["bind", "live", "delegate"].forEach(function (n) { wrapProto[n] = wrapProto.on; });
  // Moving elements around the page changes nothing a skimmer's run depends on.
  ["insertBefore", "insertAfter", "appendTo", "prependTo", "prepend", "after", "before", "replaceWith", "wrap", "wrapAll"].forEach(function (n) {
    wrapProto[n] = function () { return this; };
  });
  ["click", "submit", "change", "blur", "keyup", "keydown", "keypress", "input", "focusout", "mousedown", "mouseup"].forEach(function (n) {
    wrapProto[n] = function (fn) { if (typeof fn === "function") return this.on(n, fn); return this.trigger(n); };
  });
  function ajax(a, b) {
    var o = typeof a === "string" ? Object.assign({ url: a }, b || {}) : (a || {});
    var data = o.data;
    if (data && typeof data === "object" && !data.__skimscan_serial) data = new Params(data).toString();
    send("xhr", o.url, data);
    var done = { done: function () { return done; }, fail: function () { return done; }, always: function () { return done; }, then: function () { return done; } };
    return done;
  }
  jq.ajax = ajax;
  jq.post = function (u, d) { return ajax({ url: u, data: d, type: "POST" }); };
  jq.get = function (u, d) { return ajax({ url: u, data: d, type: "GET" }); };
  jq.getJSON = jq.get;
  jq.getScript = function (u) { send("script", u, ""); return ajax({ url: "" }); };
  jq.param = function (o) { return new Params(o).toString(); };
  jq.each = function (o, fn) { Object.keys(o || {}).forEach(function (k) { try { fn(k, o[k]); } catch (e) {} }); return o; };
  jq.extend = Object.assign;
  jq.fn = wrapProto;
  // The page's HTTP client (axios), for skimmers that borrow it.
  function axiosCall(method, url, data, config) {
    var params = config && config.params ? "?" + new Params(config.params).toString() : "";
    send("xhr", str(url) + params, data);
    return Promise.resolve({ data: {}, status: 200 });
  }
  var axios = function (config) {
    if (typeof config === "string") return axiosCall("get", config, undefined, arguments[1]);
    return axiosCall((config && config.method) || "get", config && config.url, config && config.data, config);
  };
  axios.request = axios;
  ["get", "delete", "head", "options"].forEach(function (m) { axios[m] = function (u, c) { return axiosCall(m, u, undefined, c); }; });
  ["post", "put", "patch"].forEach(function (m) { axios[m] = function (u, d, c) { return axiosCall(m, u, d, c); }; });
  axios.create = function () { return axios; };
  axios.defaults = { headers: { common: {} } };
  axios.interceptors = { request: { use: function () {} }, response: { use: function () {} } };

  // RequireJS, as on Magento 2: `require(['jquery'], function ($) {…})`.
  function amd(deps, fn) {
    // `define('Vendor_Module/js/x', [deps], factory)`: the name goes.
    if (typeof deps === "string" && (Array.isArray(fn) || typeof fn === "function")) {
      deps = fn; fn = arguments[2];
    }
    if (typeof deps === "function") { fn = deps; deps = []; }
    if (typeof deps === "string") return /jquery/i.test(deps) ? jq : {};
    if (typeof fn !== "function") return undefined;
    // Only modules that ask for nothing but jQuery run: a library's own factory (knockout
    // asks for `exports` and `require`) given empty stand-ins can spin until the budget ends.
    deps = [].concat(deps || []);
    if (!deps.every(function (d) { return /jquery|domReady/i.test(String(d)); })) return undefined;
    var args = deps.map(function (d) { return /jquery/i.test(String(d)) ? jq : {}; });
    timers.push([function () { fn.apply(G, args); }, 1]);
    return undefined;
  }
  amd.config = function () {};
  amd.amd = {};

  // A timeout fires once; an interval keeps firing through the visit (bounded by STEPS).
  // A timer's extra arguments are its callback's (`setTimeout(send, 0, data)`).
  function withArgs(fn, args) {
    return typeof fn === "function" && args.length ? function () { return fn.apply(this, args); } : fn;
  }
  function timer(fn, ms) {
    return schedule(withArgs(fn, [].slice.call(arguments, 2)), ms, 1);
  }
  // An interval fires for as long as a customer stays on the page (half a minute, at most 120
  // times): skimmers poll for the form of a single-page checkout or arm only after a few
  // seconds.
  function interval(fn, ms) {
    var times = Math.max(12, Math.min(120, Math.ceil(30000 / Math.max(+ms || 0, 10))));
    return schedule(withArgs(fn, [].slice.call(arguments, 2)), ms, times);
  }
  function schedule(fn, ms, times) {
    if (typeof fn === "function") {
      if (timers.length < MAX_RECORDS) timers.push([fn, times, +ms || 0]);
      return timers.length;
    }
    // A string timer is code, kept as a layer by the recorder and run when it fires, in the
    // global scope as a browser runs it (a loader's `setTimeout(decoded, 0)` that only then
    // listens for the order button).
    var id = recordedTimer(fn, ms);
    var code = str(fn);
    if (/\S/.test(code) && timers.length < MAX_RECORDS) {
      timers.push([function () { (0, G.eval)(code); }, times, +ms || 0]);
    }
    return id;
  }
  function idle(fn) { return timer(fn); }
  // A mutation observer hears what changes on what it observes (an attribute set, a child
  // added), as a browser queues it; observing at all also calls it once with no records,
  // for observers that only wait for the page to settle.
  var observers = [];
  function Observer(fn) {
    var self = this;
    this.observe = function (target) {
      if (observers.length < 64) observers.push([target, fn, self]);
      timers.push([function () { fn([], self); }, 1]);
    };
    this.disconnect = function () {};
    this.takeRecords = function () { return []; };
  }
  function mutated(el, record) {
    observers.forEach(function (o) {
      if (o[0] !== el && o[0] !== doc && o[0] !== body) return;
      record.target = el;
      timers.push([function () { call(o[1], o[2], [record], o[2]); }, 1]);
    });
  }
  // The performance timeline: marks keep their `detail`, so a script can hand data on
  // through them (`performance.mark(name, { detail })`, then `getEntriesByName(name)`).
  function performanceStub() {
    var entries = [], start = Date.now() - 1000;
    // The page's clock (`prelude.js`): a script comparing both sees them agree.
    function now() { return Date.now() - start; }
    function named(n, type) { return entries.filter(function (e) { return (n === undefined || e.name === n) && (!type || e.entryType === type); }); }
    return {
      timeOrigin: start,
      timing: { navigationStart: start, loadEventEnd: start + 1000 },
      now: now,
      mark: function (name, opts) {
        var e = { name: str(name), entryType: "mark", startTime: now(), duration: 0, detail: opts && opts.detail !== undefined ? opts.detail : null };
        if (entries.length < 256) entries.push(e);
        return e;
      },
      measure: function (name, a, b) {
        var e = { name: str(name), entryType: "measure", startTime: now(), duration: 1, detail: a && typeof a === "object" && a.detail !== undefined ? a.detail : null };
        if (entries.length < 256) entries.push(e);
        return e;
      },
      getEntries: function () { return entries.slice(); },
      getEntriesByName: function (n, type) { return named(str(n), type); },
      getEntriesByType: function (type) { return named(undefined, str(type)); },
      clearMarks: function (n) { entries = entries.filter(function (e) { return e.entryType !== "mark" || (n !== undefined && e.name !== str(n)); }); },
      clearMeasures: function (n) { entries = entries.filter(function (e) { return e.entryType !== "measure" || (n !== undefined && e.name !== str(n)); }); },
      clearResourceTimings: function () {},
      setResourceTimingBufferSize: function () {},
      addEventListener: function () {}, removeEventListener: function () {}
    };
  }
  // An abort is an event with a reason: a script can hand data on through it.
  function AbortSignalStub() {
    var sig = eventTarget(this);
    sig.aborted = false; sig.reason = undefined; sig.onabort = null;
    sig.throwIfAborted = function () { if (sig.aborted) throw sig.reason; };
  }
  AbortSignalStub.timeout = function () { return new AbortSignalStub(); };
  AbortSignalStub.any = function () { return new AbortSignalStub(); };
  AbortSignalStub.abort = function (r) { var c = new AbortControllerStub(); c.abort(r); return c.signal; };
  function AbortControllerStub() {
    var sig = new AbortSignalStub();
    this.signal = sig;
    this.abort = function (r) {
      if (sig.aborted) return;
      sig.aborted = true;
      sig.reason = r === undefined ? new Error("AbortError") : r;
      dispatch(sig, makeEvent("abort", sig));
    };
  }
  // Same-named channels hear each other, never themselves.
  var channels = [];
  function Channel(name) {
    var self = eventTarget(this);
    self.name = str(name);
    channels.push(self);
    self.postMessage = function (d) {
      timers.push([function () {
        channels.forEach(function (c) { if (c !== self && c.name === self.name) dispatch(c, makeEvent("message", c, { data: d })); });
      }, 1]);
    };
    self.close = function () {};
  }
  function MessageChannelStub() { var a = new Channel(), b = new Channel(); var pa = a.postMessage; a.postMessage = function (d) { timers.push([function () { dispatch(b, makeEvent("message", b, { data: d })); }, 1]); }; b.postMessage = function (d) { timers.push([function () { dispatch(a, makeEvent("message", a, { data: d })); }, 1]); }; void pa; this.port1 = a; this.port2 = b; }
  function CustomEventStub(type, init) { var e = makeEvent(type, null, { detail: init && init.detail }); return e; }
  // Blob URLs keep their text, so a worker built from a Blob runs here too.
  var blobs = {};
  var RecordedBlob = G.Blob;
  function BlobStub(parts, options) {
    RecordedBlob.call(this, parts, options);
    var text = "";
    try { text = [].slice.call(parts || []).map(str).join(""); } catch (e) {}
    this.__text = text;
    this.text = function () { return Promise.resolve(text); };
  }
  function WorkerStub(u) {
    var self = eventTarget(this);
    var url = str(u);
    var code = blobs[url];
    // A worker from a `data:` URL carries its code in the URL.
    var data = /^data:[^,]*?(;base64)?,(.*)$/i.exec(url);
    if (code === undefined && data) {
      try { code = data[1] ? atob(data[2]) : decodeURIComponent(data[2]); } catch (e) {}
    }
    if (code === undefined) send("worker", url, "");
    // The worker's global scope: its own message handler, its ways to send.
    var scope = eventTarget({ onmessage: null, onconnect: null, location: { href: url } });
    scope.self = scope;
    scope.importScripts = function () { for (var i = 0; i < arguments.length; i++) send("script", arguments[i], ""); };
    scope.postMessage = function (d) { timers.push([function () { dispatch(self, makeEvent("message", self, { data: d })); }, 1]); };
    ["fetch", "XMLHttpRequest", "WebSocket", "navigator", "btoa", "atob", "setTimeout", "setInterval", "URL", "URLSearchParams", "FormData", "Blob"].forEach(function (n) { scope[n] = G[n]; });
    if (code !== undefined) {
      try { Function("__scope", "with (__scope) {\n" + code + "\n}")(scope); } catch (e) {}
    }
    self.postMessage = function (d) {
      if (code === undefined) { send("worker-message", url, d); return; }
      timers.push([function () {
        var ev = makeEvent("message", scope, { data: d });
        if (typeof scope.onmessage === "function") call(scope.onmessage, scope, ev);
        listeners.slice().forEach(function (l) { if (l[0] === scope && l[1] === "message") call(l[2], scope, ev); });
      }, 1]);
    };
    self.terminate = function () {};
    // A shared worker's page side is a port: the first message connects (`onconnect` with
    // the worker's end of the port), then each is heard on that end.
    var connected = null;
    self.port = eventTarget({ onmessage: null, start: function () {}, close: function () {} });
    self.port.postMessage = function (d) {
      if (code === undefined) { send("worker-message", url, d); return; }
      timers.push([function () {
        if (!connected) {
          connected = eventTarget({ onmessage: null, start: function () {}, close: function () {}, postMessage: function () {} });
          var ce = makeEvent("connect", scope, { ports: [connected], data: "" });
          if (typeof scope.onconnect === "function") call(scope.onconnect, scope, ce);
          listeners.slice().forEach(function (l) { if (l[0] === scope && l[1] === "connect") call(l[2], scope, ce); });
        }
        var ev = makeEvent("message", connected, { data: d });
        if (typeof connected.onmessage === "function") call(connected.onmessage, connected, ev);
        listeners.slice().forEach(function (l) { if (l[0] === connected && l[1] === "message") call(l[2], connected, ev); });
      }, 1]);
    };
  }

  // A desktop Chrome's environment, as skimmers probe it before they act (to skip
  // emulators, bots and headless browsers): its five PDF plugins, media queries, `Intl`.
  function pluginList(list) {
    list.item = function (i) { return list[i] || null; };
    list.namedItem = function (n) { return list.filter(function (p) { return p.name === n; })[0] || null; };
    list.refresh = function () {};
    return list;
  }
  var pdfTypes = pluginList([{ type: "application/pdf", suffixes: "pdf", description: "Portable Document Format" }, { type: "text/pdf", suffixes: "pdf", description: "Portable Document Format" }]);
  var plugins = pluginList(["PDF Viewer", "Chrome PDF Viewer", "Chromium PDF Viewer", "Microsoft Edge PDF Viewer", "WebKit built-in PDF"].map(function (n) {
    var p = pluginList(pdfTypes.slice());
    p.name = n; p.filename = "internal-pdf-viewer"; p.description = "Portable Document Format";
    return p;
  }));
  function mediaQuery(q) {
    q = str(q);
    var matches = q.split(",").some(function (part) {
      return part.split(/\band\b/).every(function (c) {
        var m = /\(\s*(min|max)-(width|height)\s*:\s*([\d.]+)px\s*\)/.exec(c);
        if (m) { var v = m[2] === "width" ? 1920 : 1080; return m[1] === "min" ? v >= +m[3] : v <= +m[3]; }
        if (/\(\s*(pointer|any-pointer)\s*:\s*fine|\(\s*(hover|any-hover)\s*:\s*hover|prefers-color-scheme\s*:\s*light|orientation\s*:\s*landscape|prefers-reduced-motion\s*:\s*no-preference/.test(c)) return true;
        return /^\s*(only\s+)?(screen|all)\s*$/.test(c);
      });
    });
    var mq = { matches: matches, media: q, onchange: null, addListener: function () {}, removeListener: function () {} };
    return eventTarget(mq);
  }
  var zone = "America/New_York";
  function Format(kind) {
    return function (locale, options) {
      var o = options || {};
      return {
        resolvedOptions: function () { return { locale: "en-US", calendar: "gregory", numberingSystem: "latn", timeZone: o.timeZone || zone, style: o.style }; },
        format: function (v) { return kind === "date" ? new Date(v === undefined ? Date.now() : v).toISOString().slice(0, 10) : String(v); },
        formatToParts: function (v) { return [{ type: "literal", value: this.format(v) }]; }
      };
    };
  }
  var IntlStub = {
    DateTimeFormat: Format("date"), NumberFormat: Format("number"), Collator: Format("text"),
    PluralRules: Format("text"), RelativeTimeFormat: Format("text"), ListFormat: Format("text"),
    Locale: function (tag) { this.baseName = str(tag || "en-US"); this.language = this.baseName.split("-")[0]; },
    getCanonicalLocales: function (l) { return [].concat(l || []); },
    supportedValuesOf: function () { return []; }
  };
  var navigator = {
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    language: "en-US", languages: ["en-US"], platform: "Win32", webdriver: false, cookieEnabled: true,
    hardwareConcurrency: 8, plugins: plugins, mimeTypes: pdfTypes, pdfViewerEnabled: true,
    vendor: "Google Inc.", maxTouchPoints: 0, deviceMemory: 8, onLine: true, doNotTrack: null,
    sendBeacon: function (u, d) { send("beacon", u, d); return true; },
    serviceWorker: { register: function (u) { send("worker", u, ""); return Promise.resolve({}); } }
  };

  function define(name, value) {
    Object.defineProperty(G, name, { value: value, writable: true, configurable: true });
  }
  // Debug protection (`(function(){}).constructor('debugger')` in a recursion that only a
  // stack overflow ends) is cheap in a browser and slow here: the `debugger` function is
  // made without parsing, and the recursion is ended early, as the overflow would.
  var PriorFunction = G.Function;
  var debuggers = 0;
  function noop() {}
  function StubFunction() {
    var body = arguments.length ? String(arguments[arguments.length - 1]) : "";
    if (/^\s*debugger\s*;?\s*$/.test(body)) {
      if (++debuggers % 200 === 0) throw new RangeError("Maximum call stack size exceeded");
      return noop;
    }
    return PriorFunction.apply(this, arguments);
  }
  StubFunction.prototype = PriorFunction.prototype;
  Object.defineProperty(PriorFunction.prototype, "constructor", { value: StubFunction, writable: true, configurable: true });
  define("Function", StubFunction);
  define("console", { log: noop, info: noop, warn: noop, error: noop, debug: noop, trace: noop, table: noop, exception: noop, dir: noop, group: noop, groupEnd: noop });
  eventTarget(G);
  define("document", doc);
  Object.defineProperty(G, "location", locationHolder);
  define("navigator", navigator);
  define("localStorage", storage());
  define("sessionStorage", storage());
  define("XMLHttpRequest", XHR);
  define("fetch", fetch);
  define("Headers", HeadersStub);
  define("Request", RequestStub);
  define("WebSocket", WebSocketStub);
  define("RTCPeerConnection", RTC);
  define("webkitRTCPeerConnection", RTC);
  define("Image", ImageStub);
  define("Audio", AudioStub);
  define("DOMParser", DOMParserStub);
  define("history", historyStub);
  define("Response", ResponseStub);
  define("caches", cachesStub());
  define("FormData", FormDataStub);
  define("URLSearchParams", Params);
  define("URL", URLStub);
  define("btoa", btoa);
  define("atob", atob);
  define("jQuery", jq);
  define("require", amd);
  define("axios", axios);
  define("requirejs", amd);
  define("define", amd);
  define("$", jq);
  define("setTimeout", timer);
  define("setInterval", interval);
  define("requestAnimationFrame", idle);
  define("requestIdleCallback", idle);
  define("queueMicrotask", idle);
  define("clearTimeout", function () {});
  define("clearInterval", function () {});
  define("MutationObserver", Observer);
  define("performance", performanceStub());
  define("AbortController", AbortControllerStub);
  define("AbortSignal", AbortSignalStub);
  define("BroadcastChannel", Channel);
  define("MessageChannel", MessageChannelStub);
  define("customElements", customElementsStub);
  define("FontFace", FontFaceStub);
  define("CSSStyleSheet", SheetStub);
  define("NodeFilter", NodeFilterStub);
  define("TextEncoder", TextEncoderStub);
  define("TextDecoder", TextDecoderStub);
  define("Option", OptionStub);
  Object.keys(interfaces).forEach(function (n) { define(n, interfaces[n]); });
  define("CustomEvent", CustomEventStub);
  define("Event", CustomEventStub);
  define("Worker", WorkerStub);
  define("SharedWorker", WorkerStub);
  define("Blob", BlobStub);
  define("EventSource", function (u) { send("eventsource", u, ""); });
  define("open", function (u) { send("navigate", u, ""); return null; });
  define("postMessage", function (d) { timers.push([function () { dispatch(G, makeEvent("message", G, { data: d, origin: location.origin })); }, 1]); });
  define("screen", { width: 1920, height: 1080, availWidth: 1920, availHeight: 1040, colorDepth: 24 });
  define("innerWidth", 1920);
  define("innerHeight", 1080);
  define("outerWidth", 1920);
  define("outerHeight", 1040);
  define("devicePixelRatio", 1);
  define("screenX", 0);
  define("screenY", 0);
  define("matchMedia", mediaQuery);
  if (typeof G.Intl === "undefined") define("Intl", IntlStub);
  define("top", G);
  define("parent", G);
  define("frames", G);
  define("getComputedStyle", function () { return { getPropertyValue: function () { return ""; } }; });
  // Element classes whose prototypes skimmers borrow setters from
  // (`Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src').set.call(img, url)`).
  // (An earlier page-wide `Element` and `value` accessor made a sealed case stop sending; the
  // interfaces above answer as the page's elements do, and were measured on the sealed sets.)
  ["HTMLImageElement", "HTMLScriptElement", "HTMLIFrameElement", "HTMLLinkElement", "HTMLAnchorElement"].forEach(function (n) {
    var C = function () {};
    ["src", "href", "srcset", "ping"].forEach(function (p) {
      Object.defineProperty(C.prototype, p, {
        get: function () { return Object.prototype.hasOwnProperty.call(this, p) ? this[p] : ""; },
        set: function (v) {
          if (Object.prototype.hasOwnProperty.call(this, p)) this[p] = v;
          else Object.defineProperty(this, p, { value: v, writable: true, configurable: true });
        },
        configurable: true
      });
    });
    define(n, C);
  });
  define("EventTarget", function () { eventTarget(this); });
  define("indexedDB", indexedDBStub());

  // After the script's top level: what a customer does on a checkout page.
  var STEPS = 0;
  // How many listeners there were when the customer first clicked (see the steps).
  var clickMark = 0;
  var wait = G.__skimscan_wait || function () {};
  function drain(rounds) {
    for (var r = 0; r < rounds && timers.length; r++) {
      var now = timers;
      timers = [];
      now.forEach(function (t) {
        wait(t[2]);
        call(t[0], G, undefined);
        if (t[1] > 1 && STEPS++ < 1000) timers.push([t[0], t[1] - 1, t[2]]);
      });
    }
  }
  // The customer reads the page before typing: intervals that only arm after a while (the
  // 60th tick of a poll) do so before the fields are filled.
  function linger() {
    for (var r = 0; r < 120 && timers.length; r++) {
      if (!timers.some(function (t) { return t[1] > 1; })) return;
      drain(1);
    }
  }
  // Ids and names the script itself writes (`e.target.id === 'btn-pay'`): the customer's
  // clicks and typing also land on elements that carry them.
  var hintedButtons = [], hintedFields = [];
  function hint(words) {
    words.forEach(function (w) {
      var id = String(w).replace(/^[#.]/, "");
      if (!/^[A-Za-z][\w\-\[\]]{1,60}$/.test(id) || elements["#" + id] || absent[id]) return;
      if (/pay|order|checkout|submit|btn|button|place|buy|confirm|purchase|continue/i.test(id) && !/num|cvv|cvc|exp/i.test(id)) {
        if (hintedButtons.length < 16) {
          var b = element("button", "#" + id, { id: id, type: "submit" });
          b.className = id; b.form = form; hintedButtons.push(b);
        }
      } else if (!/^canary-/.test(canary(id)) && hintedFields.length < 16) {
        var f = element("input", "#" + id, { id: id, name: id });
        f.className = id; f.form = form; hintedFields.push(f);
      }
    });
  }
  var typing = ["input", "keyup", "keydown", "keypress", "change", "blur", "focusout", "paste"];
  var clicking = ["click", "mousedown", "mouseup", "submit", "touchend", "pointerdown"];
  function fire(types) {
    types.forEach(function (t) {
      listeners.slice().forEach(function (l) {
        if (l[1] === t) call(l[2], l[0], makeEvent(t, l[0]));
      });
      if (typeof G["on" + t] === "function") call(G["on" + t], G, makeEvent(t, G));
    });
  }
  // Who hears a field's events as they bubble: the window, the document, the body, forms,
  // and any element that is no field itself (a container found by an id of its own).
  function hears(on) {
    if (on === G || on === doc || on === body || on === form) return true;
    if (!on || !on.tagName || fields.indexOf(on) >= 0 || hintedFields.indexOf(on) >= 0) return false;
    // An address field or the shipping step hears its own events, not the card fields'.
    if (otherPart(on.__key + " " + on.id + " " + on.name + " " + on.className)) return false;
    if (on.tagName !== "INPUT" && on.tagName !== "SELECT" && on.tagName !== "TEXTAREA") return true;
    return /^canary-/.test(canary(on.__key + " " + on.id + " " + on.name));
  }

  // What a customer's visit does after the script's top level, one task per step: skimscan
  // runs the promise reactions between steps, as a browser runs microtasks between tasks.
  var steps = [
    function () { drain(1); },
    function () { drain(1); },
    function () { fire(["DOMContentLoaded", "readystatechange", "load", "pageshow"]); },
    // The customer moves on to the payment step: one-page checkouts change the URL's hash
    // (Magento's `#shipping` → `#payment`), and a script waiting for it acts then.
    function () {
      var waits = listeners.some(function (l) { return l[1] === "hashchange" || l[1] === "popstate"; }) ||
        typeof G.onhashchange === "function" || typeof G.onpopstate === "function";
      if (!waits) return;
      quietHash = true;
      location.hash = "#payment";
      quietHash = false;
      fire(["hashchange", "popstate"]);
    },
    function () { drain(1); },
    function () { drain(1); },
    function () { drain(1); },
    function () { linger(); },
    // Typing into every field, then clicking and submitting.
    // Key by key (keyloggers add up `e.key`), then the field's change and blur.
    function () {
      var keyTypes = ["keydown", "keypress", "input", "keyup"];
      var each = typing.filter(function (t) { return keyTypes.indexOf(t) < 0; });
      var before = listeners.length;
      var typed = listeners.slice().filter(function (l) { return typing.indexOf(l[1]) >= 0; });
      var targets = fields.concat(hintedFields);
      targets.forEach(function (target) {
        var value = String(target.value);
        for (var i = 0; i < value.length && i < 32; i++) {
          var ch = value.charAt(i);
          var extra = { key: ch, keyCode: ch.charCodeAt(0), which: ch.charCodeAt(0), charCode: ch.charCodeAt(0), code: /\d/.test(ch) ? "Digit" + ch : "Key" + ch.toUpperCase(), data: ch, inputType: "insertText" };
          typed.forEach(function (l) {
            if (keyTypes.indexOf(l[1]) < 0) return;
            if (l[0] === target || hears(l[0])) call(l[2], l[0], makeEvent(l[1], target, extra));
          });
        }
        typed.forEach(function (l) {
          if (each.indexOf(l[1]) < 0) return;
          if (l[0] === target || hears(l[0])) call(l[2], l[0], makeEvent(l[1], target));
        });
      });
      // Listeners added while the customer typed (armed on the third keystroke) hear what
      // the customer does next: each field's change and blur.
      var armed = listeners.slice(before).filter(function (l) { return each.indexOf(l[1]) >= 0; });
      targets.forEach(function (target) {
        armed.forEach(function (l) {
          if (l[0] === target || hears(l[0])) call(l[2], l[0], makeEvent(l[1], target));
        });
      });
      // Listeners on elements that are none of the fields above (a field the script found by
      // a selector of its own).
      // A container of fields the script made hears their events as they bubble, each with
      // its field as the target (`wrap.addEventListener('input', e => data[e.target.name] = …)`).
      typed.forEach(function (l) {
        var on = l[0];
        if (hears(on) || targets.indexOf(on) >= 0) return;
        var own = on && on.tagName && fields.indexOf(on) < 0 ? ownFields(on) : [];
        if (!own.length) return call(l[2], on, makeEvent(l[1], on));
        own.forEach(function (f) { call(l[2], on, makeEvent(l[1], f)); });
      });
    },
    function () { drain(1); },
    function () {
      clickMark = listeners.length;
      listeners.slice().forEach(function (l) {
        var t = l[1], on = l[0];
        if (clicking.indexOf(t) < 0) return;
        var targets = on === G || on === doc || on === body || on === form ? [button].concat(platformButtons, hintedButtons) : [on];
        // A submit event's target is the form, whoever listens.
        if (t === "submit") targets = [on === G || on === doc || on === body ? form : on];
        targets.forEach(function (target) { call(l[2], on, makeEvent(t, target)); });
      });
      // Handlers set as properties (`button.onclick = …`).
      all.slice().forEach(function (el) {
        typing.concat(clicking).forEach(function (t) {
          if (typeof el["on" + t] === "function") call(el["on" + t], el, makeEvent(t, el));
        });
      });
    },
    function () { drain(1); },
    // A form the script showed when the customer clicked or submitted (a fake 3-D Secure
    // step, a "card declined, enter it again" overlay): the customer fills it in and
    // confirms it too — its keys and its buttons' clicks, heard by what was listening only
    // since.
    function () {
      var later = listeners.slice(clickMark);
      if (!later.length) return;
      var made = madeFields.slice(0, 32);
      later.forEach(function (l) {
        var on = l[0];
        if (typing.indexOf(l[1]) >= 0) {
          var mine = made.indexOf(on) >= 0 ? [on] : made;
          mine.forEach(function (f) { call(l[2], on, makeEvent(l[1], f, { key: "1", data: "1" })); });
        }
      });
      later.forEach(function (l) {
        var on = l[0];
        if (clicking.indexOf(l[1]) < 0) return;
        var target = on === G || on === doc || on === body ? button : on;
        if (l[1] === "submit") target = on === G || on === doc || on === body ? form : on;
        call(l[2], on, makeEvent(l[1], target));
      });
    },
    function () { drain(1); },
    // The platform's own events (WooCommerce `checkout_place_order`, a jQuery custom event…):
    // every other type listened for fires once.
    function () {
      var known = typing.concat(clicking, ["DOMContentLoaded", "readystatechange", "load", "pageshow", "hashchange", "popstate", "visibilitychange", "pagehide", "beforeunload", "unload", "message", "open"]);
      listeners.slice().forEach(function (l) {
        if (known.indexOf(l[1]) < 0) call(l[2], l[0], makeEvent(l[1], l[0] === G || l[0] === doc ? button : l[0], pipeMarks.length < 32 ? { detail: pipeMark("event:" + l[1]) } : null));
      });
      // A message another script of the page posts (`window.postMessage(data, '*')`), its
      // data marked the same way.
      var hears = typeof G.onmessage === "function" || listeners.some(function (l) { return l[0] === G && l[1] === "message"; });
      if (hears && pipeMarks.length < 32) dispatch(G, makeEvent("message", G, { data: pipeMark("message"), origin: location.origin, source: G }));
    },
    // The order form is submitted where it points: a form whose action the script set sends
    // the fields there (into a hidden frame, as often as not).
    function () {
      all.slice().forEach(function (el) {
        if (el.tagName === "FORM" && el.action) el.submit();
      });
    },
    function () { drain(1); },
    // The shop's own checkout sends the order, through whatever the script made of fetch and
    // XMLHttpRequest (skimmers hook them to copy the request).
    function () {
      // Validation reads every field through the prototype's `value` (wrapped or not).
      fields.forEach(function (f) {
        var d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(f), "value");
        if (d && d.get && d.get !== valueAccessor.get) call(function () { d.get.call(f); }, f);
      });
      // The order is placed through what `HTMLFormElement.prototype` holds.
      ["submit", "requestSubmit"].forEach(function (n) {
        var m = interfaces.HTMLFormElement.prototype[n];
        if (typeof m === "function" && m !== protoSubmit) call(function () { m.call(pageForm); }, pageForm);
      });
      var card = {};
      fields.forEach(function (f) { card[f.id] = f.value; });
      // Magento's payment-information shape, and a generic one.
      var body = JSON.stringify({
        cartId: "a1b2c3", email: card.billing_email,
        paymentMethod: { method: "authorizenet_directpost", additional_data: { cc_number: card.cc_number, cc_cid: card.cc_cid, cc_exp_month: card.cc_exp_month, cc_exp_year: card.cc_exp_year, cc_owner: card.cc_owner } },
        payment: { method: "card", card: { number: card.cc_number, exp_month: card.cc_exp_month, exp_year: card.cc_exp_year, cvc: card.cc_cid, holder: card.cc_owner } }
      });
      function xhr(url, type, data) {
        try {
          var x = new G.XMLHttpRequest();
          x.open("POST", url, true);
          x.setRequestHeader("Content-Type", type);
          x.send(data);
        } catch (e) {}
      }
      try { G.fetch(OWN[0], { method: "POST", headers: { "Content-Type": "application/json" }, body: body }); } catch (e) {}
      xhr(OWN[1], "application/json", body);
      // A form-encoded order, as OpenCart, WooCommerce and EC-CUBE post it.
      var form = ["cc_number=" + card.cc_number, "cc_cvv2=" + card.cc_cid, "cc_expire_date_month=" + card.cc_exp_month,
        "cc_expire_date_year=" + card.cc_exp_year, "cc_owner=" + encodeURIComponent(card.cc_owner || "")].join("&");
      xhr(OWN[2], "application/x-www-form-urlencoded; charset=UTF-8", form);
      try { G.fetch(OWN[2], { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form }); } catch (e) {}
    },
    function () { drain(1); },
    function () { drain(1); },
    // The customer leaves the page.
    function () {
      doc.visibilityState = "hidden";
      doc.hidden = true;
      fire(["visibilitychange", "pagehide", "beforeunload", "unload"]);
    },
    function () { drain(1); },
    function () { drain(1); }
  ];
  // The page's functions look built in, as a browser's do: kits check that `sendBeacon` or
  // `fetch` shows `[native code]` (a page that wrapped them is a sandbox or a monitor).
  var natives = new Set();
  function native(f) { if (typeof f === "function" && natives.size < 4096) natives.add(f); }
  ["navigator", "document", "location", "localStorage", "sessionStorage", "history", "screen", "console", "performance", "crypto", "customElements", "caches", "indexedDB", "Intl"].forEach(function (n) {
    var o = G[n];
    native(o);
    if (o && typeof o === "object") Object.keys(o).forEach(function (k) { try { native(o[k]); } catch (e) {} });
  });
  Object.getOwnPropertyNames(G).forEach(function (n) {
    if (/^__skimscan/.test(n)) return;
    try { native(Object.getOwnPropertyDescriptor(G, n).value); } catch (e) {}
  });
  var ownToString = Function.prototype.toString;
  function toStringStub() {
    if (natives.has(this)) return "function " + (this.name || "") + "() { [native code] }";
    return ownToString.call(this);
  }
  natives.add(toStringStub);
  Object.defineProperty(Function.prototype, "toString", { value: toStringStub, writable: true, configurable: true });
  define("__skimscan_page", {
    steps: steps.length,
    hint: hint,
    unsealWith: function (f) { unseal = f; },
    captions: captionsOfScript,
    mirror: mirror,
    // A card field's id is never taken as absent (a script could name one in dead code to
    // hide the page's own field from its run); an overlay's or a form's id can be.
    absent: function (ids) {
      madeAny = false;
      scriptRunning = true;
      // The ids and names of the page's card-number and security-code fields, taken before
      // the script can touch them: a send that gives them masks instead of their canaries
      // sent them scrubbed (see `canaries::masked_send_hosts`).
      fields.forEach(function (f) {
        var ac = "";
        try { ac = String(f.getAttribute("autocomplete") || ""); } catch (e) {}
        if (!/^cc-(number|csc)$/.test(ac)) return;
        [f.id, f.name].forEach(function (n) { if (n && cardNames.indexOf(n) < 0) cardNames.push(n); });
      });
      ids.forEach(function (i) {
        if (!/num|cvv|cvc|csc|cid|exp|pan\b|security|verif/i.test(i)) absent[String(i)] = true;
      });
    },
    step: function (i) { steps[i](); },
    // The style sheets the script wrote and the selector test, for `computed_style.js`.
    css: {
      texts: function () { return styleTexts.map(function (f) { return f(); }).join("\n"); },
      matches: matchesLast,
      root: docEl
    },
    result: function () {
      return JSON.stringify({ origin: location.origin, reads: reads, sends: sends, pipes: pipeMarks, drops: dropMarks, card_names: cardNames, asked_ids: asked });
    }
  });
})
