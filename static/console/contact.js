/* The contact panel: who the visitor is, the page they are on, their attributes, and their
 * earlier conversations (each opens in the console). */

import { $, el } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";
import { getJSON } from "./actions.js";
import { dateTime, safeUrl, statusName } from "./format.js";

export function contact(app) {
  const { state } = app;

  async function loadContact(id) {
    $("contact-history").replaceChildren();
    let profile;
    try {
      profile = await getJSON(`/api/conversations/${encodeURIComponent(id)}/contact/`);
    } catch {
      return;
    }
    if (state.selected !== id) return;
    const c = state.conversations.get(id) || {};
    const context = c.context || {};
    $("contact-name").textContent = profile.display_name;
    $("contact-verified").hidden = !profile.verified;
    $("contact-email").textContent = profile.email || "";
    const facts = [];
    const fact = (label, value, link, text) => {
      if (!value) return;
      const href = link ? safeUrl(value) : null;
      const shown = String(text || value);
      const node = href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: shown }) : document.createTextNode(shown);
      facts.push(el("dt", { text: label }), el("dd", {}, node));
    };
    fact(gettext("Current page"), context.url, true, context.title);
    fact(gettext("Referrer"), context.referrer, true);
    fact(gettext("Browser"), context.user_agent || (profile.attributes && profile.attributes.browser), false);
    fact(gettext("Language"), context.language, false);
    for (const [key, value] of Object.entries(profile.attributes || {})) {
      if (key !== "browser") fact(key, typeof value === "object" ? JSON.stringify(value) : String(value), false);
    }
    fact(gettext("First seen"), dateTime(profile.created_at), false);
    fact(gettext("Last seen"), dateTime(profile.last_seen_at), false);
    $("contact-facts").replaceChildren(...facts);
    const history = profile.conversations.map((h) => {
      const label = [`#${h.number}`, statusName(h.status), dateTime(h.created_at)];
      if (h.rating) label.push(gettext("rated %(score)s/5", { score: h.rating.score }));
      if (h.id === id) label.push(`(${gettext("this conversation")})`);
      const row = el("li", { class: h.id === id ? "current" : "" }, el("button", { type: "button", class: "link", text: label.join(" · "), onclick: () => app.open(h.id) }));
      if (h.rating && h.rating.comment) row.append(el("q", { text: h.rating.comment }));
      return row;
    });
    $("contact-history").replaceChildren(...(history.length ? history : [el("li", { class: "meta", text: gettext("No earlier conversations.") })]));
  }

  return { loadContact };
}
