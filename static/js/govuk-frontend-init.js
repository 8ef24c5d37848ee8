// Starts GOV.UK Frontend's components. A module file rather than an inline script, so that the
// Content Security Policy allows scripts from the site itself only. The bundle's URL comes from
// the script element (data-govuk-frontend, written by {% static %}) so it is the hashed name in
// production, where only hashed static files are kept.
const script = document.querySelector("script[data-govuk-frontend]");
import(script.dataset.govukFrontend).then(function (govukFrontend) {
  govukFrontend.initAll();
});
