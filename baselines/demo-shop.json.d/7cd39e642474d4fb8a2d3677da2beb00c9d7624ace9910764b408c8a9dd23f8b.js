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
