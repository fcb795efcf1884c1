/*! Helpdesk chat widget.
 * Embed with one tag: <script async src="https://HELPDESK/static/widget/loader.js" data-inbox="PUBLIC_KEY"></script>
 * The helpdesk origin comes from this script's own src, so the widget works on any site listed
 * in the inbox's allowed origins. Everything renders inside a shadow root: the host page's CSS does
 * not reach in and the widget's CSS does not leak out. Message text is only ever set as textContent.
 * The JavaScript API (window.Helpdesk) and its events are described in docs/widget.md.
 */
(() => {
  "use strict";

  const script =
    document.currentScript ||
    [...document.querySelectorAll("script[data-inbox]")].find((s) => /\/widget\/loader\.js/.test(s.src));
  const early = window.Helpdesk; // calls queued by the host page before this script ran: {q: [[name, args]]}
  if (!script || (early && !Array.isArray(early.q))) return;

  const INBOX = script.getAttribute("data-inbox") || "";
  const ORIGIN = new URL(script.src, location.href).origin;
  const SOCKET_URL = ORIGIN.replace(/^http/, "ws") + "/ws/widget/" + encodeURIComponent(INBOX) + "/";
  const API = ORIGIN + "/api/widget/" + encodeURIComponent(INBOX) + "/";
  const PREFIX = "helpdesk:" + INBOX + ":";
  const CACHE_LIMIT = 200; // messages of the current conversation kept for the next page load

  // --- strings: every visible text, in English and Simplified Chinese ----------------------------

  const EN = {
    title: "Chat with us",
    openChat: "Open chat",
    closeChat: "Close chat",
    openChatUnread: "Open chat ({n} unread)",
    transcript: "Conversation",
    composer: "Your message",
    placeholder: "Write a message…",
    send: "Send",
    attach: "Attach a file",
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
    sending: "Sending…",
    delivered: "Delivered",
    seen: "Seen",
    failed: "Not sent: {reason}",
    uploading: "Uploading {name}…",
    tooBig: "{name} is larger than {size} MB.",
    rateQuestion: "How would you rate this conversation?",
    rateLabel: "{n} out of 5",
    thumbsUp: "Good",
    thumbsDown: "Bad",
    rated: "Thank you for your rating!",
    rateFailed: "Your rating could not be saved: {reason}",
    comment: "Add a comment (optional)",
    commentSend: "Send comment",
    commentThanks: "Thank you for your comment!",
    announce: "{name}: {text}",
    history: "Past conversations",
    back: "Back to the chat",
    noHistory: "No past conversations yet.",
    item: "#{n} · {status} · {date}",
    s_waiting: "waiting",
    s_open: "open",
    s_pending: "open",
    s_resolved: "resolved",
    download: "Download the transcript",
    emailMe: "Email me this transcript",
    emailSent: "The transcript is on its way to {email}.",
    language: "中文",
    languageLabel: "切换到中文",
    prechat: "Before we start, please tell us a little about you.",
    team: "Topic",
    teamAny: "Anything",
    start: "Start the chat",
    required: "{label} is required.",
    optional: "{label} (optional)",
    awayTitle: "Leave us a message",
    away: "We are away right now. Leave your question and email, and we will answer by email.",
    name: "Your name",
    email: "Your email",
    question: "Your question",
    badEmail: "Enter a valid email address.",
    offlineDone: "Thank you! We will answer by email at {email}.",
    file: "File {name} ({size})",
  };
  const ZH = {
    title: "在线咨询",
    openChat: "打开聊天",
    closeChat: "关闭聊天",
    openChatUnread: "打开聊天（{n} 条未读）",
    transcript: "会话",
    composer: "您的消息",
    placeholder: "输入消息…",
    send: "发送",
    attach: "添加附件",
    connecting: "正在连接…",
    reconnecting: "连接已断开，正在重新连接…",
    unreachable: "暂时无法连接，正在重试…",
    greeting: "您好！有什么可以帮您？",
    queue: "您在队列中排第 {position} 位，共 {waiting} 位。",
    estimate: "大约 {minutes} 分钟。",
    waiting: "正在等待客服接入…",
    chattingWith: "{name} 正在为您服务。",
    resolved: "此会话已解决。再次输入即可开始新的会话。",
    typing: "{name} 正在输入…",
    support: "客服",
    sending: "发送中…",
    delivered: "已送达",
    seen: "已读",
    failed: "未发送：{reason}",
    uploading: "正在上传 {name}…",
    tooBig: "{name} 超过 {size} MB。",
    rateQuestion: "您对本次会话满意吗？",
    rateLabel: "{n} 分（满分 5 分）",
    thumbsUp: "满意",
    thumbsDown: "不满意",
    rated: "感谢您的评价！",
    rateFailed: "评价未能保存：{reason}",
    comment: "补充意见（可选）",
    commentSend: "提交意见",
    commentThanks: "感谢您的意见！",
    announce: "{name}：{text}",
    history: "历史会话",
    back: "返回聊天",
    noHistory: "还没有历史会话。",
    item: "#{n} · {status} · {date}",
    s_waiting: "等待中",
    s_open: "进行中",
    s_pending: "进行中",
    s_resolved: "已解决",
    download: "下载聊天记录",
    emailMe: "把聊天记录发到我的邮箱",
    emailSent: "聊天记录正在发送到 {email}。",
    language: "EN",
    languageLabel: "Switch to English",
    prechat: "开始之前，请简单介绍一下您自己。",
    team: "咨询类别",
    teamAny: "任意",
    start: "开始聊天",
    required: "请填写{label}。",
    optional: "{label}（可选）",
    awayTitle: "给我们留言",
    away: "我们暂时不在线。请留下您的问题和邮箱，我们会通过邮件回复您。",
    name: "您的姓名",
    email: "您的邮箱",
    question: "您的问题",
    badEmail: "请输入有效的邮箱地址。",
    offlineDone: "谢谢！我们会通过邮件回复到 {email}。",
    file: "文件 {name}（{size}）",
  };
  const DICTS = { en: EN, "zh-Hans": ZH };
  // The server's own texts (system messages, defaults of the inbox) shown in Chinese too.
  const ZH_SERVER = [
    [/^(.+) joined the conversation\.$/, "{1} 加入了会话。"],
    [/^Transferred to the (.+) team\.$/, "已转接到 {1} 团队。"],
    [/^Transferred to (.+)\.$/, "已转接给 {1}。"],
    [/^The conversation was resolved\.$/, "会话已解决。"],
    [/^The conversation was reopened\.$/, "会话已重新打开。"],
    [/^We are connecting you with another agent\.$/, "正在为您转接其他客服。"],
  ];
  const DEFAULTS = { greeting: EN.greeting, rateQuestion: EN.rateQuestion, away: EN.away };

  let locale = "en";
  const t = (key, vars) =>
    (DICTS[locale][key] ?? EN[key]).replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? String(vars[k]) : ""));
  // A text from the server: its own translation when it is a known default or system message.
  function serverText(text, key) {
    if (key && text === DEFAULTS[key]) return t(key);
    if (locale !== "zh-Hans") return text;
    for (const [re, out] of ZH_SERVER) {
      const m = re.exec(text);
      if (m) return out.replace("{1}", m[1]);
    }
    return text;
  }
  function pickLocale(wanted) {
    const langs = [wanted, script.getAttribute("data-locale"), store.get("locale"), ...(navigator.languages || [navigator.language])];
    for (const l of langs) {
      const x = String(l || "").toLowerCase();
      if (x.startsWith("zh")) return "zh-Hans";
      if (x.startsWith("en")) return "en";
    }
    return "en";
  }

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
    failed: [], // messages the server refused for good, shown with the reason
    view: "chat", // chat | history
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
  const saveOutbox = () =>
    store.set("outbox", state.outbox.map(({ sentOn, ...item }) => item));

  // Move the contiguous watermark: past ``seq`` (all of it is known), then over held messages.
  function advance(seq) {
    state.lastSeq = Math.max(state.lastSeq, seq || 0);
    while (state.seqs.has(state.lastSeq + 1)) state.lastSeq += 1;
  }

  const isActive = (c) => c && c.id && c.status !== "resolved";
  const maxSeq = () => (state.messages.length ? state.messages[state.messages.length - 1].seq : 0);
  const readMark = () => Math.max(state.readSent, (state.conversation && state.conversation.contact_last_read_seq) || 0);
  const unreadCount = () => state.messages.filter((m) => m.sender.kind !== "contact" && m.seq > readMark()).length;
  const offline = () => state.availability && !(state.availability.open && state.availability.agents_online);
  // Which form a visitor without an active conversation sees before chatting.
  function form() {
    if (isActive(state.conversation) || state.outbox.length || state.messages.length) return "";
    if (offline()) return "offline";
    const cfg = state.cfg;
    const known = state.contact || {};
    const missing = cfg.prechat.some((f) => f.required && !(f.key === "name" ? known.name : f.key === "email" ? known.email : ""));
    if (cfg.teams.length || (!state.conversation && cfg.prechat.length) || missing) return "prechat";
    return "";
  }
  const page = () => ({ url: location.href.slice(0, 2000), referrer: document.referrer.slice(0, 2000), title: document.title.slice(0, 2000), language: navigator.language || "" });

  // --- events for the host page: Helpdesk.on('message' | 'open' | 'close', fn) -------------------

  const listeners = { message: [], open: [], close: [] };
  function emit(name, detail) {
    for (const fn of listeners[name]) {
      try {
        fn(detail);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

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
        : { type: "conversation.start", text: item.text, client_id: item.client_id, context: page(), ...item.start };
      if (item.attachments) frame.attachments = item.attachments;
      if (send(frame, { kind: "message", clientId: item.client_id })) item.sentOn = connection;
    }
  }

  function settle(clientId) {
    const before = state.outbox.length;
    state.outbox = state.outbox.filter((m) => m.client_id !== clientId);
    if (state.outbox.length !== before) saveOutbox();
  }

  // After each authentication: the identity claim, attributes and the page the visitor is on.
  function introduce() {
    if (state.user) send({ type: "identify", ...state.user }, { kind: "identify" });
    if (state.attributes) send({ type: "contact.update", attributes: state.attributes }, { kind: "attributes" });
    if (isActive(state.conversation)) send({ type: "context.update", context: page() });
  }

  // --- inbound frames --------------------------------------------------------------------------

  function handle(frame) {
    const meta = frame.ref ? requests.get(frame.ref) : null;
    if (frame.ref) requests.delete(frame.ref);
    switch (frame.type) {
      case "auth.ok":
        attempt = 0;
        state.ready = state.wasReady = true;
        state.authAt = Date.now();
        if (frame.token) {
          state.token = frame.token;
          store.set("token", frame.token);
        }
        state.contact = frame.contact;
        state.greeting = frame.greeting || "";
        if (frame.survey) state.survey = frame.survey;
        if (frame.widget) store.set("cfg", (state.cfg = { prechat: [], teams: [], ...frame.widget }));
        if (frame.availability) store.set("availability", (state.availability = frame.availability));
        if (frame.conversation) {
          adopt(frame.conversation);
          resume();
        } else {
          if (state.conversation) forgetConversation();
          flush();
        }
        introduce();
        break;
      case "conversation":
        if (frame.conversation) follow(frame.conversation);
        if (frame.message) receive(frame.message, true, true);
        break;
      case "message.new":
        receive(frame.message, frame.replay === true);
        break;
      case "message.ack":
        receive(frame.message, true, true);
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
          if (meta && meta.comment) state.commented = true;
        }
        break;
      case "identify":
      case "contact":
        if (frame.contact) state.contact = frame.contact;
        if (meta && meta.kind === "attributes") state.attributes = null;
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

  // ``replay``: from a resume or an acknowledgement (no gap check); ``fresh``: new to this visitor.
  function receive(msg, replay, fresh = !replay) {
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
      attachments: msg.attachments || [],
      created_at: msg.created_at,
    });
    if (!replay && msg.seq > state.lastSeq + 1) resume(); // a gap: fetch what is missing
    advance(0);
    if (fresh) {
      emit("message", { id: msg.id, conversation: msg.conversation, sender: msg.sender, text: msg.text, attachments: msg.attachments || [] });
      if (msg.sender.kind !== "contact") announce(t("announce", { name: msg.sender.name || t("support"), text: serverText(msg.text) }));
    }
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
    const reason = frame.message || frame.code;
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
        state.failed.push({ text: item.text, reason });
      }
    } else if (kind === "rate") {
      state.notice = t("rateFailed", { reason });
    } else if (kind) {
      state.notice = reason;
    }
  }

  // --- REST: files, history, transcript ---------------------------------------------------------

  async function api(path, options) {
    const response = await fetch(API + path, { ...options, headers: { Authorization: "Bearer " + state.token, ...(options && options.headers) } });
    if (!response.ok) {
      let message = response.statusText;
      try {
        message = (await response.json()).error.message;
      } catch {
        /* not a JSON error body */
      }
      throw new Error(message);
    }
    return response;
  }

  const blobs = new Map(); // attachment id -> promise of an object URL
  function blobUrl(id) {
    if (!blobs.has(id)) blobs.set(id, api("attachments/" + id + "/").then((r) => r.blob()).then((b) => URL.createObjectURL(b)));
    return blobs.get(id);
  }
  function save(url, name) {
    const a = el("a", { href: url, download: name, hidden: "" });
    ui.root.append(a);
    a.click();
    a.remove();
  }
  const size = (n) => (n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB");

  async function upload(file) {
    const c = state.conversation;
    if (!isActive(c) || !state.token) return;
    const limit = state.cfg.max_attachment_bytes || 10485760;
    if (file.size > limit) {
      state.failed.push({ text: file.name, reason: t("tooBig", { name: file.name, size: Math.floor(limit / 1048576) }) });
      return render(true);
    }
    const key = uuid();
    state.uploads.push({ key, name: file.name });
    render(true);
    try {
      const body = new FormData();
      body.append("file", file, file.name);
      const stored = await (await api("conversations/" + c.id + "/attachments/", { method: "POST", body })).json();
      state.outbox.push({ client_id: uuid(), text: "", conversation: c.id, attachments: [stored.id], files: [stored] });
      saveOutbox();
      flush();
    } catch (error) {
      state.failed.push({ text: file.name, reason: error.message });
    } finally {
      state.uploads = state.uploads.filter((u) => u.key !== key);
      render(true);
    }
  }

  async function showHistory() {
    state.view = "history";
    state.history = null;
    draw();
    ui.back.focus();
    try {
      state.history = (await (await api("conversations/")).json()).results;
    } catch (error) {
      state.history = [];
      state.notice = error.message;
    }
    render();
  }

  function reopen(conversation) {
    state.view = "chat";
    state.pinned = conversation.id;
    follow(conversation);
    render(true);
    ui.input.focus();
  }

  async function downloadTranscript() {
    const c = state.conversation;
    try {
      const blob = await (await api("conversations/" + c.id + "/transcript.txt")).blob();
      const url = URL.createObjectURL(blob);
      save(url, "conversation-" + c.number + ".txt");
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      state.notice = error.message;
      render();
    }
  }

  async function emailTranscript(address) {
    const c = state.conversation;
    state.notice = "";
    try {
      const { email } = await (
        await api("conversations/" + c.id + "/transcript/email/", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(address ? { email: address } : {}),
        })
      ).json();
      state.done = t("emailSent", { email });
      state.askEmail = false;
    } catch (error) {
      state.notice = error.message;
    }
    render();
  }

  // --- outbound actions ------------------------------------------------------------------------

  function queue(text, start) {
    const c = state.conversation;
    const into = isActive(c) || (c && state.pinned === c.id); // a past conversation reopened from the list
    const item = { client_id: uuid(), text, conversation: into ? c.id : null };
    if (start) item.start = start;
    state.outbox.push(item);
    saveOutbox();
    if (socket) flush();
    else connect();
  }

  function submit() {
    const text = ui.input.value;
    if (!text.trim()) return;
    queue(text);
    ui.input.value = "";
    grow();
    stopTyping();
    state.done = "";
    render(true);
  }

  // The pre-chat and offline forms: check the required fields here, the server checks again.
  function submitForm(event, offlineForm) {
    event.preventDefault();
    const box = offlineForm ? ui.off : ui.pre;
    const values = {};
    for (const input of box.querySelectorAll("[name]")) values[input.name] = input.value.trim();
    for (const input of box.querySelectorAll("[name]")) {
      input.removeAttribute("aria-invalid");
      const label = input.dataset.label;
      const problem = input.required && !values[input.name] ? t("required", { label }) : input.type === "email" && values[input.name] && !input.checkValidity() ? t("badEmail") : "";
      if (problem) {
        input.setAttribute("aria-invalid", "true");
        state.notice = problem;
        render();
        input.focus();
        return;
      }
    }
    state.notice = "";
    const text = values.__text;
    delete values.__text;
    if (offlineForm) {
      queue(text, { offline: true, email: values.email, name: values.name || undefined });
      state.done = t("offlineDone", { email: values.email });
    } else {
      const start = {};
      if (values.__team) start.team = Number(values.__team);
      delete values.__team;
      start.fields = Object.fromEntries(Object.entries(values).filter(([, v]) => v));
      queue(text, start);
    }
    box.reset();
    render(true);
    ui.input.focus();
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

  function rate(score, comment) {
    state.notice = "";
    if (!send({ type: "rate", score, comment: comment || "" }, { kind: "rate", comment: !!comment })) connect();
  }

  function open() {
    const was = state.open;
    state.open = true;
    if (!ui.host) return; // opened once mounted
    // Availability comes with auth.ok: when the offline form would show on an old answer, ask again.
    if (socket && state.ready && form() === "offline" && Date.now() - state.authAt > 30000) socket.close();
    connect();
    scrollWanted = true;
    draw(); // now, so that the panel is shown before focus moves into it
    focusView();
    if (!was) emit("open");
  }

  function close() {
    const was = state.open;
    state.open = false;
    if (!ui.host) return;
    const hadFocus = ui.root.activeElement != null;
    stopTyping();
    draw();
    if (hadFocus) ui.launcher.focus();
    if (was) emit("close");
  }

  function focusView() {
    const target = state.view === "history" ? ui.back : form() === "offline" ? ui.off : form() === "prechat" ? ui.pre : null;
    (target ? target.querySelector("input,select,textarea") || target : ui.input).focus();
  }

  function setLocale(wanted) {
    if (wanted) store.set("locale", wanted);
    else store.del("locale");
    locale = pickLocale(wanted);
    if (ui.host) {
      nodes.clear();
      labels();
      draw();
    }
  }

  // --- the view --------------------------------------------------------------------------------

  const CSS = `
:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.w{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1d2433;-webkit-font-smoothing:antialiased}
.sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button{font:inherit;cursor:pointer}
:focus-visible{outline:3px solid #9db4ff;outline-offset:2px}
.launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#2d55e6;color:#fff;box-shadow:0 6px 20px rgba(20,30,70,.3);display:grid;place-items:center}
.launcher:hover{background:#2046cc}
svg{width:18px;height:18px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;vertical-align:middle}
.launcher svg{width:26px;height:26px}
.file svg{margin-right:4px}
.file.pic{padding:0;border:0;background:none}
.badge{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#c8102e;color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center}
.panel{position:fixed;right:20px;bottom:88px;width:370px;height:min(600px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(20,30,70,.28);overflow:hidden}
header{background:#2d55e6;color:#fff;padding:12px 10px 10px 14px;display:flex;align-items:flex-start;gap:8px}
header div{flex:1;min-width:0}
h2{margin:0;font-size:16px;font-weight:650}
.status{margin:2px 0 0;font-size:13px}
.av{flex:none;width:34px;height:34px;border-radius:50%;background:#fff;color:#2d55e6;display:grid;place-items:center;font-weight:700;font-size:13px}
.x{flex:none;border:0;background:transparent;color:#fff;min-width:32px;height:32px;border-radius:8px;font-size:14px;font-weight:600;line-height:1;padding:0 6px}
.x:hover{background:rgba(255,255,255,.15)}
.x.close{font-size:22px}
.log{flex:1;overflow-y:auto;margin:0;padding:14px;list-style:none;display:flex;flex-direction:column;gap:8px;background:#f5f7fb}
.m{max-width:82%;align-self:flex-start;display:flex;flex-direction:column}
.m p{margin:0;padding:8px 12px;border-radius:14px 14px 14px 4px;background:#fff;border:1px solid #e2e6ef;white-space:pre-wrap;overflow-wrap:anywhere}
.m .who{font-size:12px;color:#4a5366;margin:0 0 2px 4px}
.m .meta{font-size:11px;color:#4a5366;margin:2px 6px 0;align-self:flex-end}
.m.me{align-self:flex-end}
.m.me p{background:#2d55e6;border-color:#2d55e6;color:#fff;border-radius:14px 14px 4px 14px}
.m.pending p{background:#fff;color:#1d2433;border:1px dashed #2d55e6}
.m.failed p{background:#fff;color:#1d2433;border:1px dashed #c8102e}
.m.failed .meta{color:#b3182c}
.m.sys{align-self:center;max-width:92%;text-align:center}
.m.sys p{background:transparent;border:0;padding:2px 8px;color:#4a5366;font-size:12.5px;font-style:italic}
.files{display:flex;flex-direction:column;gap:4px;margin-top:4px}
.files img{max-width:220px;max-height:180px;border-radius:10px;border:1px solid #e2e6ef;display:block;background:#fff}
.file{border:1px solid #cfd6e4;background:#fff;color:#1d3bb3;border-radius:10px;padding:6px 10px;text-align:left;text-decoration:underline;overflow-wrap:anywhere}
.typing{padding:4px 18px;font-size:12.5px;color:#4a5366;font-style:italic;background:#f5f7fb}
.rate,.comment,.tools{padding:10px 16px;border-top:1px solid #e2e6ef;text-align:center}
.rate p{margin:0 0 8px}
.stars{display:flex;justify-content:center;gap:6px}
.stars button{width:40px;height:40px;border-radius:10px;border:1px solid #cfd6e4;background:#fff;color:#2d55e6;font-weight:700}
.stars button:hover{background:#eef2ff}
.comment{display:flex;gap:6px}
.comment input{flex:1}
.notice{color:#b3182c;font-size:12.5px;margin:4px 12px}
.done,.thanks{color:#14622f;font-size:12.5px;margin:4px 12px}
.link{border:0;background:none;color:#1d3bb3;text-decoration:underline;padding:2px 4px;font-size:12.5px}
form.compose{display:flex;gap:6px;align-items:flex-end;padding:10px 12px;border-top:1px solid #e2e6ef;background:#fff}
textarea,input,select{font:inherit;color:inherit;border:1px solid #8a93a6;border-radius:10px;padding:8px 10px;background:#fff;min-width:0}
textarea{flex:1;resize:none;max-height:120px;min-height:38px}
textarea:focus,input:focus,select:focus{border-color:#2d55e6;outline:none;box-shadow:0 0 0 3px rgba(45,85,230,.25)}
[aria-invalid=true]{border-color:#c8102e}
.send{border:0;border-radius:10px;background:#2d55e6;color:#fff;padding:0 14px;height:38px;font-weight:600}
.send:hover{background:#2046cc}
.clip{flex:none;border:1px solid #8a93a6;border-radius:10px;background:#fff;color:#2d55e6;width:38px;height:38px;display:grid;place-items:center}
.card{flex:1;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:10px;background:#f5f7fb}
.card p{margin:0}
.card label{display:flex;flex-direction:column;gap:4px;font-size:13px;font-weight:600}
.card label>:not(span){font-weight:400;font-size:14px}
.card textarea{min-height:70px;flex:none}
.hist{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
.hist button{width:100%;text-align:left;border:1px solid #cfd6e4;border-radius:10px;background:#fff;padding:8px 10px;color:#1d2433}
@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100%;border-radius:0}}
`;

  const ui = {};

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    node.append(...children.filter((c) => c != null));
    return node;
  }

  // Line icons drawn here (no icon font, no emoji font needed).
  const ICONS = {
    chat: "M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z",
    history: "M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l3 2",
    download: "M12 3v12M7 10l5 5 5-5M5 21h14",
    clip: "M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.5 3.5 0 0 1 5 5l-8.6 8.6a2 2 0 0 1-2.8-2.8l7.9-7.9",
    file: "M14 3H6v18h12V7zM14 3v4h4",
  };
  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
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
    ui.launcher = el("button", { class: "launcher", type: "button", "aria-haspopup": "dialog", "aria-controls": "hd-panel", onclick: () => (state.open ? close() : open()) }, icon("chat"), ui.badge);
    ui.title = el("h2", { id: "hd-title" });
    ui.status = el("p", { class: "status", id: "hd-status" });
    ui.avatar = el("span", { class: "av", "aria-hidden": "true", hidden: "" });
    ui.historyButton = el("button", { class: "x", type: "button", onclick: showHistory }, icon("history"));
    ui.downloadButton = el("button", { class: "x", type: "button", onclick: downloadTranscript }, icon("download"));
    ui.lang = el("button", { class: "x", type: "button", onclick: () => setLocale(locale === "en" ? "zh-Hans" : "en") });
    ui.close = el("button", { class: "x close", type: "button", text: "×", onclick: close });
    ui.log = el("ol", { class: "log", tabindex: "0" });
    ui.typing = el("div", { class: "typing", "aria-live": "polite" });
    ui.live = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
    ui.rate = el("div", { class: "rate" });
    ui.commentBox = el("input", { type: "text", maxlength: "2000" });
    ui.comment = el("form", { class: "comment", onsubmit: (e) => (e.preventDefault(), ui.commentBox.value.trim() && rate(state.conversation.rating.score, ui.commentBox.value.trim())) }, ui.commentBox, el("button", { class: "send", type: "submit" }));
    ui.emailBox = el("input", { type: "email", maxlength: "254", autocomplete: "email" });
    ui.emailForm = el("form", { class: "comment", onsubmit: (e) => (e.preventDefault(), emailTranscript(ui.emailBox.value.trim())) }, ui.emailBox, el("button", { class: "send", type: "submit" }));
    ui.emailLink = el("button", { class: "link", type: "button", onclick: () => (state.contact && state.contact.email ? emailTranscript("") : ((state.askEmail = true), draw(), ui.emailBox.focus())) });
    ui.thanks = el("p", { class: "thanks" });
    ui.tools = el("div", { class: "tools" }, ui.emailLink, ui.emailForm, ui.thanks);
    ui.notice = el("p", { class: "notice", role: "alert" });
    ui.done = el("p", { class: "done", role: "status" });
    ui.file = el("input", { type: "file", hidden: "", accept: "image/png,image/jpeg,image/gif,image/webp,application/pdf,application/zip,text/plain", onchange: () => ([...ui.file.files].forEach(upload), (ui.file.value = "")) });
    ui.clip = el("button", { class: "clip", type: "button", onclick: () => ui.file.click() }, icon("clip"));
    ui.input = el("textarea", {
      rows: "1",
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
    ui.sendButton = el("button", { class: "send", type: "submit" });
    ui.compose = el("form", { class: "compose", onsubmit: (e) => (e.preventDefault(), submit()) }, ui.file, ui.clip, ui.input, ui.sendButton);
    ui.pre = el("form", { class: "card", novalidate: true, onsubmit: (e) => submitForm(e, false) });
    ui.off = el("form", { class: "card", novalidate: true, onsubmit: (e) => submitForm(e, true) });
    ui.back = el("button", { class: "link", type: "button", onclick: () => ((state.view = "chat"), draw(), ui.input.focus()) });
    ui.histList = el("ul", { class: "hist" });
    ui.hist = el("div", { class: "card" }, ui.back, ui.histList);
    ui.panel = el(
      "section",
      { class: "panel", id: "hd-panel", role: "dialog", "aria-labelledby": "hd-title", "aria-describedby": "hd-status", hidden: "" },
      el("header", {}, ui.avatar, el("div", {}, ui.title, ui.status), ui.historyButton, ui.downloadButton, ui.lang, ui.close),
      ui.log,
      ui.pre,
      ui.off,
      ui.hist,
      ui.typing,
      ui.rate,
      ui.comment,
      ui.tools,
      ui.notice,
      ui.done,
      ui.compose,
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
    // Page context: the chat follows the visitor from page to page, without touching the host's history.
    let where = location.href;
    const moved = () => {
      if (location.href === where) return;
      where = location.href;
      if (state.ready && isActive(state.conversation)) send({ type: "context.update", context: page() });
    };
    addEventListener("popstate", moved);
    addEventListener("hashchange", moved);
    setInterval(moved, 1500);
    // Other tabs of this visitor: messages typed there while offline show here as pending too.
    addEventListener("storage", (e) => {
      if (e.key === PREFIX + "outbox") {
        memory.delete("outbox");
        const known = new Set(state.outbox.map((m) => m.client_id));
        for (const item of store.get("outbox") || []) if (!known.has(item.client_id)) state.outbox.push(item);
        render();
      }
    });
    labels();
    render();
  }

  // Texts and accessible names that do not change with the state: set again when the locale changes.
  function labels() {
    ui.host.setAttribute("lang", locale === "en" ? "en" : "zh-Hans");
    ui.title.textContent = t("title");
    ui.log.setAttribute("aria-label", t("transcript"));
    ui.input.setAttribute("aria-label", t("composer"));
    ui.input.placeholder = t("placeholder");
    ui.sendButton.textContent = t("send");
    ui.clip.setAttribute("aria-label", t("attach"));
    ui.clip.title = t("attach");
    ui.close.setAttribute("aria-label", t("closeChat"));
    ui.historyButton.setAttribute("aria-label", t("history"));
    ui.historyButton.title = t("history");
    ui.downloadButton.setAttribute("aria-label", t("download"));
    ui.downloadButton.title = t("download");
    ui.lang.textContent = t("language");
    ui.lang.setAttribute("aria-label", t("languageLabel"));
    ui.lang.setAttribute("lang", locale === "en" ? "zh-Hans" : "en");
    ui.back.textContent = "← " + t("back");
    ui.commentBox.setAttribute("aria-label", t("comment"));
    ui.commentBox.placeholder = t("comment");
    ui.comment.lastChild.textContent = t("commentSend");
    ui.emailBox.setAttribute("aria-label", t("email"));
    ui.emailForm.lastChild.textContent = t("send");
    ui.emailLink.textContent = t("emailMe");
    ui.thanks.textContent = t("commentThanks");
    ui.rateSig = ui.histSig = "";
    ui.emailBox.placeholder = t("email");
    buildForms();
  }

  function field(name, label, attrs, control) {
    const input = control || el("input", { name, ...attrs });
    input.dataset.label = label;
    return el("label", {}, el("span", { text: attrs.required ? label + " *" : t("optional", { label }) }), input);
  }

  function buildForms() {
    const cfg = state.cfg;
    const pre = [el("p", { text: serverText(state.greeting || EN.greeting, "greeting") }), el("p", { text: t("prechat") })];
    for (const f of cfg.prechat) {
      const label = f.key === "name" && f.label === "Name" ? t("name") : f.key === "email" && f.label === "Email" ? t("email") : f.label;
      const attrs = { type: f.type === "select" ? null : f.type, required: f.required, maxlength: "500", autocomplete: f.key === "name" ? "name" : f.key === "email" ? "email" : null };
      const control = f.type === "select" ? el("select", { name: f.key, required: f.required }, el("option", { value: "", text: "—" }), ...f.options.map((o) => el("option", { value: o, text: o }))) : null;
      pre.push(field(f.key, label, attrs, control));
    }
    if (cfg.teams.length) {
      pre.push(field("__team", t("team"), { required: false }, el("select", { name: "__team" }, el("option", { value: "", text: t("teamAny") }), ...cfg.teams.map((team) => el("option", { value: String(team.id), text: team.name })))));
    }
    pre.push(field("__text", t("composer"), { required: true }, el("textarea", { name: "__text", required: true, maxlength: "5000" })), el("button", { class: "send", type: "submit", text: t("start") }));
    ui.pre.replaceChildren(...pre);
    ui.off.replaceChildren(
      el("h3", { text: t("awayTitle"), style: "margin:0;font-size:15px" }),
      el("p", { text: serverText(cfg.away_message || EN.away, "away") }),
      field("name", t("name"), { type: "text", maxlength: "120", autocomplete: "name" }),
      field("email", t("email"), { type: "email", required: true, maxlength: "254", autocomplete: "email" }),
      field("__text", t("question"), { required: true }, el("textarea", { name: "__text", required: true, maxlength: "5000" })),
      el("button", { class: "send", type: "submit", text: t("send") }),
    );
    ui.formsFor = formsKey();
  }

  const formsKey = () => JSON.stringify([locale, state.greeting, state.cfg.prechat, state.cfg.teams, state.cfg.away_message]);

  function grow() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 120) + "px";
  }

  function announce(text) {
    if (!ui.live) return;
    ui.live.textContent = "";
    setTimeout(() => (ui.live.textContent = text), 50);
  }

  // Files of a message: image previews (fetched with the token, shown from a blob: URL) and downloads.
  function files(list) {
    if (!list || !list.length) return null;
    return el(
      "div",
      { class: "files" },
      ...list.map((a) => {
        const label = t("file", { name: a.name, size: size(a.size) });
        const button = el("button", { class: "file", type: "button", text: a.is_image ? "" : a.name, "aria-label": label, onclick: () => blobUrl(a.id).then((url) => save(url, a.name)) });
        if (!a.is_image) button.prepend(icon("file"));
        if (a.is_image) {
          const img = el("img", { alt: a.name, width: a.width && Math.min(a.width, 220), loading: "lazy" });
          blobUrl(a.id).then((url) => (img.src = url), () => (img.alt = a.name + " ✕"));
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
    if (!state.ready) return attempt > 0 ? t(state.wasReady ? "reconnecting" : "unreachable") : socket ? t("connecting") : "";
    if (!c || !c.status) return "";
    if (c.status === "waiting") {
      if (!c.queue_position) return t("waiting");
      const line = t("queue", { position: c.queue_position, waiting: c.queue_length || c.queue_position });
      const wait = c.estimated_wait_seconds;
      return typeof wait === "number" && wait >= 60 ? line + " " + t("estimate", { minutes: Math.round(wait / 60) }) : line;
    }
    if (c.status === "resolved") return t("resolved");
    return c.assignee && c.assignee.name ? t("chattingWith", { name: c.assignee.name }) : "";
  }

  const initials = (name) => name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join("");

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
    const agent = c && c.status !== "waiting" && c.assignee && c.assignee.name;
    ui.avatar.hidden = !agent;
    ui.avatar.textContent = agent ? initials(agent) : "";
    ui.avatar.title = agent || "";
    if (!state.open) return;

    if (ui.formsFor !== formsKey()) {
      const focused = ui.root.activeElement;
      buildForms();
      if (focused && !ui.root.contains(focused)) focusView();
    }
    const history = state.view === "history";
    const shown = history ? "" : form();
    const chat = !history && !shown;
    const hadFocus = ui.root.activeElement;
    ui.pre.hidden = shown !== "prechat";
    ui.off.hidden = shown !== "offline";
    ui.hist.hidden = !history;
    ui.log.hidden = ui.compose.hidden = !chat;
    ui.clip.hidden = !isActive(c) || !state.token;
    ui.historyButton.hidden = !state.token || history;
    ui.downloadButton.hidden = !c || !c.number || history;
    if (hadFocus && hadFocus.closest("[hidden]")) focusView();

    const near = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 60;
    const items = [];
    if (!state.messages.length && chat) items.push(bubble("greeting", "", t("support"), serverText(state.greeting || EN.greeting, "greeting")));
    const agentRead = (c && c.agent_last_read_seq) || 0;
    state.messages.forEach((m) => {
      const key = m.id;
      if (m.sender.kind === "system") items.push(bubble(key, "sys", "", serverText(m.text)));
      else if (m.sender.kind === "contact") items.push(bubble(key, "me", "", m.text, m.seq <= agentRead ? t("seen") : t("delivered"), m.attachments));
      else items.push(bubble(key, "", m.sender.name || t("support"), m.text, "", m.attachments));
    });
    for (const m of state.outbox) {
      if (!m.conversation || (c && m.conversation === c.id)) items.push(bubble(m.client_id, "me pending", "", m.text, t("sending"), m.files));
    }
    for (const u of state.uploads) items.push(bubble(u.key, "me pending", "", t("uploading", { name: u.name }), t("sending")));
    state.failed.forEach((m, i) => items.push(bubble("f" + i, "me failed", "", m.text, t("failed", { reason: m.reason }))));
    if (nodes.size > items.length + 50) {
      const keep = new Set(items);
      for (const [k, v] of nodes) if (!keep.has(v.node)) nodes.delete(k);
    }
    ui.log.replaceChildren(...items);
    if (scroll || near) ui.log.scrollTop = ui.log.scrollHeight;

    ui.typing.hidden = !state.typing || !chat;
    ui.typing.textContent = state.typing ? t("typing", { name: state.typing }) : "";

    const resolved = chat && c && c.status === "resolved";
    const survey = state.survey || {};
    // Rebuilt only when what it shows changes, so that a keyboard user's focus stays put.
    const rateSig = JSON.stringify([resolved, resolved && !!c.rating, survey, locale]);
    if (ui.rateSig !== rateSig) {
      ui.rateSig = rateSig;
      ui.rate.hidden = !resolved;
      if (resolved && c.rating) ui.rate.replaceChildren(el("p", { text: t("rated") }));
      else if (resolved) {
        ui.rate.replaceChildren(
          el("p", { id: "hd-rate", text: serverText(survey.question || EN.rateQuestion, "rateQuestion") }),
          el("div", { class: "stars", role: "group", "aria-labelledby": "hd-rate" }, ...scale(survey.scale).map(([n, face, label]) => el("button", { type: "button", "aria-label": label, text: face, onclick: () => rate(n) }))),
        );
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

    const histSig = JSON.stringify([history, state.history, locale]);
    if (history && ui.histSig !== histSig) {
      ui.histSig = histSig;
      const list = state.history;
      ui.histList.replaceChildren(
        ...(list == null
          ? [el("li", { text: "…" })]
          : list.length
            ? list.map((h) =>
                el("li", {}, el("button", { type: "button", text: t("item", { n: h.number, status: t("s_" + h.status), date: new Date(h.created_at).toLocaleDateString(locale === "en" ? "en" : "zh-CN") }), onclick: () => reopen(h) })),
              )
            : [el("li", { text: t("noHistory") })]),
      );
    }
  }

  // --- the JavaScript API ----------------------------------------------------------------------

  const Helpdesk = Object.freeze({
    open,
    close,
    // A signed-in user of the host site: {id, name, email, hash}; hash = HMAC-SHA256(inbox secret, id).
    // Without a valid hash the server ignores the claim (docs/widget.md).
    setUser(user) {
      if (!user || user.id == null) return;
      state.user = { id: String(user.id), hash: user.hash == null ? "" : String(user.hash), name: user.name, email: user.email };
      if (state.ready) send({ type: "identify", ...state.user }, { kind: "identify" });
      else if (state.token) connect();
    },
    setAttributes(attributes) {
      if (!attributes || typeof attributes !== "object") return;
      state.attributes = { ...state.attributes, ...attributes };
      if (state.ready) send({ type: "contact.update", attributes: state.attributes }, { kind: "attributes" });
    },
    setLocale,
    on(name, fn) {
      if (listeners[name] && typeof fn === "function") listeners[name].push(fn);
    },
  });
  window.Helpdesk = Helpdesk;

  function start() {
    locale = pickLocale();
    mount();
    const current = store.get("current");
    if (current) adopt({ id: current }); // show the cached transcript at once; auth.ok confirms it
    for (const [name, args] of (early && early.q) || []) if (typeof Helpdesk[name] === "function") Helpdesk[name](...args);
    if (state.open) open();
    else if (state.token || state.outbox.length) connect(); // a new visitor connects on first open
    render();
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
