// Pages for volunteers and moderators. Everything here is an enhancement: each form also works
// without JavaScript.
'use strict';

/* Moderation */
// "Use my location" on the needs-help list: fills the position field (which also works typed
// by hand) and sends the form, so the list comes back nearest first.
(function () {
  var button = document.querySelector('[data-fill-near]');
  if (!button || !navigator.geolocation) return;
  var field = document.getElementById(button.getAttribute('data-fill-near'));
  var status = document.querySelector('.near-status');
  if (!field) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    if (status) status.textContent = button.getAttribute('data-locating');
    navigator.geolocation.getCurrentPosition(function (p) {
      field.value = p.coords.latitude.toFixed(4) + ', ' + p.coords.longitude.toFixed(4);
      if (field.form) field.form.submit();
    }, function () {
      if (status) status.textContent = button.getAttribute('data-failed');
    }, { timeout: 10000, maximumAge: 600000 });
  });
})();
