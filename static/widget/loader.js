/*! Helpdesk chat widget: <script async src="https://HELPDESK/static/widget/loader.js" data-inbox="KEY">
 * A small loader at a stable address: it queues window.Helpdesk calls and loads the widget's
 * modules from its own origin. See docs/widget.md. */
(() => {
  "use strict";

  const script =
    document.currentScript ||
    [...document.querySelectorAll("script[data-inbox]")].find((s) => /\/widget\/loader(\.\w+)?\.js/.test(s.src));
  const early = window.Helpdesk; // calls queued by the host page before this script ran: {q: [[name, args]]}
  if (!script || (early && (!Array.isArray(early.q) || early.loading))) return; // not ours, or loaded already

  const queued = (early && early.q) || [];
  const stub = { q: queued, loading: true };
  for (const name of ["open", "close", "setUser", "setAttributes", "setLocale", "on"]) stub[name] = (...args) => void queued.push([name, args]);
  window.Helpdesk = stub;

  const config = {
    inbox: script.getAttribute("data-inbox") || "",
    origin: new URL(script.src, location.href).origin,
    dataLocale: script.getAttribute("data-locale"),
  };
  // Beside this script (a script from another origin has no base URL for a relative import);
  // collectstatic points it at the hashed file.
  import(new URL("./app.js", script.src).href)
    .then((widget) => widget.start(config, queued))
    .catch((error) => console.error("The helpdesk widget could not start:", error));
})();
