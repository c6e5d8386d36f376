/* Search suggestions as an ARIA 1.2 combobox: a text input that controls a listbox of completions.
 *
 * sotehaku.suggestions(input, options) turns a search input into the combobox. Keys: Down and Up move
 * through the suggestions (wrapping), Enter takes the highlighted one and submits the form, Escape closes
 * the list (a second Escape clears the input, as a search field does), Tab leaves. Focus stays in the
 * input throughout; the highlighted option is named by aria-activedescendant. Without this script the
 * input is a plain search field. No framework, no network but options.url.
 *
 * options: url (the suggest endpoint, answering {"suggestions": [...]}), label (the listbox's name),
 * announce(text) (a polite live region), one and many ("{n} suggestions" texts), standalone (add the
 * few inline styles a page without our stylesheet needs).
 */
(function () {
  "use strict";
  var DELAY_MS = 120; // typing pause before asking; fast enough to feel immediate, slow enough not to ask per key
  var MIN_CHARS = 2;
  var counter = 0;

  function suggestions(input, options) {
    if (!input || input.getAttribute("role") === "combobox" || !window.fetch) return null;
    counter += 1;
    var listId = (input.id || "sotehaku-input-" + counter) + "-suggestions";
    var wrapper = input.parentNode;
    if (!wrapper.classList || !wrapper.classList.contains("combo")) {
      wrapper = document.createElement("span");
      wrapper.className = "combo";
      input.parentNode.insertBefore(wrapper, input);
      wrapper.appendChild(input);
    }
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", options.label || "Suggestions");
    list.hidden = true;
    wrapper.appendChild(list);
    if (options.standalone) {
      wrapper.style.position = "relative";
      wrapper.style.display = "inline-block";
      list.style.position = "absolute";
      list.style.left = "0";
      list.style.right = "0";
      list.style.zIndex = "1000";
      list.style.margin = "0";
      list.style.padding = "0";
      list.style.listStyle = "none";
      list.style.background = "#fff";
      list.style.color = "#1b1b1b";
      list.style.border = "1px solid #4a4a4a";
    }

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var items = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var lastAsked = null;

    function announce(text) {
      if (options.announce) options.announce(text);
    }

    function open() {
      if (!items.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }

    function highlight(index) {
      var options_ = list.children;
      for (var i = 0; i < options_.length; i++) {
        options_[i].setAttribute("aria-selected", i === index ? "true" : "false");
        options_[i].classList.toggle("active", i === index);
      }
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options_[index].id);
        if (options_[index].scrollIntoView) options_[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(words, typed) {
      items = words;
      list.textContent = "";
      words.forEach(function (word, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var n = typed ? typed[i] || 0 : 0;
        if (n > 0) {  // the typed part emphasised, the completion after it plain
          var strong = document.createElement("strong");
          strong.textContent = word.slice(0, n);
          li.appendChild(strong);
          li.appendChild(document.createTextNode(word.slice(n)));
        } else {
          li.textContent = word;
        }
        if (options.standalone) {
          li.style.padding = "0.3em 0.6em";
          li.style.cursor = "pointer";
        }
        list.appendChild(li);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (words.length && document.activeElement === input) {
        open();
        var text = words.length === 1 ? options.one : options.many;
        if (text) announce(text.replace("{n}", words.length));
      } else {
        close();
      }
    }

    function ask() {
      var text = input.value;
      if (text.trim().length < MIN_CHARS) {
        render([]);
        lastAsked = null;
        return;
      }
      if (text === lastAsked) return;
      lastAsked = text;
      if (pending && pending.abort) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      var url = options.url + (options.url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
      fetch(url, { credentials: options.credentials || "same-origin", signal: pending ? pending.signal : undefined,
                   headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) {
          if (input.value !== text) return;
          var shown = (body.completions || (body.suggestions || []).map(function (s) { return { text: s, typed: 0 }; }))
            .filter(function (c) { return c.text !== text; });
          render(shown.map(function (c) { return c.text; }), shown.map(function (c) { return c.typed; }));
        })
        .catch(function () { /* aborted or offline: the search itself still works */ });
    }

    function choose(index) {
      input.value = items[index];
      lastAsked = input.value;
      close();
      if (options.onChoose) options.onChoose(input.value);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      switch (event.key) {
        case "ArrowDown":
        case "Down":
          if (!items.length) return;
          event.preventDefault();
          if (!expanded) { open(); highlight(event.altKey ? -1 : 0); return; }
          highlight(active + 1 >= items.length ? 0 : active + 1);
          break;
        case "ArrowUp":
        case "Up":
          if (!items.length) return;
          event.preventDefault();
          if (!expanded) { open(); highlight(items.length - 1); return; }
          highlight(active <= 0 ? items.length - 1 : active - 1);
          break;
        case "Enter":
          if (expanded && active >= 0) {
            input.value = items[active];
            lastAsked = input.value;
          }
          close();
          // The form submits as usual, with the chosen words.
          break;
        case "Escape":
        case "Esc":
          if (expanded) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () { close(); });
    input.addEventListener("focus", function () { if (items.length && input.value === lastAsked) open(); });
    // Keep the focus in the input while the mouse picks an option.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest ? event.target.closest("[role=option]") : event.target;
      if (!option || option.parentNode !== list) return;
      choose(Array.prototype.indexOf.call(list.children, option));
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest ? event.target.closest("[role=option]") : null;
      if (option && option.parentNode === list) highlight(Array.prototype.indexOf.call(list.children, option));
    });

    return { close: close, list: list };
  }

  window.sotehaku = window.sotehaku || {};
  window.sotehaku.suggestions = suggestions;
})();
