// The Help tab: searches the help centre's published articles as the visitor types. Loaded on
// first use (a dynamic import in actions.js), so it is not part of the widget's first download.

import { el } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";

const CSS = ".help .q{font:inherit;padding:8px 10px;border:1px solid #cfd6e4;border-radius:10px}.help ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}.help li{background:#fff;border:1px solid #e2e6ef;border-radius:10px;padding:8px 10px}.help a{color:#1d3bb3;font-weight:600}.help li p{margin:4px 0 0;color:#4a5366;font-size:13px}";

export function mount(app) {
  const { state, ui } = app;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    ui.root.adoptedStyleSheets = [...ui.root.adoptedStyleSheets, sheet];
  } catch {
    ui.root.append(el("style", { text: CSS }));
  }
  const back = el("button", { class: "link", type: "button", onclick: () => ((state.view = "chat"), app.draw(), ui.input.focus()) });
  const input = el("input", { class: "q", type: "search", maxlength: "300", oninput: () => (clearTimeout(timer), (timer = setTimeout(search, 250))) });
  const status = el("p", { role: "status" });
  const list = el("ul", {});
  ui.help = el("div", { class: "card help", hidden: "" }, back, input, status, list);
  ui.hist.after(ui.help);

  let timer = 0;
  let asked = 0;
  async function search() {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) return list.replaceChildren(), (status.textContent = "");
    const locale = app.locale === "zh-Hans" ? "zh-hans" : "en";
    let results = [];
    try {
      const response = await fetch(app.config.apiUrl + "articles/search/?q=" + encodeURIComponent(q) + "&locale=" + locale);
      if (response.ok) results = (await response.json()).results;
    } catch {
      /* offline: say nothing was found */
    }
    if (mine !== asked) return; // a newer search is under way
    status.textContent = results.length ? "" : gettext("No articles found.");
    list.replaceChildren(...results.map((a) => el("li", {}, el("a", { href: a.url, target: "_blank", rel: "noopener", text: a.title }), el("p", { text: a.snippet }))));
  }

  // Its texts, in the widget's language (again when the visitor switches).
  function labels() {
    back.textContent = "← " + gettext("Back to the chat");
    input.placeholder = gettext("Search our help centre");
    input.setAttribute("aria-label", gettext("Search our help centre"));
    if (input.value.trim()) search();
  }
  const relabel = app.labels;
  app.labels = () => (relabel(), labels());
  labels();
}
