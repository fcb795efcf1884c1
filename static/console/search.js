/* Transcript search: hits with their highlights, built from text segments (never HTML). */

import { $, el } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";
import { getJSON } from "./actions.js";
import { dateTime, statusName } from "./format.js";

export function search(app) {
  function hit(found) {
    const { conversation, message } = found;
    const excerpt = el("p", { class: "excerpt" + (message.is_private ? " note" : "") });
    for (const segment of found.highlight) excerpt.append(segment.match ? el("mark", { text: segment.text }) : document.createTextNode(segment.text));
    const head = `#${conversation.number} ${conversation.contact.display_name} · ${conversation.inbox.name} · ${statusName(conversation.status)}`;
    const who = `${message.sender.name || message.sender.kind} · ${dateTime(message.created_at)}${message.is_private ? " · " + gettext("Private note") : ""}`;
    return el(
      "li",
      { "data-conversation": conversation.id },
      el("button", { type: "button", class: "hit", onclick: () => app.open(conversation.id) }, el("strong", { text: head }), el("span", { class: "meta", text: who }), excerpt),
    );
  }

  async function run(q) {
    $("search-panel").hidden = false;
    app.render();
    const status = $("search-status");
    if (q.trim().length < 2) {
      status.textContent = gettext("Type at least two characters.");
      $("search-results").replaceChildren();
      return;
    }
    status.textContent = gettext("Searching…");
    let page;
    try {
      page = await getJSON(`/api/search/?q=${encodeURIComponent(q)}`);
    } catch (error) {
      status.textContent = gettext("The search failed (%(status)s).", { status: error.message });
      return;
    }
    status.textContent = page.results.length
      ? gettext("%(count)s matches for “%(q)s”.", { count: page.results.length, q })
      : gettext("No transcript matches “%(q)s”.", { q });
    $("search-results").replaceChildren(...page.results.map(hit));
  }

  return { search: run };
}
