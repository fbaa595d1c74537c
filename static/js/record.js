// The meeting recording page (templates/meetings/record.html). Loaded as a file: the CSP forbids inline scripts.
(function () {
  "use strict";

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  // "Kết thúc bây giờ": fill a datetime-local input with the current local time.
  document.querySelectorAll(".js-now").forEach(function (button) {
    var input = document.getElementById(button.dataset.nowFor);
    if (!input) return;
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var now = new Date();
      input.value =
        now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
        "T" + pad(now.getHours()) + ":" + pad(now.getMinutes());
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });

  // Jump links: on a phone the figures stick to the top of the screen; land the section just below them.
  var aside = document.querySelector("aside.sticky-top");
  function jumpTo(id) {
    var target = document.getElementById(id);
    if (!target) return;
    var covered = aside && window.getComputedStyle(aside).position === "sticky" && aside.offsetWidth > window.innerWidth / 2;
    var offset = covered ? aside.offsetHeight + 8 : 8;
    window.scrollTo({ top: target.getBoundingClientRect().top + window.scrollY - offset, behavior: "smooth" });
  }
  document.querySelectorAll(".js-jump").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var id = link.getAttribute("href").slice(1);
      history.replaceState(null, "", "#" + id);
      jumpTo(id);
    });
  });
  if (window.location.hash.length > 1) {
    window.addEventListener("load", function () {
      jumpTo(decodeURIComponent(window.location.hash.slice(1)));
    });
  }

  // Warn before leaving the page with typed but unsaved fields of the main form (times, conclusions, vote...).
  // Attendance, visitors and speeches are saved on each tap and need no warning.
  var form = document.getElementById("record-form");
  if (!form) return;
  var dirty = false;
  document.addEventListener("input", function (event) {
    if (event.target.form === form) dirty = true;
  });
  document.addEventListener("change", function (event) {
    if (event.target.form === form) dirty = true;
  });
  form.addEventListener("submit", function () {
    dirty = false;
  });
  // Saved in place (htmx): a refused save leaves the typed fields unsaved, so leaving still warns.
  document.body.addEventListener("htmx:afterSettle", function () {
    if (document.querySelector('#record-errors-box [data-testid="record-errors"]')) dirty = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
