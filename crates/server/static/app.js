// Confirmation before irreversible steps: any form with data-confirm asks first, once what
// the browser can check (required fields, formats) holds: validate first, then confirm.
document.addEventListener('submit', function (e) {
  var form = e.target;
  var msg = form.getAttribute('data-confirm');
  if (!msg) { return; }
  if (form.checkValidity && !form.checkValidity()) {
    e.preventDefault();
    form.reportValidity();
    return;
  }
  if (!window.confirm(msg)) { e.preventDefault(); }
});

// Opinion verification: hash the chosen file here and compare with the registered SHA-256.
(function () {
  var input = document.getElementById('verify-file');
  if (!input) { return; }
  var out = document.getElementById('verify-result');
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (!file) { return; }
    if (!(window.crypto && crypto.subtle)) { out.textContent = '此页面需通过 HTTPS 访问才能在本机计算哈希'; out.className = 'badge warn'; return; }
    file.arrayBuffer().then(function (buf) { return crypto.subtle.digest('SHA-256', buf); }).then(function (d) {
      var hex = Array.prototype.map.call(new Uint8Array(d), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
      var match = hex === input.getAttribute('data-sha256');
      out.textContent = match ? '一致：与登记的鉴定意见书相同' : '不一致：该文件不是登记的鉴定意见书（SHA-256 ' + hex + '）';
      out.className = 'badge ' + (match ? 'ok' : 'bad');
      fetch('/api/v1/opinions/' + input.getAttribute('data-code') + '/verification?sha256=' + hex);
    });
  });
})();
