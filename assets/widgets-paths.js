// The ipywidgets HTML manager finds its own files (icon fonts) through require.js, by
// the module name "@jupyter-widgets/html-manager/dist/...", which require.js would
// resolve next to the page. Map that name to the copy this site serves, found from this
// script's own address so it works at any page depth, on a server or from file://.
(function () {
  "use strict";
  var here = document.currentScript.src;
  var vendor = here.slice(0, here.lastIndexOf("/") + 1) + "vendor/html-manager";
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": vendor } });
})();
