/* Drawing the state into the panel: the launcher and its unread badge, the status line, the
 * transcript (entries built once per message and reused), the rating, the history list. Drawing
 * is batched: render() asks for a draw on the next tick, draw() does it now. */

import { el } from "../shared/dom.js";
import { gettext, gettext_noop } from "../shared/i18n.js";
import { size } from "./api.js";
import { isActive } from "./conversation.js";
import { icon } from "./icons.js";
import { defaultText } from "./locale.js";

// How the visitor's list of past conversations names each status.
const STATUS = { waiting: gettext_noop("waiting"), open: gettext_noop("open"), pending: gettext_noop("open"), resolved: gettext_noop("resolved") };

const initials = (name) => name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join("");

export function drawing(app) {
  const { state, ui } = app;

  // Files of a message: image previews (fetched with the token, shown from a blob: URL) and downloads.
  function files(list) {
    if (!list || !list.length) return null;
    return el(
      "div",
      { class: "files" },
      ...list.map((a) => {
        const label = gettext("File %(name)s (%(size)s)", { name: a.name, size: size(a.size) });
        const button = el("button", { class: "file", type: "button", text: a.is_image ? "" : a.name, "aria-label": label, onclick: () => app.blobUrl(a.id).then((url) => app.save(url, a.name)) });
        if (!a.is_image) button.prepend(icon("file"));
        if (a.is_image) {
          const img = el("img", { alt: a.name, width: a.width && Math.min(a.width, 220), loading: "lazy" });
          app.blobUrl(a.id).then((url) => (img.src = url), () => (img.alt = a.name + " ✕"));
          button.append(img);
          button.classList.add("pic");
        }
        return button;
      }),
    );
  }

  // Transcript entries are built once per key and reused while their look is unchanged.
  const nodes = new Map();
  function bubble(key, cls, who, text, meta, attachments) {
    const sig = cls + "|" + (meta || "") + "|" + who;
    const known = nodes.get(key);
    if (known && known.sig === sig) return known.node;
    const li = el("li", { class: "m " + cls });
    if (who) li.append(el("span", { class: "who", text: who }));
    if (text || !attachments || !attachments.length) li.append(el("p", { text }));
    const box = files(attachments);
    if (box) li.append(box);
    if (meta) li.append(el("span", { class: "meta", text: meta }));
    nodes.set(key, { sig, node: li });
    return li;
  }

  function statusLine() {
    const c = state.conversation;
    if (!state.ready) {
      if (app.socket.attempt > 0) return state.wasReady ? gettext("Connection lost. Reconnecting…") : gettext("Cannot reach the chat right now. Retrying…");
      return app.socket.ws ? gettext("Connecting…") : "";
    }
    if (!c || !c.status) return "";
    if (c.status === "waiting") {
      if (!c.queue_position) return gettext("Waiting for an agent to join…");
      const line = gettext("You are number %(position)s of %(waiting)s in the queue.", { position: c.queue_position, waiting: c.queue_length || c.queue_position });
      const wait = c.estimated_wait_seconds;
      return typeof wait === "number" && wait >= 60 ? line + " " + gettext("About %(minutes)s min.", { minutes: Math.round(wait / 60) }) : line;
    }
    if (c.status === "resolved") return gettext("This conversation is resolved. Write again to start a new one.");
    return c.assignee && c.assignee.name ? gettext("You are chatting with %(name)s.", { name: c.assignee.name }) : "";
  }

  let renderTimer = 0;
  let scrollWanted = false;
  function render(scroll) {
    scrollWanted = scrollWanted || scroll === true;
    if (!renderTimer) renderTimer = setTimeout(draw, 0);
  }

  function draw() {
    clearTimeout(renderTimer);
    renderTimer = 0;
    const scroll = scrollWanted;
    scrollWanted = false;
    if (!ui.host) return;
    const c = state.conversation;
    if (state.open) app.markRead();
    const unread = state.open ? 0 : app.unreadCount();
    ui.panel.hidden = !state.open;
    ui.launcher.setAttribute("aria-expanded", String(state.open));
    const launcherLabel = state.open ? gettext("Close chat") : unread ? gettext("Open chat (%(n)s unread)", { n: unread }) : gettext("Open chat");
    ui.launcher.setAttribute("aria-label", launcherLabel);
    ui.badge.hidden = !unread;
    ui.badge.textContent = unread > 99 ? "99+" : String(unread);
    ui.status.textContent = statusLine();
    const agent = c && c.status !== "waiting" && c.assignee && c.assignee.name;
    ui.avatar.hidden = !agent;
    ui.avatar.textContent = agent ? initials(agent) : "";
    ui.avatar.title = agent || "";
    if (!state.open) return;

    if (ui.formsFor !== app.formsKey()) {
      const focused = ui.root.activeElement;
      app.buildForms();
      if (focused && !ui.root.contains(focused)) app.focusView();
    }
    const history = state.view === "history";
    const shown = history ? "" : app.form();
    const chat = !history && !shown;
    const hadFocus = ui.root.activeElement;
    ui.pre.hidden = shown !== "prechat";
    ui.off.hidden = shown !== "offline";
    ui.hist.hidden = !history;
    ui.log.hidden = ui.compose.hidden = !chat;
    ui.clip.hidden = !isActive(c) || !state.token;
    ui.historyButton.hidden = !state.token || history;
    ui.downloadButton.hidden = !c || !c.number || history;
    if (hadFocus && hadFocus.closest("[hidden]")) app.focusView();

    drawTranscript(c, chat, scroll);

    const resolved = chat && c && c.status === "resolved";
    const survey = state.survey || {};
    // Rebuilt only when what it shows changes, so that a keyboard user's focus stays put.
    const rateSig = JSON.stringify([resolved, resolved && !!c.rating, survey, app.locale]);
    if (ui.rateSig !== rateSig) {
      ui.rateSig = rateSig;
      ui.rate.hidden = !resolved;
      if (resolved && c.rating) ui.rate.replaceChildren(el("p", { text: gettext("Thank you for your rating!") }));
      else if (resolved) {
        const question = app.serverText(survey.question || defaultText("rateQuestion"), "rateQuestion");
        const buttons = app.scale(survey.scale).map(([n, face, label]) => el("button", { type: "button", "aria-label": label, text: face, onclick: () => app.rate(n) }));
        ui.rate.replaceChildren(el("p", { id: "hd-rate", text: question }), el("div", { class: "stars", role: "group", "aria-labelledby": "hd-rate" }, ...buttons));
      } else ui.rate.replaceChildren();
    }
    const canComment = resolved && c.rating && survey.comment !== false;
    ui.comment.hidden = !canComment || state.commented;
    ui.tools.hidden = !(chat && c && c.number);
    ui.emailForm.hidden = !state.askEmail;
    ui.emailLink.hidden = !!state.askEmail;
    ui.thanks.hidden = !(state.commented && resolved);
    ui.notice.hidden = !state.notice;
    ui.notice.textContent = state.notice;
    ui.done.hidden = !state.done;
    ui.done.textContent = state.done;

    const histSig = JSON.stringify([history, state.history, app.locale]);
    if (history && ui.histSig !== histSig) {
      ui.histSig = histSig;
      ui.histList.replaceChildren(...historyItems(state.history));
    }
  }

  function drawTranscript(c, chat, scroll) {
    const near = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 60;
    const items = [];
    const support = gettext("Support");
    if (!state.messages.length && chat) items.push(bubble("greeting", "", support, app.serverText(state.greeting || defaultText("greeting"), "greeting")));
    const agentRead = (c && c.agent_last_read_seq) || 0;
    const sending = gettext("Sending…");
    state.messages.forEach((m) => {
      const key = m.id;
      if (m.sender.kind === "system") items.push(bubble(key, "sys", "", app.serverText(m.text)));
      else if (m.sender.kind === "contact") items.push(bubble(key, "me", "", m.text, m.seq <= agentRead ? gettext("Seen") : gettext("Delivered"), m.attachments));
      else items.push(bubble(key, "", m.sender.name || support, m.text, "", m.attachments));
    });
    for (const m of state.outbox) {
      if (!m.conversation || (c && m.conversation === c.id)) items.push(bubble(m.client_id, "me pending", "", m.text, sending, m.files));
    }
    for (const u of state.uploads) items.push(bubble(u.key, "me pending", "", gettext("Uploading %(name)s…", { name: u.name }), sending));
    state.failed.forEach((m, i) => items.push(bubble("f" + i, "me failed", "", m.text, gettext("Not sent: %(reason)s", { reason: m.reason }))));
    if (nodes.size > items.length + 50) {
      const keep = new Set(items);
      for (const [k, v] of nodes) if (!keep.has(v.node)) nodes.delete(k);
    }
    ui.log.replaceChildren(...items);
    if (scroll || near) ui.log.scrollTop = ui.log.scrollHeight;

    ui.typing.hidden = !state.typing || !chat;
    ui.typing.textContent = state.typing ? gettext("%(name)s is typing…", { name: state.typing }) : "";
  }

  function historyItems(list) {
    if (list == null) return [el("li", { text: "…" })];
    if (!list.length) return [el("li", { text: gettext("No past conversations yet.") })];
    const dates = app.locale === "en" ? "en" : "zh-CN";
    return list.map((h) => {
      const text = gettext("#%(n)s · %(status)s · %(date)s", { n: h.number, status: gettext(STATUS[h.status] || h.status), date: new Date(h.created_at).toLocaleDateString(dates) });
      return el("li", {}, el("button", { type: "button", text, onclick: () => app.reopen(h) }));
    });
  }

  // A new language: every entry is built again.
  const relabel = () => nodes.clear();

  return { render, draw, relabel, scrollAll: () => (scrollWanted = true) };
}
