// The sandbox's prelude: runs before any script code, in a QuickJS context that has the
// language and its pure built-ins only (no std, os, fetch, XMLHttpRequest, timers, DOM or
// module loader). It makes the context deterministic and turns the places where code becomes
// code (eval, Function, string timers, script Blobs) into recorders. The recorder hands the
// text back to skimscan and, for eval and Function, still runs it inside the sandbox, so a
// second layer that needs a value computed by the first one is decoded too.
(function (LIMIT, NOW) {
  "use strict";
  var G = globalThis;
  var layers = [];
  var seen = new Set();
  var total = 0;
  var over = false;
  var realEval = G.eval;
  var RealFunction = Function;
  var slice = Array.prototype.slice;

  function keep(kind, code) {
    if (typeof code !== "string" || !/\S/.test(code) || seen.has(code)) return;
    if (total + code.length > LIMIT) { over = true; return; }
    seen.add(code);
    total += code.length;
    layers.push(kind, code);
    // The stub page learns what the new code looks for (its ids, its captions) before it runs.
    if (typeof G.__skimscan_code_seen === "function") {
      try { G.__skimscan_code_seen(code); } catch (e) {}
    }
  }

  // Indirect eval: the code runs in the global scope of the sandbox (a direct eval's access to
  // the caller's locals is not reproduced).
  function evalRecorder(code) {
    if (typeof code !== "string") return code;
    keep("eval", code);
    return realEval(code);
  }
  function FunctionRecorder() {
    var args = slice.call(arguments);
    if (args.length) keep("Function", String(args[args.length - 1]));
    return RealFunction.apply(null, args);
  }
  FunctionRecorder.prototype = RealFunction.prototype;
  Object.defineProperty(RealFunction.prototype, "constructor", {
    value: FunctionRecorder, writable: true, configurable: true
  });
  // Timers never fire here; a string argument is code the page would run.
  function timerRecorder(code) {
    if (typeof code === "string") keep("setTimeout", code);
    return 0;
  }
  function BlobRecorder(parts, options) {
    var type = options && options.type ? String(options.type) : "";
    if (/javascript|ecmascript/i.test(type) && parts && parts.length !== undefined) {
      keep("Blob", slice.call(parts).map(String).join(""));
    }
    this.size = 0;
    this.type = type;
  }

  // `new RegExp(text)`: a pattern built at run time (an obfuscator's hidden `/カード番号/`)
  // is what the script looks for on the page, as a regular expression literal in its text
  // would be; the stub page learns its captions the same way (at most 64 patterns, short
  // ones: libraries build expressions in loops).
  var RealRegExp = RegExp;
  var patterns = new Set();
  function RegExpRecorder(pattern) {
    if (typeof pattern === "string" && pattern.length <= 256 && patterns.size < 64 &&
        !patterns.has(pattern) && typeof G.__skimscan_code_seen === "function") {
      patterns.add(pattern);
      var literal = pattern.replace(/\\[\s\S]|\//g, function (m) { return m === "/" ? "\\/" : m; });
      try { G.__skimscan_code_seen("/" + literal + "/;"); } catch (e) {}
    }
    return new.target ? Reflect.construct(RealRegExp, arguments, new.target)
      : RealRegExp.apply(undefined, arguments);
  }
  RegExpRecorder.prototype = RealRegExp.prototype;
  Object.getOwnPropertyNames(RealRegExp).forEach(function (n) {
    if (!Object.prototype.hasOwnProperty.call(RegExpRecorder, n)) {
      try { Object.defineProperty(RegExpRecorder, n, Object.getOwnPropertyDescriptor(RealRegExp, n)); } catch (e) {}
    }
  });
  Object.defineProperty(RealRegExp.prototype, "constructor", {
    value: RegExpRecorder, writable: true, configurable: true
  });

  // Deterministic time and randomness: the same script decodes the same way on every run.
  // The clock starts at the scan's day (midnight UTC, given by skimscan), so a skimmer gated
  // on a campaign date behaves as it does for today's customers, and it moves: a step per
  // reading and, through `__skimscan_wait`, what the stub page's timers wait, so "did time
  // pass over my 200 ms timer?" sees a browser's answer. Same code, same readings (within a
  // day). A step is 16 ms (a frame): durations a script measures and sends (keystroke
  // timing) are then even and never the odd canaries (`737`, `2029`) by chance.
  var STEP = 16;
  var RealDate = Date;
  var clock = typeof NOW === "number" && NOW > 0 ? NOW : 1700000000000;
  function reading() { clock += STEP; return clock; }
  function FixedDate(a, b, c, d, e, f, g) {
    var n = arguments.length;
    if (!new.target) return new RealDate(reading()).toString();
    if (n === 0) return new RealDate(reading());
    if (n === 1) return new RealDate(a);
    return new RealDate(a, b, c === undefined ? 1 : c, d || 0, e || 0, f || 0, g || 0);
  }
  FixedDate.prototype = RealDate.prototype;
  FixedDate.now = reading;
  Object.defineProperty(G, "__skimscan_wait", {
    value: function (ms) { ms = +ms > 0 ? Math.min(+ms, 60000) : 0; clock += Math.ceil(ms / STEP) * STEP || STEP; return clock; },
    writable: false, configurable: false, enumerable: false
  });
  FixedDate.UTC = RealDate.UTC;
  FixedDate.parse = RealDate.parse;
  var seed = 0x2545f491;
  Math.random = function () {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };

  function define(name, value) {
    Object.defineProperty(G, name, { value: value, writable: true, configurable: true });
  }
  define("eval", evalRecorder);
  define("Function", FunctionRecorder);
  define("setTimeout", timerRecorder);
  define("setInterval", timerRecorder);
  define("Blob", BlobRecorder);
  define("RegExp", RegExpRecorder);
  define("Date", FixedDate);
  // Anything that measures time or schedules work goes.
  ["performance", "queueMicrotask", "WeakRef", "FinalizationRegistry"].forEach(function (n) {
    delete G[n];
  });
  define("window", G);
  define("self", G);

  Object.defineProperty(G, "__skimscan_take", {
    value: function () { var out = layers; layers = []; return out; },
    writable: false, configurable: false, enumerable: false
  });
  Object.defineProperty(G, "__skimscan_over", {
    value: function () { return over; },
    writable: false, configurable: false, enumerable: false
  });
})
