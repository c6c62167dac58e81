// Renders products and open orders. API locations come from /config.json so the
// same image works behind different ingresses.
(function () {
  'use strict';

  function money(cents) {
    return (cents / 100).toFixed(2) + ' EUR';
  }

  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (res) {
      if (!res.ok) throw new Error(url + ' returned ' + res.status);
      return res.json();
    });
  }

  function showError(err) {
    document.getElementById('status').textContent = 'Some data could not be loaded: ' + err.message;
  }

  getJson('/config.json').then(function (config) {
    getJson(config.catalogUrl).then(function (catalog) {
      var body = document.querySelector('#products tbody');
      catalog.products.forEach(function (p) {
        var row = document.createElement('tr');
        cell(row, p.sku);
        cell(row, p.name);
        cell(row, money(p.gross_cents));
        body.appendChild(row);
      });
    }).catch(showError);

    getJson(config.ordersUrl).then(function (result) {
      var list = document.getElementById('orders');
      result.orders.forEach(function (o) {
        var li = document.createElement('li');
        li.textContent = o.id + ' \u2013 ' + o.lines.length + ' line(s), ' + money(o.total_cents);
        list.appendChild(li);
      });
    }).catch(showError);
  }).catch(showError);
})();
