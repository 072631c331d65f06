// The demo app's own code. Rumscope is not loaded here: the extension injects it.
(function () {
  var cart = 0;
  var status = document.getElementById('status');
  function on(id, fn) {
    var el = document.getElementById(id);
    if (el) el.addEventListener('click', fn);
  }
  document.querySelectorAll('[data-product], #add-cake').forEach(function (button) {
    button.addEventListener('click', function () {
      cart++;
      document.getElementById('cart').textContent = String(cart);
    });
  });
  on('throw', function () {
    throw new TypeError('Demo failure: cart is undefined');
  });
  on('reject', function () {
    Promise.reject(new Error('Demo rejection: payment service unavailable'));
  });
  on('fetch-ok', function () {
    fetch('/api/ok').then(function (r) { status.textContent = 'API answered ' + r.status; });
  });
  on('fetch-500', function () {
    fetch('/api/status/500').then(function (r) { status.textContent = 'API answered ' + r.status; });
  });
  var form = document.getElementById('checkout');
  if (form) form.addEventListener('submit', function (e) {
    e.preventDefault();
    status.textContent = 'Thank you!';
  });
})();
