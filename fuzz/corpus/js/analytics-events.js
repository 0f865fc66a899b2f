// legit: analytics page views and ecommerce events, no card data
(function (i, s, o, g, r, a, m) { i['GoogleAnalyticsObject'] = r; i[r] = i[r] || function () { (i[r].q = i[r].q || []).push(arguments); };
  a = s.createElement(o); m = s.getElementsByTagName(o)[0]; a.async = 1; a.src = g; m.parentNode.insertBefore(a, m);
})(window, document, 'script', 'https://www.google-analytics.com/analytics.js', 'ga');
ga('create', 'UA-12345-1', 'auto');
ga('send', 'pageview');
window.dataLayer = window.dataLayer || [];
dataLayer.push({ event: 'checkout', ecommerce: { checkout: { actionField: { step: 2 } } } });
new Image().src = 'https://www.facebook.com/tr?id=1&ev=InitiateCheckout';
