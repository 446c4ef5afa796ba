// Keyboard shortcuts for the review queue: j/k move, c confirm, x reject, e correct, n note, o open.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".item[data-event]"));
  if (!items.length) { return; }
  var current = 0;
  function focusItem(i) {
    current = Math.max(0, Math.min(items.length - 1, i));
    items[current].focus();
  }
  items.forEach(function (el, i) { el.addEventListener("focusin", function () { current = i; }); });
  function form(action) { return items[current].querySelector("form[data-action='" + action + "']"); }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || ev.ctrlKey || ev.metaKey || ev.altKey) {
      if (ev.key === "Escape") { ev.target.blur(); focusItem(current); }
      return;
    }
    var f;
    switch (ev.key) {
      case "j": focusItem(current + 1); break;
      case "k": focusItem(current - 1); break;
      case "c": f = form("confirm"); if (f) { f.requestSubmit(); } break;
      case "x": f = form("reject"); if (f) { f.querySelector("select").focus(); } break;
      case "e": f = form("correct"); if (f) { f.querySelector("input[name=country]").focus(); } break;
      case "n": f = form("note"); if (f) { f.querySelector("input[name=note]").focus(); } break;
      case "o": f = items[current].querySelector("a.open"); if (f) { f.click(); } break;
      default: return;
    }
    ev.preventDefault();
  });
  if (document.activeElement === document.body) { focusItem(0); }
})();
