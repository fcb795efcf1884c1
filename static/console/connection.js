/* The agent socket (/ws/agent/, session auth): the live state and the agent's actions. What each
 * inbound frame does is here; the socket's lifecycle (backoff, ping, replies) is shared/socket.js. */

import { $ } from "../shared/dom.js";
import { gettext, gettext_noop, messageText } from "../shared/i18n.js";
import { Socket } from "../shared/socket.js";
import { contactName } from "./format.js";
import { inQueue } from "./state.js";

const CONNECTION = {
  connecting: gettext_noop("Connecting…"),
  connected: gettext_noop("Connected"),
  reconnecting: gettext_noop("Disconnected. Reconnecting…"),
};

export function connection(app) {
  const { state } = app;
  let failures = 0; // sockets closed before they said hello
  const socket = new Socket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/agent/", {
    onconnect() {
      app.greeted = false;
      setConnection(socket.attempt ? "reconnecting" : "connecting");
    },
    onframe: handle,
    onclose() {
      for (const tr of state.transcripts.values()) tr.syncing = false;
      if (!app.greeted) failures += 1;
      setConnection("reconnecting");
      if (failures >= 3) app.notify(gettext("The console cannot connect. If your session has expired, sign in again."), "error", true);
    },
  });
  const send = (frame, meta) => socket.send(frame, meta);

  function setConnection(name) {
    const node = $("connection");
    node.dataset.state = name;
    node.textContent = gettext(CONNECTION[name]);
  }

  function sync(id) {
    const tr = state.transcripts.get(id);
    if (!tr || !tr.loaded || tr.syncing) return;
    tr.syncing = send({ type: "sync", conversation: id, after_seq: tr.lastSeq }, { kind: "sync", conversation: id });
  }

  function handle(frame, meta) {
    switch (frame.type) {
      case "hello":
        hello(frame);
        break;
      case "conversation.updated":
      case "conversation.ack": {
        const known = app.upsert(frame.conversation);
        app.forgetExpansions(frame.conversation.id); // its variables may have changed
        const c = state.conversations.get(frame.conversation.id);
        if (frame.type === "conversation.updated" && inQueue(c) && (!known || known.status !== "waiting")) {
          app.alertAgent(gettext("New chat in the queue: #%(number)s %(name)s", { number: c.number, name: contactName(c) }), "queue-" + c.id);
        }
        const tr = state.transcripts.get(c.id);
        if (tr && tr.loaded && (c.last_seq || 0) > tr.lastSeq) sync(c.id);
        // The panel shows the status in the history and the page the visitor is on: refresh it.
        const moved = known && JSON.stringify(known.context) !== JSON.stringify(c.context);
        if (c.id === state.selected && known && (known.status !== c.status || moved)) app.loadContact(c.id);
        if (c.id === state.selected && frame.type === "conversation.updated") app.loadActivity(c.id);
        break;
      }
      case "rating":
        if (frame.rating.conversation === state.selected) app.loadActivity(state.selected);
        break;
      case "contact.updated": {
        // A verified identity, a name or an email: every conversation of that contact shows it.
        for (const c of state.conversations.values()) if (c.contact && c.contact.id === frame.contact.id) c.contact = frame.contact;
        const c = state.selected && state.conversations.get(state.selected);
        if (c && c.contact && c.contact.id === frame.contact.id) app.loadContact(c.id);
        break;
      }
      case "message.new":
        live(frame.message);
        break;
      case "message.ack":
        state.pending.delete(frame.message.client_id);
        app.addMessage(frame.message);
        break;
      case "sync.done": {
        const tr = meta && state.transcripts.get(meta.conversation);
        if (tr) {
          tr.syncing = false;
          app.upsert(frame.conversation);
          frame.messages.forEach(app.addMessage);
          if (frame.has_more) sync(meta.conversation);
        }
        break;
      }
      case "typing":
        if (frame.conversation === state.selected && frame.sender.id !== app.me.id) {
          clearTimeout(state.typingTimer);
          state.typing = frame.is_typing ? frame.sender.name || gettext("Visitor") : null;
          if (state.typing) state.typingTimer = setTimeout(() => ((state.typing = null), app.render()), 8000);
        }
        break;
      case "read":
      case "read.ack": {
        const c = state.conversations.get(frame.conversation);
        if (c) {
          const field = frame.type === "read.ack" || frame.reader === "agent" ? "agent_last_read_seq" : "contact_last_read_seq";
          c[field] = Math.max(c[field] || 0, frame.public_seq || 0); // read marks count public entries
        }
        break;
      }
      case "availability.ack":
        app.setAvailability(frame.agent.availability);
        break;
      case "agent.updated":
        if (frame.agent.id === app.me.id && frame.agent.availability !== "offline") app.setAvailability(frame.agent.availability);
        app.labelAgent(frame.agent.id, frame.agent.availability);
        break;
      case "conversation.transferred": {
        const c = state.conversations.get(frame.conversation);
        const values = { by: frame.by, number: c ? c.number : "", note: frame.note };
        const text = frame.note ? gettext("%(by)s transferred #%(number)s to you: “%(note)s”", values) : gettext("%(by)s transferred #%(number)s to you.", values);
        app.notify(text, "info");
        app.alertAgent(text, "transfer-" + frame.conversation);
        break;
      }
      case "mention": {
        const text = gettext("%(by)s mentioned you in #%(number)s: “%(text)s”", { by: frame.by, number: frame.number, text: frame.message.text.slice(0, 140) });
        if (frame.conversation !== state.selected) state.mentioned.add(frame.conversation);
        else app.markMentionsSeen(frame.conversation, frame.message.seq);
        app.notify(text, "info");
        app.alertAgent(text, "mention-" + frame.message.id);
        break;
      }
      case "canned.expanded":
        app.cannedExpanded(frame, meta);
        break;
      case "error":
        failure(frame, meta);
        break;
      default:
        return;
    }
    app.render();
  }

  function hello(frame) {
    const reconnect = socket.attempt > 0;
    app.greeted = true;
    socket.succeeded();
    failures = 0;
    setConnection("connected");
    if (reconnect) app.clearNotice();
    const selected = state.selected && state.conversations.get(state.selected);
    state.conversations = new Map();
    if (selected) app.upsert(selected);
    const lists = [frame.queue, frame.mine, frame.bot || [], frame.others || [], frame.resolved || []];
    for (const list of lists) for (const c of list) app.upsert(c);
    if (!state.greetedOnce) {
      // What came in while the console was closed: the public entries not read yet.
      for (const c of frame.mine) {
        const unread = (c.last_public_seq || 0) - (c.agent_last_read_seq || 0);
        if (unread > 0) state.unread.set(c.id, unread);
      }
    }
    state.greetedOnce = true;
    state.teams = frame.teams || [];
    state.tags = frame.tags || [];
    for (const m of frame.mentions || []) {
      if (!app.mentionSeen(m.conversation, m.seq) && m.conversation !== state.selected) state.mentioned.add(m.conversation);
    }
    state.canned = frame.canned || [];
    app.fillTagPickers();
    if (frame.agent) app.setAvailability(frame.agent.availability);
    for (const id of state.transcripts.keys()) sync(id); // after a reconnect: whatever open transcripts missed
    for (const item of state.pending.values()) send(item.frame, { kind: "message", clientId: item.frame.client_id });
  }

  function live(msg) {
    if (msg.sender.kind === "agent" && msg.client_id) state.pending.delete(msg.client_id);
    state.previews.set(msg.conversation, (msg.is_private ? gettext("Note: ") : "") + messageText(msg));
    const c = state.conversations.get(msg.conversation);
    if (c) {
      c.last_seq = Math.max(c.last_seq || 0, msg.seq);
      if (msg.public_seq) c.last_public_seq = Math.max(c.last_public_seq || 0, msg.public_seq);
      c.last_message_at = msg.created_at;
    }
    const tr = state.transcripts.get(msg.conversation);
    if (tr && tr.loaded) {
      const gap = msg.seq > tr.lastSeq + 1;
      app.addMessage(msg);
      if (gap) sync(msg.conversation);
    }
    const background = msg.conversation !== state.selected || document.visibilityState !== "visible";
    if (msg.sender.kind === "contact" && background) {
      // Queued chats count once, in the queue; an unread mark is for chats someone holds.
      if (msg.conversation !== state.selected && !(c && inQueue(c))) state.unread.set(msg.conversation, (state.unread.get(msg.conversation) || 0) + 1);
      if (c && (app.isMine(c) || inQueue(c))) {
        const text = gettext("#%(number)s %(name)s: %(text)s", { number: c.number, name: contactName(c), text: msg.text.slice(0, 140) });
        app.alertAgent(text, "msg-" + msg.conversation);
      }
    }
  }

  function failure(frame, meta) {
    const kind = meta && meta.kind;
    if (kind === "sync") {
      const tr = state.transcripts.get(meta.conversation);
      if (tr) tr.syncing = false;
    }
    if (kind === "message") {
      const item = state.pending.get(meta.clientId);
      if (item && (frame.code === "rate_limited" || frame.code === "unavailable")) {
        const wait = (frame.retry_after || 2) * 1000; // the same client_id again: stored at most once
        setTimeout(() => state.pending.has(meta.clientId) && send(item.frame, meta), wait);
        return;
      }
      if (item) {
        state.pending.delete(meta.clientId);
        const box = $("composer-text");
        if (!box.value && item.frame.conversation === state.selected) {
          box.value = item.frame.text; // give the text back so the agent can act and retry
          $("private").checked = item.frame.type === "note.add";
        }
      }
    }
    app.notify(frame.message || frame.code, "error");
  }

  return { socket, send, sync };
}
