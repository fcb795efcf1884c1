/*! Helpdesk chat widget.
 * Embed with one tag: <script async src="https://HELPDESK/static/widget/loader.js" data-inbox="PUBLIC_KEY"></script>
 * The helpdesk origin comes from this script's own src, so the widget works on any site listed
 * in the inbox's allowed origins. Everything renders inside a shadow root: the host page's CSS does
 * not reach in and the widget's CSS does not leak out. Message text is only ever set as textContent.
 */
(() => {
  "use strict";

  const script =
    document.currentScript ||
    [...document.querySelectorAll("script[data-inbox]")].find((s) => /\/widget\/loader\.js/.test(s.src));
  if (!script || window.Helpdesk) return;

  const INBOX = script.getAttribute("data-inbox") || "";
  const ORIGIN = new URL(script.src, location.href).origin;
  const SOCKET_URL = ORIGIN.replace(/^http/, "ws") + "/ws/widget/" + encodeURIComponent(INBOX) + "/";
  const PREFIX = "helpdesk:" + INBOX + ":";
  const CACHE_LIMIT = 200; // messages of the current conversation kept for the next page load

  // Every visible string, in one place, so that the widget can be translated.
  const STRINGS = {
    title: "Chat with us",
    openChat: "Open chat",
    closeChat: "Close chat",
    openChatUnread: "Open chat ({n} unread)",
    transcript: "Conversation",
    composer: "Your message",
    placeholder: "Write a message…",
    send: "Send",
    connecting: "Connecting…",
    reconnecting: "Connection lost. Reconnecting…",
    unreachable: "Cannot reach the chat right now. Retrying…",
    greeting: "Hi! How can we help?",
    queue: "You are number {position} of {waiting} in the queue.",
    estimate: "About {minutes} min.",
    waiting: "Waiting for an agent to join…",
    chattingWith: "You are chatting with {name}.",
    resolved: "This conversation is resolved. Write again to start a new one.",
    typing: "{name} is typing…",
    support: "Support",
    you: "You",
    sending: "Sending…",
    failed: "Not sent: {reason}",
    seen: "Seen",
    rateQuestion: "How would you rate this conversation?",
    rateLabel: "{n} out of 5",
    thumbsUp: "Good",
    thumbsDown: "Bad",
    rated: "Thank you for your rating!",
    rateFailed: "Your rating could not be saved: {reason}",
    announce: "{name}: {text}",
  };
  const t = (key, vars) => STRINGS[key].replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? String(vars[k]) : ""));

  // --- storage: localStorage of the host origin, with a memory fallback (private modes, quotas) ---

  const memory = new Map();
  const store = {
    get(key) {
      if (memory.has(key)) return memory.get(key);
      try {
        const raw = localStorage.getItem(PREFIX + key);
        return raw == null ? null : JSON.parse(raw);
      } catch {
        return null;
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        localStorage.setItem(PREFIX + key, JSON.stringify(value));
      } catch {
        /* the memory copy serves this page */
      }
    },
    del(key) {
      memory.delete(key);
      try {
        localStorage.removeItem(PREFIX + key);
      } catch {
        /* nothing stored */
      }
    },
  };

  const uuid = () => {
    if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };

  // --- state ---------------------------------------------------------------------------------

  const state = {
    token: store.get("token"),
    greeting: t("greeting"),
    conversation: null, // the contact's view of the current conversation
    messages: [], // confirmed public messages, ordered by seq
    seqs: new Set(),
    lastSeq: 0, // every public message up to this seq has been received
    outbox: (store.get("outbox") || []).filter((m) => m && typeof m.client_id === "string"),
    failed: [], // messages the server refused for good, shown with the reason
    open: false,
    ready: false, // authenticated on the current socket
    wasReady: false, // authenticated at least once on this page
    resuming: false,
    readSent: 0,
    typing: null,
    notice: "",
  };

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
    if (adopt(conversation)) resume();
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
  const saveOutbox = () => store.set("outbox", state.outbox.map(({ client_id, text, conversation }) => ({ client_id, text, conversation })));

  // Move the contiguous watermark: past ``seq`` (all of it is known), then over held messages.
  function advance(seq) {
    state.lastSeq = Math.max(state.lastSeq, seq || 0);
    while (state.seqs.has(state.lastSeq + 1)) state.lastSeq += 1;
  }

  const isActive = (c) => c && c.status !== "resolved";
  const maxSeq = () => (state.messages.length ? state.messages[state.messages.length - 1].seq : 0);
  const readMark = () => Math.max(state.readSent, (state.conversation && state.conversation.contact_last_read_seq) || 0);
  const unreadCount = () => state.messages.filter((m) => m.sender.kind !== "contact" && m.seq > readMark()).length;

  // --- the socket ------------------------------------------------------------------------------

  let socket = null;
  let attempt = 0;
  let retryTimer = 0;
  let pingTimer = 0;
  let awaitingPong = false;
  let connection = 0; // counts sockets, so that an outbox item is sent once per socket
  let refs = 0;
  const requests = new Map(); // ref -> what the request was, to route its reply or error

  function send(frame, meta) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    if (meta) {
      frame.ref = "r" + ++refs;
      requests.set(frame.ref, meta);
    }
    socket.send(JSON.stringify(frame));
    return true;
  }

  function connect() {
    clearTimeout(retryTimer);
    if (socket) return;
    let ws;
    try {
      ws = new WebSocket(SOCKET_URL);
    } catch {
      retry();
      return;
    }
    socket = ws;
    connection += 1;
    render();
    ws.onopen = () => {
      send({ type: "auth", token: state.token || null }, { kind: "auth" });
      awaitingPong = false;
      pingTimer = setInterval(() => {
        if (awaitingPong) ws.close(); // a dead connection: the close handler reconnects
        awaitingPong = send({ type: "ping" });
      }, 25000);
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame.type === "string") handle(frame);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      state.ready = false;
      state.resuming = false;
      requests.clear();
      clearInterval(pingTimer);
      retry();
    };
  }

  // Exponential backoff with jitter, capped at 10 seconds.
  function retry() {
    clearTimeout(retryTimer);
    const ceiling = Math.min(10000, 500 * 2 ** Math.min(attempt, 5));
    attempt += 1;
    retryTimer = setTimeout(connect, ceiling / 2 + (Math.random() * ceiling) / 2);
    render();
  }

  function resume() {
    const c = state.conversation;
    if (!c || !state.ready || state.resuming) return;
    state.resuming = send({ type: "resume", conversation: c.id, last_seq: state.lastSeq }, { kind: "resume" });
  }

  // Send every queued message once on this socket, with its original client_id.
  function flush() {
    if (!state.ready) return;
    for (const item of state.outbox) {
      if (item.sentOn === connection) continue;
      const c = state.conversation;
      const into = c && (isActive(c) || item.conversation === c.id);
      const frame = into
        ? { type: "message.send", text: item.text, client_id: item.client_id }
        : { type: "conversation.start", text: item.text, client_id: item.client_id };
      if (send(frame, { kind: "message", clientId: item.client_id })) item.sentOn = connection;
    }
  }

  function settle(clientId) {
    const before = state.outbox.length;
    state.outbox = state.outbox.filter((m) => m.client_id !== clientId);
    if (state.outbox.length !== before) saveOutbox();
  }

  // --- inbound frames --------------------------------------------------------------------------

  function handle(frame) {
    const meta = frame.ref ? requests.get(frame.ref) : null;
    if (frame.ref) requests.delete(frame.ref);
    switch (frame.type) {
      case "auth.ok":
        attempt = 0;
        state.ready = state.wasReady = true;
        if (frame.token) {
          state.token = frame.token;
          store.set("token", frame.token);
        }
        if (frame.greeting) state.greeting = frame.greeting;
        if (frame.survey) state.survey = frame.survey;
        if (frame.conversation) {
          adopt(frame.conversation);
          resume();
        } else {
          if (state.conversation) forgetConversation();
          flush();
        }
        break;
      case "conversation":
        if (frame.conversation) follow(frame.conversation);
        if (frame.message) receive(frame.message, true);
        break;
      case "message.new":
        receive(frame.message, frame.replay === true);
        break;
      case "message.ack":
        receive(frame.message, true);
        break;
      case "resume.done":
        state.resuming = false;
        if (frame.conversation) adopt(frame.conversation);
        advance(Math.max(frame.last_seq || 0, (frame.conversation && frame.conversation.last_seq) || 0));
        saveTranscript();
        flush();
        break;
      case "conversation.updated":
        updated(frame.conversation);
        break;
      case "queue.position":
        if (state.conversation && frame.conversation === state.conversation.id && state.conversation.status === "waiting") {
          state.conversation.queue_position = frame.position;
          state.conversation.queue_length = frame.waiting;
          state.conversation.estimated_wait_seconds = frame.estimated_wait_seconds;
        }
        break;
      case "typing":
        if (state.conversation && frame.conversation === state.conversation.id && frame.sender.kind !== "contact") {
          clearTimeout(state.typingTimer);
          state.typing = frame.is_typing ? frame.sender.name || t("support") : null;
          if (state.typing) state.typingTimer = setTimeout(() => ((state.typing = null), render()), 8000);
        }
        break;
      case "read":
        if (state.conversation && frame.conversation === state.conversation.id) {
          const field = frame.reader === "contact" ? "contact_last_read_seq" : "agent_last_read_seq";
          state.conversation[field] = Math.max(state.conversation[field] || 0, frame.seq);
        }
        break;
      case "read.ack":
        if (state.conversation && frame.conversation === state.conversation.id) {
          state.conversation.contact_last_read_seq = frame.seq;
        }
        break;
      case "rate.ack":
      case "rating":
        if (state.conversation && frame.rating.conversation === state.conversation.id) {
          state.conversation.rating = frame.rating;
          state.notice = "";
        }
        break;
      case "pong":
        awaitingPong = false;
        return;
      case "error":
        failure(frame, meta);
        break;
      default:
        return; // a frame this version does not know: ignore it
    }
    render();
  }

  function receive(msg, replay) {
    if (!msg || msg.is_private) return;
    if (msg.sender.kind === "contact" && msg.client_id) settle(msg.client_id);
    const c = state.conversation;
    if (!c || (msg.conversation !== c.id && !isActive(c))) follow({ id: msg.conversation });
    else if (msg.conversation !== c.id) return; // another of the contact's conversations
    if (state.seqs.has(msg.seq)) return;
    state.seqs.add(msg.seq);
    let i = state.messages.length;
    while (i > 0 && state.messages[i - 1].seq > msg.seq) i -= 1;
    state.messages.splice(i, 0, {
      id: msg.id,
      seq: msg.seq,
      client_id: msg.client_id,
      sender: msg.sender,
      text: msg.text,
      created_at: msg.created_at,
    });
    if (!replay && msg.seq > state.lastSeq + 1) resume(); // a gap: fetch what is missing
    advance(0);
    if (!replay && msg.sender.kind !== "contact") announce(t("announce", { name: msg.sender.name || t("support"), text: msg.text }));
    saveTranscript();
  }

  function updated(conversation) {
    if (!conversation) return;
    const c = state.conversation;
    if (c && conversation.id === c.id) adopt(conversation);
    else if (!isActive(c) && conversation.status !== "resolved") follow(conversation); // started in another tab
  }

  function failure(frame, meta) {
    const kind = meta && meta.kind;
    if (kind === "auth" && frame.code === "invalid_token") {
      state.token = null;
      store.del("token");
      forgetConversation();
      for (const item of state.outbox) item.conversation = null;
      saveOutbox();
      send({ type: "auth", token: null }, { kind: "auth" });
    } else if (kind === "resume") {
      state.resuming = false;
      if (frame.code === "not_found") forgetConversation();
      flush();
    } else if (kind === "message") {
      const item = state.outbox.find((m) => m.client_id === meta.clientId);
      if (!item) return;
      if (frame.code === "rate_limited" || frame.code === "no_conversation") {
        if (frame.code === "no_conversation") resume(); // point the server's socket at it again
        item.sentOn = null;
        setTimeout(flush, 2000);
      } else {
        settle(item.client_id);
        state.failed.push({ text: item.text, reason: frame.message || frame.code });
      }
    } else if (kind === "rate") {
      state.notice = t("rateFailed", { reason: frame.message || frame.code });
    }
  }

  // --- outbound actions ------------------------------------------------------------------------

  function submit() {
    const text = ui.input.value;
    if (!text.trim()) return;
    const c = state.conversation;
    const item = { client_id: uuid(), text, conversation: isActive(c) ? c.id : null };
    state.outbox.push(item);
    saveOutbox();
    ui.input.value = "";
    grow();
    stopTyping();
    if (socket) flush();
    else connect();
    render(true);
  }

  let typingSentAt = 0;
  let typingTimer = 0;
  function typed() {
    grow();
    if (!state.ready || !isActive(state.conversation)) return;
    const now = Date.now();
    if (now - typingSentAt > 3000) {
      typingSentAt = now;
      send({ type: "typing", is_typing: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  }
  function stopTyping() {
    clearTimeout(typingTimer);
    if (!typingSentAt) return;
    typingSentAt = 0;
    if (state.ready && isActive(state.conversation)) send({ type: "typing", is_typing: false });
  }

  function markRead() {
    const seq = maxSeq();
    if (!state.open || document.visibilityState !== "visible" || !state.ready || !state.conversation) return;
    if (seq <= readMark()) return;
    state.readSent = seq;
    send({ type: "read", seq });
    saveTranscript();
  }

  // The inbox's survey scale: [score, what the button shows, its accessible name].
  function scale(kind) {
    if (kind === "thumbs") return [[5, "👍", t("thumbsUp")], [1, "👎", t("thumbsDown")]];
    const faces = kind === "stars" ? ["★", "★★", "★★★", "★★★★", "★★★★★"] : ["😠", "🙁", "😐", "🙂", "😍"];
    return faces.map((face, i) => [i + 1, face, t("rateLabel", { n: i + 1 })]);
  }

  function rate(score) {
    state.notice = "";
    if (!send({ type: "rate", score }, { kind: "rate" })) connect();
  }

  function open() {
    state.open = true;
    if (!ui.host) return; // opened once mounted
    connect();
    scrollWanted = true;
    draw(); // now, so that the panel is shown before focus moves into it
    ui.input.focus();
  }

  function close() {
    state.open = false;
    if (!ui.host) return;
    const hadFocus = ui.root.activeElement != null;
    stopTyping();
    draw();
    if (hadFocus) ui.launcher.focus();
  }

  // --- the view --------------------------------------------------------------------------------

  const CSS = `
:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.w{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;-webkit-font-smoothing:antialiased}
.sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button{font:inherit;cursor:pointer}
:focus-visible{outline:3px solid #9db4ff;outline-offset:2px}
.launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#2d55e6;color:#fff;box-shadow:0 6px 20px rgba(20,30,70,.3);display:grid;place-items:center}
.launcher:hover{background:#2046cc}
.launcher svg{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.badge{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#e5364b;color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center}
.panel{position:fixed;right:20px;bottom:88px;width:370px;height:min(580px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(20,30,70,.28);overflow:hidden}
header{background:#2d55e6;color:#fff;padding:14px 14px 12px 18px;display:flex;align-items:flex-start;gap:8px}
header div{flex:1;min-width:0}
h2{margin:0;font-size:16px;font-weight:650}
.status{margin:2px 0 0;font-size:13px;opacity:.92}
.x{border:0;background:transparent;color:#fff;width:32px;height:32px;border-radius:8px;font-size:22px;line-height:1}
.x:hover{background:rgba(255,255,255,.15)}
.log{flex:1;overflow-y:auto;margin:0;padding:14px;list-style:none;display:flex;flex-direction:column;gap:8px;background:#f5f7fb}
.m{max-width:82%;align-self:flex-start;display:flex;flex-direction:column}
.m p{margin:0;padding:8px 12px;border-radius:14px 14px 14px 4px;background:#fff;border:1px solid #e2e6ef;white-space:pre-wrap;overflow-wrap:anywhere}
.m .who{font-size:12px;color:#5b6477;margin:0 0 2px 4px}
.m .meta{font-size:11px;color:#6b7385;margin:2px 6px 0;align-self:flex-end}
.m.me{align-self:flex-end}
.m.me p{background:#2d55e6;border-color:#2d55e6;color:#fff;border-radius:14px 14px 4px 14px}
.m.pending p{opacity:.65}
.m.failed p{background:#fff;color:#1d2433;border:1px dashed #e5364b}
.m.failed .meta{color:#b3182c}
.m.sys{align-self:center;max-width:92%;text-align:center}
.m.sys p{background:transparent;border:0;padding:2px 8px;color:#5b6477;font-size:12.5px;font-style:italic}
.typing{padding:4px 18px;font-size:12.5px;color:#5b6477;font-style:italic;background:#f5f7fb}
.rate{padding:12px 16px;border-top:1px solid #e2e6ef;text-align:center}
.rate p{margin:0 0 8px}
.stars{display:flex;justify-content:center;gap:6px}
.stars button{width:40px;height:40px;border-radius:10px;border:1px solid #cfd6e4;background:#fff;color:#2d55e6;font-weight:700}
.stars button:hover{background:#eef2ff}
.notice{color:#b3182c;font-size:12.5px}
form{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid #e2e6ef;background:#fff}
textarea{flex:1;resize:none;font:inherit;color:inherit;border:1px solid #cfd6e4;border-radius:10px;padding:8px 10px;max-height:120px;min-height:38px;background:#fff}
textarea:focus{border-color:#2d55e6;outline:none;box-shadow:0 0 0 3px rgba(45,85,230,.18)}
.send{border:0;border-radius:10px;background:#2d55e6;color:#fff;padding:0 14px;height:38px;font-weight:600}
.send:hover{background:#2046cc}
@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100%;border-radius:0}}
`;

  const ui = {};

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  }

  function icon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z");
    svg.append(path);
    return svg;
  }

  function mount() {
    const host = document.createElement("div");
    host.setAttribute("data-helpdesk-widget", "");
    host.setAttribute("style", "all:initial!important;position:fixed!important;z-index:2147483000!important;width:0!important;height:0!important;right:0!important;bottom:0!important");
    const root = host.attachShadow({ mode: "open" });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(el("style", { text: CSS }));
    }
    ui.host = host;
    ui.root = root;
    ui.badge = el("span", { class: "badge", "aria-hidden": "true", hidden: "" });
    ui.launcher = el("button", { class: "launcher", type: "button", "aria-haspopup": "dialog", "aria-controls": "hd-panel", onclick: () => (state.open ? close() : open()) }, icon(), ui.badge);
    ui.status = el("p", { class: "status", id: "hd-status" });
    ui.log = el("ol", { class: "log", "aria-label": t("transcript"), tabindex: "0" });
    ui.typing = el("div", { class: "typing", "aria-live": "polite" });
    ui.live = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
    ui.rate = el("div", { class: "rate" });
    ui.input = el("textarea", {
      rows: "1",
      placeholder: t("placeholder"),
      "aria-label": t("composer"),
      maxlength: "5000",
      oninput: typed,
      onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          submit();
        }
      },
      onblur: stopTyping,
    });
    ui.panel = el(
      "section",
      { class: "panel", id: "hd-panel", role: "dialog", "aria-labelledby": "hd-title", "aria-describedby": "hd-status", hidden: "" },
      el("header", {}, el("div", {}, el("h2", { id: "hd-title", text: t("title") }), ui.status), el("button", { class: "x", type: "button", "aria-label": t("closeChat"), text: "×", onclick: close })),
      ui.log,
      ui.typing,
      ui.rate,
      el("form", { onsubmit: (e) => (e.preventDefault(), submit()) }, ui.input, el("button", { class: "send", type: "submit", text: t("send") })),
    );
    ui.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        close();
      }
    });
    root.append(el("div", { class: "w" }, ui.launcher, ui.panel, ui.live));
    document.body.append(host);
    document.addEventListener("visibilitychange", () => (markRead(), render()));
    addEventListener("online", () => socket || connect());
    render();
  }

  function grow() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 120) + "px";
  }

  function announce(text) {
    if (!ui.live) return;
    ui.live.textContent = "";
    setTimeout(() => (ui.live.textContent = text), 50);
  }

  // Transcript entries are built once per key and reused while their look is unchanged.
  const nodes = new Map();
  function bubble(key, cls, who, text, meta) {
    const sig = cls + "|" + (meta || "");
    const known = nodes.get(key);
    if (known && known.sig === sig) return known.node;
    const li = el("li", { class: "m " + cls });
    if (who) li.append(el("span", { class: "who", text: who }));
    li.append(el("p", { text }));
    if (meta) li.append(el("span", { class: "meta", text: meta }));
    nodes.set(key, { sig, node: li });
    return li;
  }

  function statusLine() {
    const c = state.conversation;
    if (!state.ready) return attempt > 0 ? t(state.wasReady ? "reconnecting" : "unreachable") : socket ? t("connecting") : "";
    if (!c) return "";
    if (c.status === "waiting") {
      if (!c.queue_position) return t("waiting");
      const line = t("queue", { position: c.queue_position, waiting: c.queue_length || c.queue_position });
      const wait = c.estimated_wait_seconds;
      return typeof wait === "number" && wait >= 60 ? line + " " + t("estimate", { minutes: Math.round(wait / 60) }) : line;
    }
    if (c.status === "resolved") return t("resolved");
    return c.assignee && c.assignee.name ? t("chattingWith", { name: c.assignee.name }) : "";
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
    if (state.open) markRead();
    const unread = state.open ? 0 : unreadCount();
    ui.panel.hidden = !state.open;
    ui.launcher.setAttribute("aria-expanded", String(state.open));
    ui.launcher.setAttribute("aria-label", state.open ? t("closeChat") : unread ? t("openChatUnread", { n: unread }) : t("openChat"));
    ui.badge.hidden = !unread;
    ui.badge.textContent = unread > 99 ? "99+" : String(unread);
    ui.status.textContent = statusLine();
    if (!state.open) return;

    const near = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 60;
    const items = [];
    if (!state.messages.length && state.greeting) items.push(bubble("greeting", "", t("support"), state.greeting));
    const agentRead = (c && c.agent_last_read_seq) || 0;
    let lastOwn = -1;
    state.messages.forEach((m, i) => m.sender.kind === "contact" && (lastOwn = i));
    state.messages.forEach((m, i) => {
      const key = m.id;
      if (m.sender.kind === "system") items.push(bubble(key, "sys", "", m.text));
      else if (m.sender.kind === "contact") items.push(bubble(key, "me", "", m.text, i === lastOwn && m.seq <= agentRead ? t("seen") : ""));
      else items.push(bubble(key, "", m.sender.name || t("support"), m.text));
    });
    for (const m of state.outbox) {
      if (!m.conversation || (c && m.conversation === c.id)) items.push(bubble(m.client_id, "me pending", "", m.text, t("sending")));
    }
    state.failed.forEach((m, i) => items.push(bubble("f" + i, "me failed", "", m.text, t("failed", { reason: m.reason }))));
    if (nodes.size > items.length + 50) {
      const keep = new Set(items);
      for (const [k, v] of nodes) if (!keep.has(v.node)) nodes.delete(k);
    }
    ui.log.replaceChildren(...items);
    if (scroll || near) ui.log.scrollTop = ui.log.scrollHeight;

    ui.typing.hidden = !state.typing;
    ui.typing.textContent = state.typing ? t("typing", { name: state.typing }) : "";

    const resolved = c && c.status === "resolved";
    ui.rate.hidden = !resolved && !state.notice;
    if (resolved && c.rating) ui.rate.replaceChildren(el("p", { text: t("rated") }));
    else if (resolved) {
      const survey = state.survey || {};
      ui.rate.replaceChildren(
        el("p", { id: "hd-rate", text: survey.question || t("rateQuestion") }),
        el("div", { class: "stars", role: "group", "aria-labelledby": "hd-rate" }, ...scale(survey.scale).map(([n, face, label]) => el("button", { type: "button", "aria-label": label, text: face, onclick: () => rate(n) }))),
      );
    } else ui.rate.replaceChildren();
    if (state.notice) ui.rate.append(el("p", { class: "notice", role: "alert", text: state.notice }));
  }

  // --- start -----------------------------------------------------------------------------------

  window.Helpdesk = Object.freeze({ open, close });

  function start() {
    mount();
    const current = store.get("current");
    if (current) adopt({ id: current }); // show the cached transcript at once; auth.ok confirms it
    if (state.open) open();
    else if (state.token || state.outbox.length) connect(); // a new visitor connects on first open
    render();
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
