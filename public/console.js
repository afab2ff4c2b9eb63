// Progressive enhancement for the console's reply box: shows the SMS encoding and count while
// typing. Without JavaScript the Preview button gives the same figures from the server.
(function () {
  'use strict';
  var GSM = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
  var EXTENDED = '^{}\\[~]|€\f';
  function count(text) {
    var septets = 0;
    for (var i = 0; i < text.length; i += 1) {
      var c = text.charAt(i);
      if (GSM.indexOf(c) >= 0) septets += 1;
      else if (EXTENDED.indexOf(c) >= 0) septets += 2;
      else return { encoding: 'UCS-2', units: text.length, segments: text.length <= 70 ? 1 : Math.ceil(text.length / 67) };
    }
    return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }
  var box = document.getElementById('reply-body');
  var out = document.getElementById('reply-counter');
  if (!box || !out) return;
  var template = out.getAttribute('data-template') || '';
  function update() {
    var result = count(box.value);
    out.textContent = template.replace('{{encoding}}', result.encoding).replace('{{units}}', String(result.units)).replace('{{segments}}', String(Math.max(1, result.segments)));
  }
  box.addEventListener('input', update);
  if (box.value) update();
})();
