// The script's own element, and nothing else of the page. Some decoders key on their own
// text as the page holds it (`document.getElementsByTagName('script')[last].innerHTML`,
// `document.currentScript.text`), so an edited or beautified copy decodes to garbage; giving
// them their own text, a constant, lets them decode as in the browser. Every other DOM read
// is absent (a TypeError inside the script, as before). Installed only around a plan's run,
// never in a bare sandbox.
(function (text) {
  "use strict";
  var element = { tagName: "SCRIPT", nodeName: "SCRIPT", src: "", type: "", async: false };
  ["text", "innerHTML", "textContent", "innerText", "outerHTML"].forEach(function (k) {
    Object.defineProperty(element, k, { value: text, enumerable: true });
  });
  function scripts(tag) {
    return String(tag).toLowerCase() === "script" ? [element] : [];
  }
  var doc = {
    currentScript: element,
    scripts: [element],
    getElementsByTagName: scripts,
    querySelectorAll: scripts,
    querySelector: function (tag) { return scripts(tag)[0] || null; }
  };
  Object.defineProperty(globalThis, "document", { value: doc, writable: true, configurable: true });
})
