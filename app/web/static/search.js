/* Enhances the search page; without it the page works as plain forms and links.
 *
 * - Suggestions as you type (combobox.js) on the search field.
 * - New results without a page load: the form, the facet, pagination and did-you-mean links fetch the
 *   server-rendered results (the same HTML as the page, from /results) and put them in place. The
 *   address is updated with history.pushState and each entry keeps its results, so Back and Forward
 *   show them again without asking the server (and without counting the search twice in the log).
 * - The result count is announced in the polite live region; after a link inside the results the focus
 *   moves to the new results' heading (the link itself is gone), after a search it stays in the field.
 * - A copy button for the embed code.
 * - On a narrow screen the facets fold away behind their "Rajaa hakua" button, above the results.
 */
(function () {
  "use strict";

  function setupCopyButtons() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent).then(function () {
          var status = button.parentNode.querySelector(".copy-status");
          if (status) status.textContent = button.getAttribute("data-copied");
        });
      });
    });
  }

  function setupSearch() {
    var form = document.querySelector("form.search-form");
    var results = document.getElementById("results");
    var status = document.getElementById("search-status");
    if (!form || !results || !status) return;
    var input = form.querySelector("input[name=q]");
    var hint = "search-hint";

    function announce(text) {
      // Emptied first, so that the same words said again (the same count) are announced again.
      status.textContent = "";
      setTimeout(function () { status.textContent = text; }, 50);
    }

    if (window.sotehaku && window.sotehaku.suggestions) {
      window.sotehaku.suggestions(input, {
        url: form.getAttribute("data-suggest"),
        label: form.getAttribute("data-suggestions-label"),
        one: form.getAttribute("data-suggestions-one"),
        many: form.getAttribute("data-suggestions-many"),
        announce: announce,
        onChoose: function () {
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }
      });
    }

    if (!window.fetch || !window.history || !window.history.pushState) return;
    var fragmentPath = form.getAttribute("data-fragment");
    var busy = null;

    function show(html, focus) {
      results.innerHTML = html;
      var body = results.querySelector(".results-body");
      var heading = document.getElementById("results-heading");
      if (heading) results.setAttribute("aria-labelledby", "results-heading"); else results.removeAttribute("aria-labelledby");
      if (body) {
        document.title = body.getAttribute("data-title") || document.title;
        if (input !== document.activeElement || focus !== "keep") input.value = body.getAttribute("data-q") || "";
        var invalid = body.getAttribute("data-invalid") === "true";
        if (invalid) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", hint + " search-error");
        } else {
          input.removeAttribute("aria-invalid");
          input.setAttribute("aria-describedby", hint);
        }
        announce(body.getAttribute("data-status") || "");
      }
      if (focus === "heading" && heading) heading.focus();
    }

    function load(pageUrl, push, focus) {
      var url = new URL(pageUrl, window.location.href);
      if (busy && busy.abort) busy.abort();
      busy = window.AbortController ? new AbortController() : null;
      results.setAttribute("aria-busy", "true");
      return fetch(fragmentPath + url.search, {
        credentials: "same-origin", headers: { "Accept": "text/html" }, signal: busy ? busy.signal : undefined
      }).then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (type.indexOf("text/html") !== 0) throw new Error("not a results fragment");
        return response.text();
      }).then(function (html) {
        results.removeAttribute("aria-busy");
        if (push) window.history.pushState({ results: html }, "", url.pathname + url.search);
        show(html, focus);
      }).catch(function (error) {
        if (error && error.name === "AbortError") return;
        results.removeAttribute("aria-busy");
        window.location.href = url.href; // let the server render the page the usual way
      });
    }

    // The page as loaded is the first history entry; keep its results for Back.
    window.history.replaceState({ results: results.innerHTML }, "", window.location.href);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams();
      params.set("q", input.value);
      load(form.getAttribute("action") + "?" + params.toString(), true, "keep");
    });

    results.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      if (!link || !results.contains(link)) return;
      var url = new URL(link.href, window.location.href);
      // Only links to this same search page (facets, pages, did-you-mean), not to the documents.
      if (url.origin !== window.location.origin || url.pathname !== form.getAttribute("action")) return;
      event.preventDefault();
      load(url.href, true, "heading");
    });

    window.addEventListener("popstate", function (event) {
      if (event.state && typeof event.state.results === "string") show(event.state.results, "none");
      else load(window.location.href, false, "none");
    });
  }

  // The facets' button (shown by style.css on narrow screens once this script runs) opens and closes them;
  // listened for on the document, so that it works in results put in place later too.
  function setupFilterToggle() {
    document.documentElement.classList.add("js");
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button.filter-toggle") : null;
      if (!button) return;
      var facets = button.closest(".facets");
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      facets.classList.toggle("open", open);
    });
  }

  function setup() {
    setupFilterToggle();
    setupCopyButtons();
    setupSearch();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
