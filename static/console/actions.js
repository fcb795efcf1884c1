/* Opening conversations (transcripts over REST, then kept in sync by the socket) and acting on
 * the selected one. */

import { $ } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";

export async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

export function actions(app) {
  const { state } = app;

  function select(id) {
    if (!id) return;
    if (!$("search-panel").hidden) {
      $("search-panel").hidden = true;
      if (state.selected === id) return app.render(true);
    }
    if (state.selected === id) return;
    app.stopTyping();
    app.closeCanned();
    state.selected = id;
    state.typing = null;
    state.unread.delete(id);
    state.mentioned.delete(id);
    app.markMentionsSeen(id);
    const tr = app.transcript(id);
    if (!tr.loaded && !tr.loading) load(id);
    else app.sync(id);
    app.loadContact(id);
    app.loadActivity(id);
    // The address names the open conversation, so a reload or a shared link opens it again.
    history.replaceState(null, "", `/console/c/${encodeURIComponent(id)}/`);
    app.render(true);
  }

  async function load(id) {
    const tr = app.transcript(id);
    tr.loading = true;
    tr.loadError = "";
    let after = 0;
    try {
      for (;;) {
        const page = await getJSON(`/api/conversations/${encodeURIComponent(id)}/messages/?after_seq=${after}&limit=200`);
        page.results.forEach(app.addMessage);
        if (!page.has_more || !page.results.length) break;
        after = page.results[page.results.length - 1].seq;
      }
      tr.loaded = true;
      tr.loading = false;
      const c = state.conversations.get(id);
      const newest = tr.messages.length ? tr.messages[tr.messages.length - 1].seq : 0;
      if (Math.max(newest, (c && c.last_seq) || 0) > tr.lastSeq) app.sync(id); // fill a gap left while loading
    } catch (error) {
      tr.loading = false;
      tr.loadError = gettext("The transcript could not be loaded (%(status)s).", { status: error.message });
    }
    if (state.selected === id) app.render(true);
  }

  // Open a conversation that may not be in the lists (a search hit, an earlier conversation).
  async function open(id) {
    if (!state.conversations.has(id)) {
      try {
        app.upsert(await getJSON(`/api/conversations/${encodeURIComponent(id)}/`));
      } catch (error) {
        app.notify(gettext("The transcript could not be loaded (%(status)s).", { status: error.message }), "error");
        return;
      }
    }
    select(id);
  }

  function act(type, extra) {
    if (!state.selected || app.readOnly) return;
    if (!app.send({ type, conversation: state.selected, ...extra }, { kind: "action" })) app.notify(gettext("Disconnected. Reconnecting…"), "error");
  }

  // Turn an agent's answer into a draft article of the knowledge base (edited and published in the admin).
  async function draftArticle(conversation, message) {
    const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    try {
      const response = await fetch(`/api/conversations/${encodeURIComponent(conversation)}/article-draft/`, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify({ message_id: message }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const article = await response.json();
      app.notify(gettext("Draft article “%(title)s” saved: edit and publish it in the admin.", { title: article.title }), "info");
    } catch (error) {
      app.notify(gettext("The draft article could not be saved (%(status)s).", { status: error.message }), "error");
    }
  }

  return { select, open, act, draftArticle };
}
