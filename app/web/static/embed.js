/* Suggestions for the sotehaku search box on another site's page (see /embed).
 *
 * Finds the forms marked data-sotehaku, loads combobox.js from the same server as this script and asks
 * that server's /api/suggest for completions (the server must list the page's origin in its CORS
 * origins; without that the box simply works without suggestions). No cookies are sent.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var base = new URL(".", script.src); // .../static/
  var TEXTS = {
    fi: { label: "Hakuehdotukset", one: "1 hakuehdotus.", many: "{n} hakuehdotusta." },
    sv: { label: "Sökförslag", one: "1 sökförslag.", many: "{n} sökförslag." },
    en: { label: "Search suggestions", one: "1 suggestion.", many: "{n} suggestions." }
  };

  function liveRegion() {
    var region = document.createElement("div");
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    // Visually hidden but read by screen readers (the host page may not have such a class).
    region.style.position = "absolute";
    region.style.width = "1px";
    region.style.height = "1px";
    region.style.overflow = "hidden";
    region.style.clip = "rect(0 0 0 0)";
    region.style.whiteSpace = "nowrap";
    document.body.appendChild(region);
    return region;
  }

  function enhance() {
    var forms = document.querySelectorAll("form[data-sotehaku]");
    if (!forms.length) return;
    var region = liveRegion();
    Array.prototype.forEach.call(forms, function (form) {
      var input = form.querySelector("input[name=q]");
      var lang = (document.documentElement.lang || "fi").slice(0, 2);
      var texts = TEXTS[lang] || TEXTS.fi;
      window.sotehaku.suggestions(input, {
        url: new URL("../api/suggest", base).href,
        credentials: "omit",
        label: texts.label, one: texts.one, many: texts.many,
        standalone: !document.querySelector("link[href$='/static/style.css']"),
        announce: function (text) { region.textContent = text; },
        onChoose: function () { if (form.requestSubmit) form.requestSubmit(); else form.submit(); }
      });
    });
  }

  function start() {
    if (window.sotehaku && window.sotehaku.suggestions) { enhance(); return; }
    var loader = document.createElement("script");
    loader.src = new URL("combobox.js", base).href;
    loader.onload = enhance;
    document.head.appendChild(loader);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
