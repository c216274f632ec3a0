// Accessible names for two of the theme's header buttons, so that each name contains the
// text the button shows (WCAG 2.1, 2.5.3 "Label in Name"; axe-core's
// label-content-name-mismatch, checked by tests/book/test_browser.py). These buttons are
// drawn by pydata-sphinx-theme's templates, so the fix is made here, on the page, and only
// where the theme's own label leaves the shown text out.
(function () {
  "use strict";

  function shownText(element) {
    // What a sighted reader sees: text, or the title of the one icon shown.
    var visible = Array.prototype.filter.call(element.querySelectorAll("[title]"), function (e) {
      return e.getClientRects().length > 0;
    });
    return visible.map(function (e) { return e.title; }).join(" ") || element.textContent.trim();
  }

  function nameButtons() {
    // The search field shows "Search Ctrl+K"; its label "Search" left the shortcut out.
    // Without aria-label its name is what it shows (its title still says "Search").
    document.querySelectorAll("button.search-button-field[aria-label]").forEach(function (b) {
      if (b.textContent.trim()) b.removeAttribute("aria-label");
    });
    // The colour-mode switch shows the icon of the current mode, titled "Light", "Dark" or
    // "System Settings"; its label "Color mode" named none of them.
    document.querySelectorAll("button.theme-switch-button").forEach(function (b) {
      var shown = shownText(b);
      if (shown) b.setAttribute("aria-label", "Color mode: " + shown);
    });
  }

  function start() {
    nameButtons();
    // The switch cycles the mode by changing <html data-mode>; keep its name in step.
    new MutationObserver(nameButtons).observe(document.documentElement,
      { attributes: true, attributeFilter: ["data-mode", "data-theme"] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
