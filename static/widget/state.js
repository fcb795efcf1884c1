// The visitor's conversation, its cached transcript, and the outbox (kept until acknowledged).

import { uuid } from "../shared/dom.js";
import { gettext, messageText } from "../shared/i18n.js";

// Storage of the host origin under the inbox's prefix, with a memory copy when storage is refused.
export function createStore(prefix) {
  const memory = new Map();
  return {
    prefix,
    get(key) {
      if (memory.has(key)) return memory.get(key);
      try {
        const raw = localStorage.getItem(prefix + key);
        return raw == null ? null : JSON.parse(raw);
      } catch {
        return null;
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        localStorage.setItem(prefix + key, JSON.stringify(value));
      } catch {
        /* the memory copy serves this page */
      }
    },
    del(key) {
      memory.delete(key);
      try {
        localStorage.removeItem(prefix + key);
      } catch {
        /* nothing stored */
      }
    },
    /** Drop the memory copy of `key`, so that the next get() reads what another tab stored. */
    forget(key) {
      memory.delete(key);
    },
  };
}

const CACHE_LIMIT = 200; // messages of the current conversation kept for the next page load

export function createState(store) {
  return {
    token: store.get("token"),
    greeting: "",
    cfg: store.get("cfg") || { prechat: [], teams: [], away_message: "" }, // widget settings of auth.ok
    availability: store.get("availability"),
    contact: null,
    conversation: null, // the contact's view of the current conversation
    messages: [], // confirmed public messages, ordered by seq
    seqs: new Set(),
    lastSeq: 0, // every public message up to this seq has been received
    outbox: (store.get("outbox") || []).filter((m) => m && typeof m.client_id === "string"),
    uploads: [], // files being uploaded: {key, name}
    failed: [], // messages the server refused for good, shown with the reason where they were sent
    view: "chat", // chat | history | help
    history: null,
    open: false,
    ready: false, // authenticated on the current socket
    wasReady: false, // authenticated at least once on this page
    resuming: false,
    readSent: 0,
    typing: null,
    notice: "",
    done: "", // a confirmation shown in the chat (offline form sent, transcript emailed)
    commented: false,
    user: null, // setUser() claim, sent after each auth
    attributes: null, // setAttributes() not yet sent
  };
}

export const isActive = (c) => c && c.id && c.status !== "resolved";

/** The host page the visitor is on, for the agent's contact panel. */
export const hostPage = () => ({
  url: location.href.slice(0, 2000),
  referrer: document.referrer.slice(0, 2000),
  title: document.title.slice(0, 2000),
  language: navigator.language || "",
});

