// `getComputedStyle` on the stub page: what the style sheets the script wrote (a `<style>`'s
// text, rules added with `insertRule`) declare for an element or its `::before`/`::after`.
// Skimmers keep their address where only a style engine reads it back: a `content` string
// on a pseudo-element of a probe element they add, or a custom property on `:root`
// (`getComputedStyle(document.documentElement).getPropertyValue('--cdn')`). This is no
// cascade: rules whose selector's last compound names the element (tag, id, classes,
// attributes; `:root` and `html` name the document element) apply in order, the last
// declaration winning, and custom properties of the document element are inherited.
(function (css) {
  "use strict";
  var G = globalThis;
  var MAX_RULES = 4096;

  function pseudoOf(p) {
    p = String(p || "").toLowerCase();
    return p ? "::" + p.replace(/^:+/, "") : "";
  }
  function camel(p) {
    return p.replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); });
  }
  function selects(el, selector, pseudo) {
    var sel = selector.trim();
    var m = /::?(before|after|marker|placeholder)$/i.exec(sel);
    var own = m ? pseudoOf(m[1]) : "";
    if (own !== pseudo) return false;
    var last = (m ? sel.slice(0, m.index) : sel).split(/[\s>+~]+/).pop() || "";
    if (last === ":root" || last.toLowerCase() === "html") return el === css.root;
    return last !== "" && css.matches(el, last);
  }
  // Property → value for `el` (and `pseudo`), from every rule that selects it.
  function declarations(el, pseudo) {
    var out = {};
    var text = String(css.texts()).replace(/\/\*[\s\S]*?\*\//g, "");
    var re = /([^{}@]+)\{([^{}]*)\}/g, m, n = 0;
    while ((m = re.exec(text)) !== null && n++ < MAX_RULES) {
      if (!m[1].split(",").some(function (s) { return selects(el, s, pseudo); })) continue;
      m[2].split(";").forEach(function (d) {
        var i = d.indexOf(":");
        if (i <= 0) return;
        var name = d.slice(0, i).trim();
        if (name.indexOf("--") !== 0) name = name.toLowerCase();
        out[name] = d.slice(i + 1).replace(/!\s*important\s*$/i, "").trim();
      });
    }
    return out;
  }
  function computed(el, pseudo) {
    var own = el && typeof el === "object" ? declarations(el, pseudoOf(pseudo)) : {};
    var inherited = el === css.root ? {} : declarations(css.root, "");
    var st = {
      getPropertyValue: function (p) {
        p = String(p);
        var k = p.indexOf("--") === 0 ? p : p.toLowerCase();
        if (own[k] !== undefined) return own[k];
        return k.indexOf("--") === 0 && inherited[k] !== undefined ? inherited[k] : "";
      },
      getPropertyPriority: function () { return ""; },
      length: 0
    };
    Object.keys(own).forEach(function (k) {
      if (k.indexOf("--") !== 0) st[camel(k)] = own[k];
    });
    return st;
  }
  Object.defineProperty(G, "getComputedStyle", { value: computed, writable: true, configurable: true });
})
