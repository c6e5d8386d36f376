/* Swagger UI on the API documentation page, reading the app's own /openapi.json (no inline script: the
 * page's Content-Security-Policy allows this server's script files only). */
(function () {
  "use strict";
  function setup() {
    var target = document.getElementById("swagger-ui");
    if (!target || !window.SwaggerUIBundle) return;
    window.SwaggerUIBundle({ url: target.getAttribute("data-spec"), dom_id: "#swagger-ui", deepLinking: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
