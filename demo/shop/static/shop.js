/* Maple & Moss storefront helpers. */
function addToCart(sku) {
  fetch('/cart/add', {method: 'POST', body: JSON.stringify({sku: sku, qty: 1})})
    .then(function (r) { return r.json(); })
    .then(function (cart) { document.title = 'Cart (' + cart.count + ')'; });
}
