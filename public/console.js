// Progressive enhancement for the console's case page; without JavaScript every part still works.
// 1. The reply box shows the SMS encoding and count while typing. The counting is the server's own
//    (window.hotlineCountSegments, from /assets/sms-segments.js, loaded just before), so the figures
//    match the Preview button's and the limit checked on sending. Without JavaScript the Preview
//    button gives the same figures.
// 2. The conversation, which scrolls in its own box, opens at its newest entry (at the bottom),
//    as in a chat; without JavaScript it opens at the first message.
(function () {
  'use strict';
  var timeline = document.getElementById('timeline');
  if (timeline && timeline.scrollHeight > timeline.clientHeight) timeline.scrollTop = timeline.scrollHeight;

  var count = window.hotlineCountSegments;
  var box = document.getElementById('reply-body');
  var out = document.getElementById('reply-counter');
  if (typeof count !== 'function' || !box || !out) return;
  var template = out.getAttribute('data-template') || '';
  function update() {
    var result = count(box.value);
    out.textContent = template.replace('{{encoding}}', result.encoding).replace('{{units}}', String(result.units)).replace('{{segments}}', String(result.segments));
  }
  box.addEventListener('input', update);
  if (box.value) update();
})();
