/* The composer: replies and private notes (with typing notices), attachments, canned responses
 * after "/", @mentions of colleagues in a note, and the emoji panel. */

import { $, el, uuid } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";

const EMOJI = "😀 😄 😉 😊 🙂 🙏 👍 👋 🎉 ❤️ 😅 🤔 😢 😮 👀 ✅ ❌ ⭐ 📦 🚚 💳 📧 ⏳ 🔧".split(" ");

export function composer(app) {
  const { state } = app;
  const box = () => $("composer-text");

  function submit(attachment) {
    const text = attachment ? "" : box().value;
    if ((!text.trim() && !attachment) || !state.selected) return;
    const isNote = $("private").checked;
    const frame = { type: isNote ? "note.add" : "message.send", conversation: state.selected, text, client_id: uuid() };
    if (attachment) frame.attachments = [attachment.id];
    if (!isNote && !attachment && app.suggestionSent) app.suggestionSent(state.selected, text);
    state.pending.set(frame.client_id, { frame });
    app.send(frame, { kind: "message", clientId: frame.client_id }); // else sent again after the reconnect
    if (attachment) return app.render(true);
    box().value = "";
    closeCanned();
    stopTyping();
    app.render(true);
  }

  let typingAt = 0;
  let typingIn = null;
  let typingTimer = 0;
  function typed() {
    if (!state.selected || $("private").checked) return; // a private note is not announced to the visitor
    const c = state.conversations.get(state.selected);
    if (!c || !app.isMine(c) || box().value.startsWith("/")) return;
    const now = Date.now();
    if (now - typingAt > 3000 || typingIn !== state.selected) {
      typingAt = now;
      typingIn = state.selected;
      app.send({ type: "typing", conversation: typingIn, is_typing: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  }
  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingIn) app.send({ type: "typing", conversation: typingIn, is_typing: false });
    typingIn = null;
    typingAt = 0;
  }

  function markRead() {
    const c = state.selected && state.conversations.get(state.selected);
    const tr = app.current();
    if (!c || !tr || !tr.loaded || document.visibilityState !== "visible") return;
    const last = tr.messages.length ? tr.messages[tr.messages.length - 1].seq : 0;
    if (last <= tr.readSent) return;
    if (app.send({ type: "read", conversation: c.id, seq: last })) tr.readSent = last;
  }

  // Attachments: upload over REST, then send a message that carries the file.
  async function attach(file) {
    const id = state.selected;
    if (!file || !id) return;
    const body = new FormData();
    body.append("file", file);
    const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    const response = await fetch(`/api/conversations/${encodeURIComponent(id)}/attachments/`, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body,
    });
    if (!response.ok) {
      let message = String(response.status);
      try {
        message = (await response.json()).error.message || message;
      } catch {
        /* not JSON */
      }
      app.notify(gettext("The file could not be sent (%(status)s).", { status: message }), "error");
      return;
    }
    const attachment = await response.json();
    if (state.selected === id) submit(attachment);
  }

  // --- the menu over the composer: canned responses after "/", colleagues after "@" in a note ---

  let choices = [];
  let chosen = 0;
  // Canned responses as the server expanded them for a conversation ("<id>|<code>" -> the
  // `canned.expanded` frame): the preview shows one, and picking it inserts that very text.
  const expansions = new Map();
  function cannedQuery() {
    const match = /^\/([\w-]*)$/.exec(box().value);
    return match ? match[1].toLowerCase() : null;
  }
  // "@na" before the caret in a private note: the handle being typed, and where it starts.
  function mentionQuery() {
    const before = box().value.slice(0, box().selectionStart);
    const match = /(?:^|\s)@([\w.+-]*)$/.exec(before);
    return match ? { query: match[1].toLowerCase(), start: before.length - match[1].length - 1, end: box().selectionStart } : null;
  }
  function insertMention(username, at) {
    box().setRangeText(`@${username} `, at.start, at.end, "end");
    closeCanned();
    box().focus();
  }
  function updateCanned() {
    const c = state.selected && state.conversations.get(state.selected);
    const menu = $("canned-menu");
    if (!c) return closeCanned();
    const code = cannedQuery();
    const mention = $("private").checked ? mentionQuery() : null;
    let empty = "";
    if (code !== null) {
      const inbox = c.inbox && c.inbox.id;
      choices = state.canned
        .filter((r) => r.short_code.startsWith(code) && (r.inbox === null || r.inbox === inbox))
        .map((r) => ({ label: "/" + r.short_code, detail: r.title, code: r.short_code, pick: () => expandCanned(r.short_code) }));
      empty = gettext("No canned response starts with “/%(code)s”.", { code });
    } else if (mention) {
      const q = mention.query;
      choices = app.me.colleagues
        .filter((u) => u.username.toLowerCase().startsWith(q) || u.name.toLowerCase().includes(q))
        .slice(0, 8)
        .map((u) => ({ label: "@" + u.username, detail: u.name, pick: () => insertMention(u.username, mention) }));
      if (!choices.length) return closeCanned();
    } else {
      return closeCanned();
    }
    chosen = Math.min(chosen, Math.max(0, choices.length - 1));
    if (!choices.length) {
      menu.replaceChildren(el("li", { class: "canned-none", text: empty }));
    } else {
      menu.replaceChildren(
        ...choices.map((choice, i) =>
          el(
            "li",
            { role: "option", class: "canned-item", "aria-selected": String(i === chosen), onmousedown: (e) => (e.preventDefault(), choice.pick()) },
            el("strong", { text: choice.label }),
            el("span", { text: choice.detail || "" }),
          ),
        ),
      );
    }
    menu.hidden = false;
    showPreview();
  }
  function closeCanned() {
    $("canned-menu").hidden = true;
    $("canned-preview").hidden = true;
    choices = [];
    chosen = 0;
  }

  // The preview of the chosen canned response: the text exactly as it will land in the composer,
  // with a warning for a variable that has no value and no fallback ("Hi , ...").
  function showPreview() {
    const preview = $("canned-preview");
    const code = choices[chosen] && choices[chosen].code;
    if (!code || !state.selected) return (preview.hidden = true);
    const key = `${state.selected}|${code}`;
    const expanded = expansions.get(key);
    if (!expanded) {
      expansions.set(key, null); // asked once; the reply renders it
      app.send({ type: "canned.expand", conversation: state.selected, short_code: code }, { kind: "canned-preview", key });
    }
    const warnings = expanded ? cannedWarnings(expanded) : [];
    preview.replaceChildren(
      el("span", { class: "canned-preview-label", text: gettext("Preview") }),
      el("p", { class: "canned-preview-text", text: expanded ? expanded.text : gettext("Loading…") }),
      ...warnings.map((text) => el("p", { class: "canned-warning", text })),
    );
    preview.hidden = false;
  }
  function cannedWarnings(expanded) {
    const warnings = (expanded.missing || []).map((name) =>
      gettext("No value for %(variable)s: it is left empty. A fallback fills it: %(example)s", { variable: `{{${name}}}`, example: `{{${name}|…}}` }),
    );
    for (const name of expanded.unknown || []) warnings.push(gettext("%(variable)s is not a variable: it stays as written.", { variable: `{{${name}}}` }));
    return warnings;
  }
  function expandCanned(code) {
    if (!state.selected) return;
    const expanded = expansions.get(`${state.selected}|${code}`);
    if (expanded) return insertCanned(expanded);
    app.send({ type: "canned.expand", conversation: state.selected, short_code: code }, { kind: "canned-insert" });
  }
  function insertCanned(expanded) {
    if (expanded.conversation !== state.selected) return;
    const warnings = cannedWarnings(expanded);
    box().value = expanded.text;
    box().focus();
    box().setSelectionRange(box().value.length, box().value.length);
    closeCanned();
    if (warnings.length) app.notify(warnings.join(" "), "info");
  }
  // A `canned.expanded` reply: for the preview (kept, and shown if still chosen) or to insert.
  function cannedExpanded(frame, meta) {
    if (meta && meta.kind === "canned-preview") {
      expansions.set(meta.key, frame);
      if (!$("canned-menu").hidden) showPreview();
    } else {
      insertCanned(frame);
    }
  }
  // Variables follow the conversation (the contact may tell its name meanwhile): ask again.
  const forgetExpansions = (id) => {
    for (const key of expansions.keys()) if (key.startsWith(id + "|")) expansions.delete(key);
  };

  // The composer's keys: the menu's arrows, Enter and Tab, Escape; Enter sends, Shift+Enter is a new line.
  function keydown(event) {
    const menuOpen = !$("canned-menu").hidden;
    if (menuOpen && (event.key === "ArrowDown" || event.key === "ArrowUp") && choices.length) {
      event.preventDefault();
      chosen = (chosen + (event.key === "ArrowDown" ? 1 : -1) + choices.length) % choices.length;
      updateCanned();
      return;
    }
    if (menuOpen && event.key === "Escape") {
      event.preventDefault();
      closeCanned();
      return;
    }
    if (menuOpen && (event.key === "Enter" || event.key === "Tab") && !event.shiftKey && choices.length) {
      event.preventDefault();
      choices[chosen].pick();
      return;
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  function wire() {
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    $("attach").addEventListener("change", (event) => {
      const [file] = event.target.files;
      event.target.value = "";
      attach(file);
    });
    $("attach-label").hidden = false;
    box().addEventListener("keydown", keydown);
    box().addEventListener("input", () => {
      updateCanned();
      typed();
    });
    box().addEventListener("blur", () => {
      stopTyping();
      setTimeout(closeCanned, 150);
    });
    $("private").addEventListener("change", () => {
      if ($("private").checked) stopTyping();
      app.render();
    });
    const insert = (symbol) => {
      const at = box().selectionStart ?? box().value.length;
      box().setRangeText(symbol, at, box().selectionEnd ?? at, "end");
      box().focus();
    };
    $("emoji-panel").append(...EMOJI.map((symbol) => el("button", { type: "button", class: "emoji", text: symbol, onclick: () => insert(symbol) })));
    $("emoji-open").addEventListener("click", () => {
      const panel = $("emoji-panel");
      panel.hidden = !panel.hidden;
      $("emoji-open").setAttribute("aria-expanded", String(!panel.hidden));
    });
  }

  return { submit, stopTyping, markRead, closeCanned, cannedExpanded, forgetExpansions, wireComposer: wire };
}
