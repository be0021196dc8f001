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

// Tables of rows (materials): add a blank row like the last, remove one (the last one left is
// emptied instead, so the table never disappears).
document.addEventListener('click', function (e) {
  var add = e.target.closest && e.target.closest('[data-add-row]');
  var remove = e.target.closest && e.target.closest('[data-remove-row]');
  if (!add && !remove) { return; }
  var box = (add || remove).closest('[data-rows]');
  var body = box && box.querySelector('tbody');
  if (!body) { return; }
  if (add) {
    var last = body.lastElementChild;
    var row = last.cloneNode(true);
    row.querySelectorAll('input').forEach(function (i) { i.value = ''; });
    body.appendChild(row);
    var first = row.querySelector('input');
    if (first) { first.focus(); }
  } else {
    var tr = remove.closest('tr');
    if (body.children.length > 1) { tr.remove(); } else { tr.querySelectorAll('input').forEach(function (i) { i.value = ''; }); }
  }
});

// Long lists of choices (the classification tree): a box filters them by name or code, and a
// select whose options carry a business scope (data-scope) shows only the items it covers, or
// leads to (a category above a covered item). Checked items always stay in view.
(function () {
  var box = document.querySelector('input.tree-filter');
  if (!box) { return; }
  var tree = document.getElementById(box.getAttribute('data-filter'));
  var note = document.querySelector('[data-scope-note]');
  var scoped = document.querySelector('select option[data-scope]');
  var select = scoped && scoped.parentNode;
  function granted() {
    var o = select && select.options[select.selectedIndex];
    var s = o && o.getAttribute('data-scope');
    return s ? s.split(/[,\s]+/).filter(Boolean) : null;
  }
  function related(scope, code) {
    return scope.some(function (g) {
      return code === g || code.indexOf(g + '.') === 0 || g.indexOf(code + '.') === 0;
    });
  }
  function apply() {
    var words = box.value.trim().toLowerCase();
    var scope = granted();
    if (note) { note.hidden = !scope; }
    tree.querySelectorAll('label.check').forEach(function (label) {
      var input = label.querySelector('input');
      var show = input.checked || ((!scope || related(scope, input.value)) &&
        (!words || label.textContent.toLowerCase().indexOf(words) >= 0));
      label.hidden = !show;
    });
  }
  box.addEventListener('input', apply);
  if (select) { select.addEventListener('change', apply); }
  apply();
})();

// Fields that matter only for some answers of another field (the original opinion of a
// supplementary or re-appraisal commission) stay out of the way until they matter; a field in
// error always shows.
(function () {
  var deps = document.querySelectorAll('[data-hide-when]');
  if (!deps.length) { return; }
  function apply() {
    deps.forEach(function (d) {
      var ctl = d.closest('form').querySelector('[name="' + d.getAttribute('data-hide-when') + '"]');
      d.hidden = !!ctl && ctl.value === d.getAttribute('data-hide-value') && !d.classList.contains('invalid');
    });
  }
  document.addEventListener('change', apply);
  apply();
})();
