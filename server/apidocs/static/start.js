// Starts Swagger UI on the spec URL the page names (kept out of the HTML for the CSP).
const root = document.getElementById('swagger-ui');
window.ui = window.SwaggerUIBundle({
  url: root.dataset.specUrl,
  domNode: root,
  deepLinking: true,
  // No calls to the public validator service: the page makes no external request.
  validatorUrl: null,
});
