// The search page shows hits first; this fetches facets and the trend from the JSON API and renders them.
(function () {
  "use strict";
  var aside = document.getElementById("facets");
  if (!aside || !aside.dataset.src) { return; }
  var params = new URLSearchParams(location.search);
  function link(field, value) {
    var p = new URLSearchParams(params);
    p.delete("cursor");
    if (field === "country") { p.append("country", value); }
    else if (field === "language") { p.append("lang", value); }
    else {
      var term = /^[\w.\-]+$/.test(value) ? field + ":" + value : field + ':"' + value + '"';
      p.set("q", ((p.get("q") || "") + " " + term).trim());
    }
    return "/search?" + p.toString();
  }
  fetch(aside.dataset.src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (view) {
      var wait = document.getElementById("facets-wait");
      if (wait) { wait.remove(); }
      Object.keys(view.page.facets).forEach(function (field) {
        var section = document.createElement("section");
        var h = document.createElement("h2");
        h.textContent = field;
        section.appendChild(h);
        var ul = document.createElement("ul");
        view.page.facets[field].forEach(function (f) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = link(field, f.value);
          a.textContent = f.value;
          var n = document.createElement("span");
          n.className = "n";
          n.textContent = " " + f.count;
          li.appendChild(a);
          li.appendChild(n);
          ul.appendChild(li);
        });
        section.appendChild(ul);
        aside.appendChild(section);
      });
      aside.removeAttribute("aria-busy");
      var figure = document.getElementById("trend-figure");
      if (figure && view.trend.labels.length && window.vigilChart) {
        figure.hidden = false;
        window.vigilChart(document.getElementById("trend"), view.trend);
      }
    })
    .catch(function () {
      var wait = document.getElementById("facets-wait");
      if (wait) { wait.textContent = "Facets could not be loaded."; }
      aside.removeAttribute("aria-busy");
    });
})();
