/* Suggested replies for the visitor's latest message: up to three, above the composer, and the
 * described tags the conversation seems to need (one click adds one). Alt+1,
 * Alt+2 or Alt+3 (or a click) puts one into the composer for editing; nothing is sent without
 * the agent. The server records what was shown; this module tells it what was used and whether
 * the text was edited before it was sent. Computed on the server's assistant thread, fetched
 * over REST only when the latest visitor message changes. */

import { $, el } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";

const KIND = { canned: () => gettext("Canned"), article: () => gettext("Article"), reply: () => gettext("Past reply") };

export function suggestions(app) {
  const { state } = app;
  const shown = new Map(); // conversation id -> {message, items}
  let asked = ""; // "<conversation>|<message>" last requested
  let retryAt = 0; // after a failed request
  let inserted = null; // {conversation, id, text}: the suggestion now in the composer

  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function post(id, body) {
    return fetch(`/api/assist/suggestions/${encodeURIComponent(id)}/`, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body),
    }).catch(() => {});
  }

  function latestVisitorMessage() {
    const tr = app.current();
    if (!tr || !tr.loaded) return null;
    for (let i = tr.messages.length - 1; i >= 0; i--) {
      const m = tr.messages[i];
      if (m.sender && m.sender.kind === "contact" && !m.is_private) return m.id;
    }
    return null;
  }

  async function refresh() {
    const id = state.selected;
    const c = id && state.conversations.get(id);
    const message = c && c.status !== "resolved" && !app.readOnly ? latestVisitorMessage() : null;
    if (!message) return draw();
    const key = `${id}|${message}`;
    if (key === asked || Date.now() < retryAt) return draw();
    asked = key;
    try {
      const response = await fetch(`/api/assist/conversations/${encodeURIComponent(id)}/suggestions/`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      shown.set(id, { message: data.message, items: data.suggestions || [], tags: data.tags || [] });
    } catch {
      asked = ""; // try again at a render after a pause, not at every one
      retryAt = Date.now() + 30000;
      shown.delete(id);
    }
    draw();
  }

  function draw() {
    const bar = $("suggestions");
    if (!bar) return;
    const entry = state.selected && shown.get(state.selected);
    const items = (entry && entry.items) || [];
    const c = state.conversations.get(state.selected);
    const tags = ((entry && entry.tags) || []).filter((t) => !(c && (c.tags || []).includes(t.name)));
    if (!items.length && !tags.length) {
      bar.hidden = true;
      bar.replaceChildren();
      return;
    }
    bar.hidden = false;
    bar.replaceChildren(
      el("span", { class: "suggestions-label", text: gettext("Suggested") }),
      ...items.map((s, i) =>
        el(
          "button",
          { type: "button", class: "suggestion", title: s.text, "aria-keyshortcuts": `Alt+${i + 1}`, onclick: () => use(i) },
          el("kbd", { text: String(i + 1) }),
          el("span", { class: "suggestion-kind", text: (KIND[s.kind] || (() => s.kind))() }),
          el("span", { class: "suggestion-text", text: s.title || s.text }),
        ),
      ),
      ...tags.map((t) =>
        el("button", { type: "button", class: "suggestion suggested-tag", title: gettext("Add this tag"), onclick: () => addTag(t) }, el("span", { text: "+ " + t.name })),
      ),
    );
  }

  // One click adds a suggested tag (the agent confirms it by clicking); it is recorded as used.
  function addTag(t) {
    const c = state.selected && state.conversations.get(state.selected);
    if (!c) return;
    app.act("conversation.tags", { tags: [...new Set([...(c.tags || []), t.name])] });
    post(t.id, { event: "used" });
  }

  function use(i) {
    const id = state.selected;
    const entry = id && shown.get(id);
    const s = entry && entry.items[i];
    if (!s) return false;
    const box = $("composer-text");
    box.value = s.text;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    inserted = { conversation: id, id: s.id, text: s.text };
    post(s.id, { event: "used" });
    return true;
  }

  // Called by the composer just before it sends a reply.
  function beforeSend(conversation, text) {
    if (!inserted || inserted.conversation !== conversation) return;
    post(inserted.id, { event: "sent", edited: text.trim() !== inserted.text.trim() });
    inserted = null;
  }

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const n = { Digit1: 0, Digit2: 1, Digit3: 2 }[event.code];
    if (n !== undefined && use(n)) event.preventDefault();
  });

  return { refreshSuggestions: refresh, suggestionSent: beforeSend, useSuggestion: use };
}
