/* The agent console: the agent socket (/ws/agent/, session auth) for live state and actions, and
 * the REST API for transcripts, the contact panel and search. Text is only ever set as
 * textContent (search highlights are built from segments with <mark> elements), never as HTML.
 * Each module adds its functions to `app` and reaches the others only through it; this one reads
 * the page's data, loads the page language's texts, and wires the page's controls. */

import { $ } from "../shared/dom.js";
import { activate, gettext } from "../shared/i18n.js";
import "../shared/submit-on-change.js"; // the language menu switches on change (no inline handler under the CSP)
import { actions } from "./actions.js";
import { activity } from "./activity.js";
import { alerts } from "./alerts.js";
import { connection } from "./connection.js";
import { contact } from "./contact.js";
import { composer } from "./composer.js";
import { detail } from "./detail.js";
import { autoAway, keyboard } from "./keyboard.js";
import { lists } from "./lists.js";
import { search } from "./search.js";
import { suggestions } from "./suggestions.js";
import { conversations, createState } from "./state.js";

const data = (id) => JSON.parse($(id).textContent);
const language = String(data("hd-language") || document.documentElement.lang || "en").toLowerCase();
await activate(language, `/jsi18n/console/${language}.json`);

const app = {
  me: {
    id: data("hd-agent-id"),
    name: data("hd-agent-name"),
    capacity: data("hd-agent-capacity"),
    manager: data("hd-manager"),
    colleagues: data("hd-colleagues"), // [{id, username, name}]: who a note can @mention
    settings: data("hd-settings"),
  },
  baseTitle: document.title,
  readOnly: data("hd-read-only"), // a manager who is not an agent: no socket, no actions
  greeted: false, // the current socket said hello
};
app.state = createState(data("hd-agent-availability"));
const { state } = app;
Object.assign(app, conversations(app), alerts(app), connection(app), actions(app), composer(app));
Object.assign(app, lists(app), detail(app), contact(app), activity(app), search(app), suggestions(app));
app.render = (scroll) => {
  app.renderLists();
  app.renderDetail(scroll);
  app.markRead();
  app.refreshSuggestions();
};
keyboard(app);
const away = autoAway(app);

// --- the page's controls ---------------------------------------------------------------------

$("claim").addEventListener("click", () => app.act("conversation.claim"));
$("accept").addEventListener("click", () => app.act("conversation.accept"));
$("pending").addEventListener("click", () => app.act("conversation.pending", { pending: true }));
$("unpend").addEventListener("click", () => app.act("conversation.pending", { pending: false }));
$("priority").addEventListener("change", (event) => app.act("conversation.priority", { priority: Number(event.target.value) }));
$("resolve").addEventListener("click", () => app.act("conversation.resolve"));
$("reopen").addEventListener("click", () => app.act("conversation.reopen"));
$("transfer").addEventListener("submit", (event) => {
  event.preventDefault();
  const [kind, id] = $("transfer-target").value.split(":");
  if (!id) return;
  const note = $("transfer-note").value.trim();
  app.act("conversation.transfer", { [kind === "team" ? "team" : "agent"]: Number(id), ...(note ? { note } : {}) });
  $("transfer-note").value = "";
});
$("assign").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = Number($("assign-target").value);
  if (id) app.act("conversation.assign", { agent: id });
});
$("tag-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const c = state.selected && state.conversations.get(state.selected);
  const name = $("tag-input").value.trim().toLowerCase();
  if (!c || !name) return;
  app.act("conversation.tags", { tags: [...new Set([...(c.tags || []), name])] });
  $("tag-input").value = "";
});
$("availability").addEventListener("change", (event) => {
  away.chosen();
  if (!app.send({ type: "availability.set", availability: event.target.value }, { kind: "action" })) {
    app.notify(gettext("Disconnected. Reconnecting…"), "error");
  }
});
app.wireComposer();
for (const tab of document.querySelectorAll(".tabs .tab")) {
  tab.addEventListener("click", () => {
    state.view = tab.dataset.view;
    for (const other of document.querySelectorAll(".tabs .tab")) other.setAttribute("aria-selected", String(other === tab));
    app.render();
  });
}
for (const id of ["filter-status", "filter-inbox", "filter-team", "filter-tag", "filter-priority", "sort"]) $(id).addEventListener("change", () => app.render());
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  app.search($("search-q").value);
});
$("search-close").addEventListener("click", () => {
  $("search-panel").hidden = true;
  app.render();
});
$("help-open").addEventListener("click", () => $("help").showModal());
$("notice-close").addEventListener("click", app.clearNotice);
document.addEventListener("visibilitychange", () => app.render());
document.addEventListener("pointerdown", app.askForNotifications, { once: true });
document.addEventListener("keydown", app.askForNotifications, { once: true });
addEventListener("online", () => app.socket.ws || app.socket.connect());

// Names in the pickers, in the page's language.
for (const option of document.querySelectorAll("#transfer-target option[data-name]")) app.labelAgent(option.value.split(":")[1], option.dataset.availability);
for (const option of document.querySelectorAll("#transfer-target option[data-team]")) option.textContent = gettext("%(name)s team", { name: option.dataset.team });
if (!app.me.manager && state.view === "all") state.view = "team";

// /console/c/<id>/ opens that conversation (the reports link there); read-only, without the socket.
const opening = data("hd-open");
if (app.readOnly) {
  $("connection").dataset.state = "read-only";
  $("connection").textContent = gettext("Read only");
} else {
  app.socket.connect();
}
if (opening) app.open(opening);
app.render();
