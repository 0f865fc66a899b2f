// The stub page's `crypto` (see `web_crypto.rs`). Skimmers hide their endpoint under AES with
// a key in the script (`crypto.subtle.decrypt` at start-up), seal what they send
// (`crypto.subtle.encrypt` of the card before `fetch`), and number their victims with
// `crypto.randomUUID()`. Without `crypto` such a script throws before its send. Here:
// - digests, HMAC, PBKDF2 and AES (GCM, CBC, CTR) are computed for real by the native
//   function, so a decrypted endpoint is the one the browser would contact;
// - RSA and elliptic-curve keys are stand-ins: encrypting with one gives bytes of the right
//   length (the plaintext is what matters, below), decrypting with one fails;
// - every encryption is remembered, ciphertext → plaintext, so a send that carries the
//   ciphertext (raw, hex, Base64 at any offset, a list of numbers) is recorded as carrying
//   the plaintext too (`unseal`, which the page's send asks);
// - randomness is a fixed sequence, as in `prelude.js`.
(function (native, page) {
  "use strict";
  var G = globalThis;
  var sealed = [];
  var MAX_SEALED = 64;

  function hexOf(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }
  function bytesOfHex(h) {
    var out = new Uint8Array(h.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
    return out;
  }
  function utf8(text) {
    var b = unescape(encodeURIComponent(String(text)));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
    return out;
  }
  function textOf(bytes) {
    var b = "";
    for (var i = 0; i < bytes.length; i++) b += String.fromCharCode(bytes[i]);
    try { return decodeURIComponent(escape(b)); } catch (e) { return b; }
  }
  // A BufferSource as bytes (a string too: lenient where a browser throws).
  function bytesOf(x) {
    if (x instanceof ArrayBuffer) return new Uint8Array(x);
    if (x && ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    if (x && x.__text !== undefined) return utf8(x.__text);
    if (Array.isArray(x)) return Uint8Array.from(x);
    if (typeof x === "string") return utf8(x);
    throw new TypeError("not a BufferSource");
  }
  function call(op, alg, key, iv, data, extra) {
    var r = native(op, alg || "", key || "", iv || "", data || "", extra || "");
    if (r.charAt(0) === "!") {
      var e = new Error(r.slice(1));
      e.name = "OperationError";
      throw e;
    }
    return bytesOfHex(r).buffer;
  }
  function nameOf(alg) { return String(alg && typeof alg === "object" ? alg.name : alg || "").toUpperCase(); }
  function hashOf(alg) { return nameOf(alg && alg.hash ? alg.hash : "SHA-256"); }

  // A fixed sequence of bytes: `getRandomValues`, generated keys, stand-in ciphertexts.
  var seed = 0x2545f491;
  function nextByte() {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) & 255;
  }
  function fixedBytes(n) {
    var out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = nextByte();
    return out;
  }

  function CryptoKey(type, algorithm, raw, extractable, usages) {
    this.type = type;
    this.algorithm = algorithm;
    this.extractable = !!extractable;
    this.usages = usages || [];
    Object.defineProperty(this, "__raw", { value: raw, enumerable: false });
  }
  function algorithmOf(alg, raw) {
    var a = { name: typeof alg === "object" && alg ? String(alg.name) : String(alg) };
    if (/^AES/i.test(a.name)) a.length = raw ? raw.length * 4 : (alg && alg.length) || 256;
    if (alg && alg.hash) a.hash = { name: hashOf(alg) };
    return a;
  }
  function isSecret(alg) { return /^(AES|HMAC|PBKDF2|HKDF)/.test(nameOf(alg)); }

  function remember(plain, cipher) {
    if (sealed.length < MAX_SEALED && cipher.length >= 8) sealed.push({ plain: textOf(plain), cipher: cipher });
  }

  function importKey(format, data, alg, extractable, usages) {
    var f = String(format).toLowerCase();
    var raw = "";
    if (isSecret(alg)) {
      if (f === "raw") raw = hexOf(bytesOf(data));
      else if (f === "jwk" && data && data.k) raw = hexOf(bytesOf(atob(String(data.k).replace(/-/g, "+").replace(/_/g, "/")).split("").map(function (c) { return c.charCodeAt(0); })));
      else throw new Error("unsupported key format");
      return new CryptoKey("secret", algorithmOf(alg, raw), raw, extractable, usages);
    }
    // An RSA or EC key: a stand-in (see above).
    return new CryptoKey(f === "pkcs8" || (data && data.d) ? "private" : "public", algorithmOf(alg), "", extractable, usages);
  }
  function aesParams(alg) {
    var n = nameOf(alg);
    var iv = n === "AES-CTR" ? alg.counter : alg.iv;
    return { iv: iv ? hexOf(bytesOf(iv)) : "", extra: n === "AES-GCM" && alg.additionalData ? hexOf(bytesOf(alg.additionalData)) : "" };
  }
  function encrypt(alg, key, data) {
    var plain = bytesOf(data);
    var n = nameOf(alg);
    var out;
    if (/^AES/.test(n)) {
      var p = aesParams(alg);
      out = call("encrypt", n, key.__raw, p.iv, hexOf(plain), p.extra);
    } else {
      out = fixedBytes(256).buffer;
    }
    remember(plain, new Uint8Array(out));
    return out;
  }
  function decrypt(alg, key, data) {
    var n = nameOf(alg);
    if (!/^AES/.test(n)) throw new Error("cannot decrypt with a stand-in key");
    var p = aesParams(alg);
    return call("decrypt", n, key.__raw, p.iv, hexOf(bytesOf(data)), p.extra);
  }
  function deriveBits(alg, key, length) {
    var n = nameOf(alg);
    if (n === "PBKDF2") {
      return call("pbkdf2", hashOf(alg), key.__raw, hexOf(bytesOf(alg.salt)), "", (alg.iterations >>> 0) + ":" + (length >>> 0));
    }
    // ECDH, HKDF: a fixed secret (what it keys is followed by `remember`, not by the key).
    return fixedBytes((length >>> 3) || 32).buffer;
  }
  function keyLength(alg) {
    if (/^AES/.test(nameOf(alg))) return (alg.length >>> 0) || 256;
    var h = hashOf(alg);
    return alg && alg.length ? alg.length >>> 0 : h === "SHA-384" || h === "SHA-512" ? 1024 : 512;
  }
  function promised(f) {
    return function () {
      var args = arguments;
      try { return Promise.resolve(f.apply(null, args)); } catch (e) { return Promise.reject(e); }
    };
  }
  var subtle = {
    digest: promised(function (alg, data) { return call("digest", nameOf(alg), "", "", hexOf(bytesOf(data)), ""); }),
    importKey: promised(importKey),
    exportKey: promised(function (format, key) {
      var raw = bytesOfHex(key.__raw || "");
      if (String(format).toLowerCase() === "jwk") {
        var b = "";
        for (var i = 0; i < raw.length; i++) b += String.fromCharCode(raw[i]);
        return { kty: "oct", k: btoa(b).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""), ext: true };
      }
      return raw.buffer;
    }),
    generateKey: promised(function (alg, extractable, usages) {
      if (isSecret(alg)) return new CryptoKey("secret", algorithmOf(alg), hexOf(fixedBytes(keyLength(alg) >>> 3)), extractable, usages);
      return {
        publicKey: new CryptoKey("public", algorithmOf(alg), "", true, usages),
        privateKey: new CryptoKey("private", algorithmOf(alg), "", extractable, usages)
      };
    }),
    encrypt: promised(encrypt),
    decrypt: promised(decrypt),
    sign: promised(function (alg, key, data) {
      if (nameOf(alg) === "HMAC") return call("hmac", hashOf(key.algorithm), key.__raw, "", hexOf(bytesOf(data)), "");
      return fixedBytes(64).buffer;
    }),
    verify: promised(function () { return true; }),
    deriveBits: promised(deriveBits),
    deriveKey: promised(function (alg, key, derived, extractable, usages) {
      var raw = hexOf(new Uint8Array(deriveBits(alg, key, keyLength(derived))));
      return new CryptoKey("secret", algorithmOf(derived, raw), raw, extractable, usages);
    }),
    wrapKey: promised(function (format, key, wrapping, alg) { return encrypt(alg, wrapping, bytesOfHex(key.__raw || "")); }),
    unwrapKey: promised(function (format, wrapped, unwrapping, alg, keyAlg, extractable, usages) {
      return importKey("raw", decrypt(alg, unwrapping, wrapped), keyAlg, extractable, usages);
    })
  };
  var uuids = 0;
  var cryptoStub = {
    subtle: subtle,
    getRandomValues: function (a) {
      if (!a || !ArrayBuffer.isView(a)) throw new TypeError("not an integer array");
      var bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      for (var i = 0; i < bytes.length; i++) bytes[i] = nextByte();
      return a;
    },
    randomUUID: function () {
      var n = (++uuids).toString(16);
      return "3b241101-e2bb-4255-8caf-" + ("000000000000" + n).slice(-12);
    }
  };
  Object.defineProperty(G, "crypto", { value: cryptoStub, writable: true, configurable: true });
  Object.defineProperty(G, "CryptoKey", { value: CryptoKey, writable: true, configurable: true });

  // The plaintexts whose ciphertext `data` (as sent) or `text` (its text) carries.
  function b64(bytes) {
    var b = "";
    for (var i = 0; i < bytes.length; i++) b += String.fromCharCode(bytes[i]);
    return btoa(b).replace(/=+$/, "");
  }
  function contains(hay, needle) {
    outer: for (var i = 0; i + needle.length <= hay.length; i++) {
      for (var j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      return true;
    }
    return false;
  }
  function unseal(data, text) {
    if (!sealed.length) return "";
    var raw = null;
    try { if (data && typeof data === "object") raw = bytesOf(data); } catch (e) {}
    var t = String(text || "");
    var found = [];
    sealed.forEach(function (s) {
      var c = s.cipher.subarray(0, Math.min(s.cipher.length, 18));
      var hit = raw && contains(raw, c);
      if (!hit) {
        var h = hexOf(c);
        var forms = [h, h.toUpperCase(), Array.prototype.join.call(c.subarray(0, 8), ",")];
        var latin = "";
        for (var i = 0; i < c.length; i++) latin += String.fromCharCode(c[i]);
        forms.push(latin);
        // Base64 of the ciphertext at any offset in what was encoded: each of the three
        // alignments leaves a run that only the ciphertext's bytes decide.
        for (var skip = 0; skip < 3; skip++) {
          var run = b64(c.subarray(skip, skip + 12));
          forms.push(run, run.replace(/\+/g, "-").replace(/\//g, "_"));
        }
        hit = forms.some(function (f) { return f && t.indexOf(f) >= 0; });
      }
      if (hit && found.indexOf(s.plain) < 0) found.push(s.plain);
    });
    return found.join("\n");
  }
  page.unsealWith(unseal);
  // The byte helpers, for the page's codecs (`media.js`).
  page.codec = { hexOf: hexOf, bytesOfHex: bytesOfHex, utf8: utf8, textOf: textOf };
})