export function conversation(app) {
  const { state, store } = app;

  // Make ``conversation`` the current one; returns true when it replaced another.
  function adopt(conversation) {
    const switched = !state.conversation || state.conversation.id !== conversation.id;
    if (switched) {
      if (state.conversation) store.del("t:" + state.conversation.id);
      const cached = store.get("t:" + conversation.id) || {};
      state.messages = Array.isArray(cached.messages) ? cached.messages : [];
      state.seqs = new Set(state.messages.map((m) => m.seq));
      state.lastSeq = cached.seq || 0;
      state.readSent = cached.read || 0;
      state.typing = null;
      state.commented = false;
      state.conversation = {};
      store.set("current", conversation.id);
    }
    Object.assign(state.conversation, conversation);
    if (conversation.status && conversation.status !== "waiting") delete state.conversation.queue_position;
    return switched;
  }

  // A conversation this socket has not synced yet (just started, or started in another tab):
  // resume it, which fetches what it already holds and points the server's socket at it.
  function follow(conversation) {
    if (adopt(conversation)) app.resume();
  }

  function forgetConversation() {
    if (state.conversation) store.del("t:" + state.conversation.id);
    store.del("current");
    state.conversation = null;
    state.messages = [];
    state.seqs = new Set();
    state.lastSeq = 0;
    state.typing = null;
  }

  let saveTimer = 0;
  function saveTranscript() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      const c = state.conversation;
      if (c) store.set("t:" + c.id, { seq: state.lastSeq, read: readMark(), messages: state.messages.slice(-CACHE_LIMIT) });
    }, 200);
  }

  // Move the contiguous watermark: past ``seq`` (all of it is known), then over held messages.
  function advance(seq) {
    state.lastSeq = Math.max(state.lastSeq, seq || 0);
    while (state.seqs.has(state.lastSeq + 1)) state.lastSeq += 1;
  }

  const maxSeq = () => (state.messages.length ? state.messages[state.messages.length - 1].seq : 0);
  const fail = (text, reason) => state.failed.push({ text, reason, at: maxSeq() }); // after the last message seen
  const readMark = () => Math.max(state.readSent, (state.conversation && state.conversation.contact_last_read_seq) || 0);
  const unreadCount = () => state.messages.filter((m) => m.sender.kind !== "contact" && m.seq > readMark()).length;
  const offline = () => state.availability && !(state.availability.open && state.availability.agents_online);

  // Which form a visitor without an active conversation sees before chatting.
  function form() {
    if (isActive(state.conversation) || state.outbox.length || state.messages.length) return "";
    if (offline() && !(state.bot && state.bot.enabled)) return "offline"; // with the bot on, it answers first
    const cfg = state.cfg;
    const known = state.contact || {};
    const missing = cfg.prechat.some((f) => f.required && !(f.key === "name" ? known.name : f.key === "email" ? known.email : ""));
    if (cfg.teams.length || (!state.conversation && cfg.prechat.length) || missing) return "prechat";
    return "";
  }

  // ``replay``: from a resume or an acknowledgement (no gap check); ``fresh``: new to this visitor.
  function receive(msg, replay, fresh = !replay) {
    if (!msg || msg.is_private) return;
    if (msg.sender.kind === "contact" && msg.client_id) app.settle(msg.client_id);
    const c = state.conversation;
    if (!c || (msg.conversation !== c.id && !isActive(c))) follow({ id: msg.conversation });
    else if (msg.conversation !== c.id) return; // another of the contact's conversations
    if (state.seqs.has(msg.seq)) return;
    state.seqs.add(msg.seq);
    let i = state.messages.length;
    while (i > 0 && state.messages[i - 1].seq > msg.seq) i -= 1;
    state.messages.splice(i, 0, msg); // kept as the server sent it (public, of this conversation)
    if (!replay && msg.seq > state.lastSeq + 1) app.resume(); // a gap: fetch what is missing
    advance(0);
    if (fresh) {
      app.emit("message", { id: msg.id, conversation: msg.conversation, sender: msg.sender, text: msg.text, attachments: msg.attachments || [] });
      if (msg.sender.kind !== "contact") {
        app.announce(gettext("%(name)s: %(text)s", { name: msg.sender.name || gettext("Support"), text: messageText(msg) }));
      }
    }
    saveTranscript();
  }

  function updated(conversation) {
    if (!conversation) return;
    const c = state.conversation;
    if (c && conversation.id === c.id) adopt(conversation);
    else if (!isActive(c) && conversation.status !== "resolved") follow(conversation); // started in another tab
  }

  return { adopt, follow, forgetConversation, saveTranscript, advance, maxSeq, fail, readMark, unreadCount, offline, form, receive, updated };
}

export function outbox(app) {
  const { state, store } = app;

  const saveOutbox = () => store.set("outbox", state.outbox.map(({ sentOn, ...item }) => item));

  // Send every queued message once on this socket, with its original client_id.
  function flush() {
    if (!state.ready) return;
    for (const item of state.outbox) {
      if (item.sentOn === app.socket.count) continue;
      const c = state.conversation;
      const into = c && (isActive(c) || item.conversation === c.id);
      const frame = into
        ? { type: "message.send", text: item.text, client_id: item.client_id }
        : { type: "conversation.start", text: item.text, client_id: item.client_id, context: hostPage(), ...item.start };
      if (item.attachments) frame.attachments = item.attachments;
      if (app.socket.send(frame, { kind: "message", clientId: item.client_id })) item.sentOn = app.socket.count;
    }
  }

  function settle(clientId) {
    const before = state.outbox.length;
    state.outbox = state.outbox.filter((m) => m.client_id !== clientId);
    if (state.outbox.length !== before) saveOutbox();
  }

  // A message to send: into the current conversation, or starting one (`start`: its form's answers).
  function queue(text, start) {
    const c = state.conversation;
    const into = isActive(c) || (c && state.pinned === c.id); // a past conversation reopened from the list
    const item = { client_id: uuid(), text, conversation: into ? c.id : null };
    if (start) item.start = start;
    state.outbox.push(item);
    saveOutbox();
    if (app.socket.ws) flush();
    else app.socket.connect();
  }

  // Messages typed in another tab of this visitor show here as pending too.
  function merge() {
    store.forget("outbox");
    const known = new Set(state.outbox.map((m) => m.client_id));
    for (const item of store.get("outbox") || []) if (!known.has(item.client_id)) state.outbox.push(item);
  }

  return { saveOutbox, flush, settle, queue, merge };
}
