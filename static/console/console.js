/* The agent console: the agent socket (/ws/agent/, session auth) for live state and actions, and
 * the REST API for transcripts, the contact panel and search. Text is only ever set as
 * textContent (search highlights are built from segments with <mark> elements), never as HTML.
 *
 * The state is one map of every conversation the agent may see (filled by `hello`, kept fresh by
 * events); the lists (Queue, Mine, and the Team / All / Resolved view) are filters over it, so
 * they all change live. Transcripts are kept per conversation once opened, so switching between
 * several chats is instant; a sync by sequence number fills whatever a transcript missed.
 */
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const data = (id) => JSON.parse($(id).textContent);
  const ME = data("hd-agent-id");
  const MY_NAME = data("hd-agent-name");
  const CAPACITY = data("hd-agent-capacity");
  const MANAGER = data("hd-manager");
  const COLLEAGUES = data("hd-colleagues"); // [{id, username, name}]: who a note can @mention
  const SETTINGS = data("hd-settings");
  const SOCKET_URL = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/agent/";
  const BASE_TITLE = document.title;
  const t = window.HelpdeskStrings.t;
  const EMOJI = "😀 😄 😉 😊 🙂 🙏 👍 👋 🎉 ❤️ 😅 🤔 😢 😮 👀 ✅ ❌ ⭐ 📦 🚚 💳 📧 ⏳ 🔧".split(" ");

  const uuid = () => {
    if (crypto.randomUUID) return crypto.randomUUID();
    const h = [...crypto.getRandomValues(new Uint8Array(16))].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  };

  // --- state ---------------------------------------------------------------------------------

  const state = {
    conversations: new Map(), // id -> conversation payload, as the agent sees it
    transcripts: new Map(), // id -> {messages, seqs, lastSeq, loaded, loading, loadError, syncing, readSent}
    previews: new Map(), // id -> the latest message text
    unread: new Map(), // id -> messages from the contact not seen yet
    mentioned: new Set(), // conversations where someone @mentioned me, not opened since
    selected: null,
    view: "team",
    teams: [],
    tags: [],
    canned: [],
    pending: new Map(), // client_id -> {frame}: sent, not yet acknowledged
    typing: null,
    availability: data("hd-agent-availability"),
    greetedOnce: false,
  };

  const ACTIVE = new Set(["waiting", "open", "pending"]);
  const inQueue = (c) => c.status === "waiting";
  const isMine = (c) => (c.status === "open" || c.status === "pending") && c.assignee && c.assignee.id === ME;
  const VIEWS = {
    team: (c) => ACTIVE.has(c.status) && c.team && state.teams.includes(c.team.id),
    all: (c) => ACTIVE.has(c.status),
    resolved: (c) => c.status === "resolved",
  };

  function transcript(id) {
    let tr = state.transcripts.get(id);
    if (!tr) {
      tr = { messages: [], seqs: new Set(), lastSeq: 0, loaded: false, loading: false, loadError: "", syncing: false, readSent: 0 };
      state.transcripts.set(id, tr);
    }
    return tr;
  }
  const current = () => (state.selected ? transcript(state.selected) : null);

  // Store the latest state of a conversation; returns what it was before (or undefined).
  function upsert(conversation) {
    const known = state.conversations.get(conversation.id);
    const before = known ? { ...known } : undefined;
    state.conversations.set(conversation.id, Object.assign(known || {}, conversation));
    return before;
  }

  function addMessage(msg) {
    const tr = state.transcripts.get(msg.conversation);
    if (!tr || tr.seqs.has(msg.seq)) return;
    tr.seqs.add(msg.seq);
    let i = tr.messages.length;
    while (i > 0 && tr.messages[i - 1].seq > msg.seq) i -= 1;
    tr.messages.splice(i, 0, msg);
    while (tr.seqs.has(tr.lastSeq + 1)) tr.lastSeq += 1;
  }

  // --- socket ----------------------------------------------------------------------------------

  let socket = null;
  let attempt = 0;
  let failures = 0; // sockets closed before they said hello
  let retryTimer = 0;
  let pingTimer = 0;
  let awaitingPong = false;
  let refs = 0;
  let greeted = false;
  const requests = new Map();

  function send(frame, meta) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    if (meta) {
      frame.ref = "c" + ++refs;
      requests.set(frame.ref, meta);
    }
    socket.send(JSON.stringify(frame));
    return true;
  }

  function connect() {
    clearTimeout(retryTimer);
    if (socket) return;
    const ws = new WebSocket(SOCKET_URL);
    socket = ws;
    greeted = false;
    setConnection(attempt ? "reconnecting" : "connecting");
    ws.onopen = () => {
      awaitingPong = false;
      pingTimer = setInterval(() => {
        if (awaitingPong) ws.close();
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
      clearInterval(pingTimer);
      requests.clear();
      for (const tr of state.transcripts.values()) tr.syncing = false;
      if (!greeted) failures += 1;
      const ceiling = Math.min(10000, 500 * 2 ** Math.min(attempt, 5));
      attempt += 1;
      retryTimer = setTimeout(connect, ceiling / 2 + (Math.random() * ceiling) / 2);
      setConnection("reconnecting");
      if (failures >= 3) notify(t("cannotConnect"), "error", true);
    };
  }

  function setConnection(name) {
    const node = $("connection");
    node.dataset.state = name;
    node.textContent = t(name);
  }

  function sync(id) {
    const tr = state.transcripts.get(id);
    if (!tr || !tr.loaded || tr.syncing) return;
    tr.syncing = send({ type: "sync", conversation: id, after_seq: tr.lastSeq }, { kind: "sync", conversation: id });
  }

  // --- inbound ---------------------------------------------------------------------------------

  function handle(frame) {
    const meta = frame.ref ? requests.get(frame.ref) : null;
    if (frame.ref) requests.delete(frame.ref);
    switch (frame.type) {
      case "hello":
        hello(frame);
        break;
      case "conversation.updated":
      case "conversation.ack": {
        const known = upsert(frame.conversation);
        const c = state.conversations.get(frame.conversation.id);
        if (frame.type === "conversation.updated" && inQueue(c) && (!known || known.status !== "waiting")) {
          alertAgent(t("newChat", { number: c.number, name: contactName(c) }), "queue-" + c.id);
        }
        const tr = state.transcripts.get(c.id);
        if (tr && tr.loaded && (c.last_seq || 0) > tr.lastSeq) sync(c.id);
        // The panel shows the status in the history and the page the visitor is on: refresh it.
        const moved = known && JSON.stringify(known.context) !== JSON.stringify(c.context);
        if (c.id === state.selected && known && (known.status !== c.status || moved)) loadContact(c.id);
        break;
      }
      case "message.new":
        live(frame.message);
        break;
      case "message.ack":
        state.pending.delete(frame.message.client_id);
        addMessage(frame.message);
        break;
      case "sync.done": {
        const tr = meta && state.transcripts.get(meta.conversation);
        if (tr) {
          tr.syncing = false;
          upsert(frame.conversation);
          frame.messages.forEach(addMessage);
          if (frame.has_more) sync(meta.conversation);
        }
        break;
      }
      case "typing":
        if (frame.conversation === state.selected && frame.sender.id !== ME) {
          clearTimeout(state.typingTimer);
          state.typing = frame.is_typing ? frame.sender.name || t("visitor") : null;
          if (state.typing) state.typingTimer = setTimeout(() => ((state.typing = null), render()), 8000);
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
        setAvailability(frame.agent.availability);
        break;
      case "agent.updated":
        if (frame.agent.id === ME && frame.agent.availability !== "offline") setAvailability(frame.agent.availability);
        labelAgent(frame.agent.id, frame.agent.availability);
        break;
      case "conversation.transferred": {
        const c = state.conversations.get(frame.conversation);
        const vars = { by: frame.by, number: c ? c.number : "", note: frame.note };
        const text = t(frame.note ? "transferredNote" : "transferred", vars);
        notify(text, "info");
        alertAgent(text, "transfer-" + frame.conversation);
        break;
      }
      case "mention": {
        const text = t("mentioned", { by: frame.by, number: frame.number, text: frame.message.text.slice(0, 140) });
        if (frame.conversation !== state.selected) state.mentioned.add(frame.conversation);
        else markMentionsSeen(frame.conversation, frame.message.seq);
        notify(text, "info");
        alertAgent(text, "mention-" + frame.message.id);
        break;
      }
      case "canned.expanded":
        if (frame.conversation === state.selected) {
          const box = $("composer-text");
          box.value = frame.text;
          box.focus();
          box.setSelectionRange(box.value.length, box.value.length);
          closeCanned();
        }
        break;
      case "error":
        failure(frame, meta);
        break;
      case "pong":
        awaitingPong = false;
        return;
      default:
        return;
    }
    render();
  }

  function hello(frame) {
    const reconnect = attempt > 0;
    greeted = true;
    attempt = 0;
    failures = 0;
    setConnection("connected");
    if (reconnect) clearNotice();
    const selected = state.selected && state.conversations.get(state.selected);
    state.conversations = new Map();
    if (selected) upsert(selected);
    const lists = [frame.queue, frame.mine, frame.others || [], frame.resolved || []];
    for (const list of lists) for (const c of list) upsert(c);
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
      if (!mentionSeen(m.conversation, m.seq) && m.conversation !== state.selected) state.mentioned.add(m.conversation);
    }
    state.canned = frame.canned || [];
    fillTagPickers();
    if (frame.agent) setAvailability(frame.agent.availability);
    for (const id of state.transcripts.keys()) sync(id); // after a reconnect: whatever open transcripts missed
    for (const item of state.pending.values()) send(item.frame, { kind: "message", clientId: item.frame.client_id });
  }

  function live(msg) {
    if (msg.sender.kind === "agent" && msg.client_id) state.pending.delete(msg.client_id);
    state.previews.set(msg.conversation, (msg.is_private ? t("notePrefix") : "") + msg.text);
    const c = state.conversations.get(msg.conversation);
    if (c) {
      c.last_seq = Math.max(c.last_seq || 0, msg.seq);
      if (msg.public_seq) c.last_public_seq = Math.max(c.last_public_seq || 0, msg.public_seq);
      c.last_message_at = msg.created_at;
    }
    const tr = state.transcripts.get(msg.conversation);
    if (tr && tr.loaded) {
      const gap = msg.seq > tr.lastSeq + 1;
      addMessage(msg);
      if (gap) sync(msg.conversation);
    }
    const background = msg.conversation !== state.selected || document.visibilityState !== "visible";
    if (msg.sender.kind === "contact" && background) {
      // Queued chats count once, in the queue; an unread mark is for chats someone holds.
      if (msg.conversation !== state.selected && !(c && inQueue(c))) state.unread.set(msg.conversation, (state.unread.get(msg.conversation) || 0) + 1);
      if (c && (isMine(c) || inQueue(c))) {
        alertAgent(t("newMessage", { number: c.number, name: contactName(c), text: msg.text.slice(0, 140) }), "msg-" + msg.conversation);
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
      if (item && frame.code === "rate_limited") {
        setTimeout(() => state.pending.has(meta.clientId) && send(item.frame, meta), 2000);
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
    notify(t("error", { code: frame.code, message: frame.message || frame.code }), "error");
  }

  // --- mentions seen: kept in this browser, so a reload does not mark them again ----------------

  const SEEN_KEY = `helpdesk.mentions-seen.${ME}`;
  function seenMentions() {
    try {
      return JSON.parse(localStorage.getItem(SEEN_KEY) || "{}");
    } catch {
      return {};
    }
  }
  // A mention counts as seen once its conversation was opened after it (up to its seq).
  function mentionSeen(conversation, seq) {
    return (seenMentions()[conversation] || 0) >= (seq || 0);
  }
  function markMentionsSeen(conversation, seq) {
    const seen = seenMentions();
    const c = state.conversations.get(conversation);
    seen[conversation] = Math.max(seen[conversation] || 0, seq || 0, (c && c.last_seq) || 0);
    const ids = Object.keys(seen);
    if (ids.length > 500) delete seen[ids[0]]; // keep it small
    try {
      localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
    } catch {
      /* storage full or disabled: marks simply come back after a reload */
    }
  }

  // --- attention: notices, browser notifications, a sound, the title ----------------------------

  function notify(text, level, sticky) {
    const box = $("notice");
    box.className = "notice " + level;
    box.dataset.level = level;
    $("notice-text").textContent = text;
    box.hidden = false;
    clearTimeout(notify.timer);
    if (!sticky && level === "info") notify.timer = setTimeout(clearNotice, 8000);
  }
  function clearNotice() {
    $("notice").hidden = true;
  }

  let audio = null;
  function chime() {
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") return; // the browser allows sound only after a gesture
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.25);
    } catch {
      /* no sound here */
    }
  }

  // A new chat in the queue, or a message in a chat the agent is not looking at: a sound, and a
  // system notification when the tab is hidden and the browser allows them.
  function alertAgent(text, tag) {
    if (!greeted) return;
    chime();
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const note = new Notification(BASE_TITLE, { body: text, tag });
      note.onclick = () => window.focus();
    } catch {
      /* some browsers allow notifications only from a service worker */
    }
  }

  function askForNotifications() {
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission().catch(() => {});
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") audio.resume();
    } catch {
      /* no sound here */
    }
  }

  // --- actions ---------------------------------------------------------------------------------

  function select(id) {
    if (!id) return;
    if (!$("search-panel").hidden) {
      $("search-panel").hidden = true;
      if (state.selected === id) return render(true);
    }
    if (state.selected === id) return;
    stopTyping();
    closeCanned();
    state.selected = id;
    state.typing = null;
    state.unread.delete(id);
    state.mentioned.delete(id);
    markMentionsSeen(id);
    const tr = transcript(id);
    if (!tr.loaded && !tr.loading) load(id);
    else sync(id);
    loadContact(id);
    render(true);
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  async function load(id) {
    const tr = transcript(id);
    tr.loading = true;
    tr.loadError = "";
    let after = 0;
    try {
      for (;;) {
        const page = await getJSON(`/api/conversations/${encodeURIComponent(id)}/messages/?after_seq=${after}&limit=200`);
        page.results.forEach(addMessage);
        if (!page.has_more || !page.results.length) break;
        after = page.results[page.results.length - 1].seq;
      }
      tr.loaded = true;
      tr.loading = false;
      const c = state.conversations.get(id);
      const newest = tr.messages.length ? tr.messages[tr.messages.length - 1].seq : 0;
      if (Math.max(newest, (c && c.last_seq) || 0) > tr.lastSeq) sync(id); // fill a gap left while loading
    } catch (error) {
      tr.loading = false;
      tr.loadError = t("loadFailed", { status: error.message });
    }
    if (state.selected === id) render(true);
  }

  // Open a conversation that may not be in the lists (a search hit, an earlier conversation).
  async function open(id) {
    if (!state.conversations.has(id)) {
      try {
        upsert(await getJSON(`/api/conversations/${encodeURIComponent(id)}/`));
      } catch (error) {
        notify(t("loadFailed", { status: error.message }), "error");
        return;
      }
    }
    select(id);
  }

  function act(type, extra) {
    if (!state.selected) return;
    if (!send({ type, conversation: state.selected, ...extra }, { kind: "action" })) notify(t("reconnecting"), "error");
  }

  function submit(attachment) {
    const box = $("composer-text");
    const text = attachment ? "" : box.value;
    if ((!text.trim() && !attachment) || !state.selected) return;
    const isNote = $("private").checked;
    const frame = { type: isNote ? "note.add" : "message.send", conversation: state.selected, text, client_id: uuid() };
    if (attachment) frame.attachments = [attachment.id];
    state.pending.set(frame.client_id, { frame });
    send(frame, { kind: "message", clientId: frame.client_id }); // else sent again after the reconnect
    if (attachment) return render(true);
    box.value = "";
    closeCanned();
    stopTyping();
    render(true);
  }

  let typingAt = 0;
  let typingIn = null;
  let typingTimer = 0;
  function typed() {
    if (!state.selected || $("private").checked) return; // a private note is not announced to the visitor
    const c = state.conversations.get(state.selected);
    if (!c || !isMine(c) || $("composer-text").value.startsWith("/")) return;
    const now = Date.now();
    if (now - typingAt > 3000 || typingIn !== state.selected) {
      typingAt = now;
      typingIn = state.selected;
      send({ type: "typing", conversation: typingIn, is_typing: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  }
  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingIn) send({ type: "typing", conversation: typingIn, is_typing: false });
    typingIn = null;
    typingAt = 0;
  }

  function markRead() {
    const c = state.selected && state.conversations.get(state.selected);
    const tr = current();
    if (!c || !tr || !tr.loaded || document.visibilityState !== "visible") return;
    const last = tr.messages.length ? tr.messages[tr.messages.length - 1].seq : 0;
    if (last <= tr.readSent) return;
    if (send({ type: "read", conversation: c.id, seq: last })) tr.readSent = last;
  }

  // --- attachments: upload over REST, then send a message that carries the file -------------------

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
      notify(t("uploadFailed", { status: message }), "error");
      return;
    }
    const attachment = await response.json();
    if (state.selected === id) submit(attachment);
  }

  // --- canned responses: "/code" in the composer ------------------------------------------------

  let cannedChoices = [];
  let cannedIndex = 0;
  function cannedQuery() {
    const match = /^\/([\w-]*)$/.exec($("composer-text").value);
    return match ? match[1].toLowerCase() : null;
  }
  // "@na" before the caret in a private note: the handle being typed, and where it starts.
  function mentionQuery() {
    const box = $("composer-text");
    const before = box.value.slice(0, box.selectionStart);
    const match = /(?:^|\s)@([\w.+-]*)$/.exec(before);
    return match ? { query: match[1].toLowerCase(), start: before.length - match[1].length - 1, end: box.selectionStart } : null;
  }
  function insertMention(username, at) {
    const box = $("composer-text");
    box.setRangeText(`@${username} `, at.start, at.end, "end");
    closeCanned();
    box.focus();
  }
  // The menu over the composer: canned responses after "/", colleagues after "@" in a note.
  function updateCanned() {
    const c = state.selected && state.conversations.get(state.selected);
    const menu = $("canned-menu");
    if (!c) return closeCanned();
    const code = cannedQuery();
    const mention = $("private").checked ? mentionQuery() : null;
    let empty = "";
    if (code !== null) {
      const inbox = c.inbox && c.inbox.id;
      cannedChoices = state.canned
        .filter((r) => r.short_code.startsWith(code) && (r.inbox === null || r.inbox === inbox))
        .map((r) => ({ label: "/" + r.short_code, detail: r.title, code: r.short_code, pick: () => expandCanned(r.short_code) }));
      empty = t("noCanned", { code });
    } else if (mention) {
      const q = mention.query;
      cannedChoices = COLLEAGUES.filter((u) => u.username.toLowerCase().startsWith(q) || u.name.toLowerCase().includes(q))
        .slice(0, 8)
        .map((u) => ({ label: "@" + u.username, detail: u.name, pick: () => insertMention(u.username, mention) }));
      if (!cannedChoices.length) return closeCanned();
    } else {
      return closeCanned();
    }
    cannedIndex = Math.min(cannedIndex, Math.max(0, cannedChoices.length - 1));
    if (!cannedChoices.length) {
      menu.replaceChildren(el("li", { class: "canned-none", text: empty }));
    } else {
      menu.replaceChildren(
        ...cannedChoices.map((choice, i) =>
          el(
            "li",
            { role: "option", class: "canned-item", "aria-selected": String(i === cannedIndex), onmousedown: (e) => (e.preventDefault(), choice.pick()) },
            el("strong", { text: choice.label }),
            el("span", { text: choice.detail || "" }),
          ),
        ),
      );
    }
    menu.hidden = false;
  }
  function closeCanned() {
    $("canned-menu").hidden = true;
    cannedChoices = [];
    cannedIndex = 0;
  }
  function expandCanned(code) {
    if (!state.selected) return;
    send({ type: "canned.expand", conversation: state.selected, short_code: code }, { kind: "action" });
  }

  // --- view ------------------------------------------------------------------------------------

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

  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "");
  const dateTime = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "");
  const contactName = (c) => (c.contact && c.contact.display_name) || t("visitor");
  function since(iso) {
    const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    if (seconds < 60) return `${Math.floor(seconds)}s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
    return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  }

  // The SLA state agents must see: breached (red), or a warning before a breach (amber).
  function slaFlag(c) {
    const sla = c.sla;
    if (!sla || c.status === "resolved") return null;
    if (sla.breached) return { level: "breached", text: t("slaBreached") };
    if (sla.warnings && sla.warnings.some((w) => !sla.breaches.some((b) => b.target === w.target && b.due_at === w.due_at))) {
      return { level: "warning", text: t("slaWarning") };
    }
    return null;
  }

  function item(c) {
    const unread = inQueue(c) ? 0 : state.unread.get(c.id) || 0;
    const li = el("li", { "data-conversation": c.id });
    const classes = ["conv"];
    if (c.id === state.selected) classes.push("active");
    if (unread) classes.push("unread");
    if (state.mentioned.has(c.id)) classes.push("mentioned");
    const top = el("span", { class: "conv-top" }, el("strong", { text: `#${c.number} ${contactName(c)}` }));
    if (unread) top.append(el("span", { class: "badge", "aria-label": t("unreadCount", { count: unread }), text: String(unread) }));
    if (state.mentioned.has(c.id)) top.append(el("span", { class: "at", title: t("mentionMark"), text: "@" }));
    const flag = slaFlag(c);
    if (flag) top.append(el("span", { class: "sla " + flag.level, text: flag.text }));
    const sub = el("span", { class: "conv-sub" });
    if (c.priority >= 2) sub.append(el("span", { class: "prio p" + c.priority, text: priorityName(c.priority) }));
    if (inQueue(c) && c.waiting_since) sub.append(el("span", { class: "wait", text: t("waitingFor", { time: since(c.waiting_since) }) }));
    else if (!inQueue(c)) sub.append(el("span", { class: "status", text: t(c.status) }));
    for (const name of c.tags || []) sub.append(el("span", { class: "chip small", text: name }));
    const button = el(
      "button",
      { type: "button", class: classes.join(" "), onclick: () => select(c.id) },
      top,
      el("span", { class: "conv-preview", text: state.previews.get(c.id) || t(c.status) }),
      sub,
    );
    if (c.id === state.selected) button.setAttribute("aria-current", "true");
    li.append(button);
    return li;
  }

  function priorityName(p) {
    const option = document.querySelector(`#priority option[value="${Number(p)}"]`);
    return option ? option.textContent : String(p);
  }

  function filters() {
    return {
      status: $("filter-status").value,
      inbox: $("filter-inbox").value,
      team: $("filter-team").value,
      tag: $("filter-tag").value,
      priority: $("filter-priority").value,
    };
  }
  function matches(c, f) {
    if (f.status && c.status !== f.status) return false;
    if (f.inbox && (!c.inbox || String(c.inbox.id) !== f.inbox)) return false;
    if (f.team && (!c.team || String(c.team.id) !== f.team)) return false;
    if (f.tag && !(c.tags || []).includes(f.tag)) return false;
    if (f.priority && String(c.priority) !== f.priority) return false;
    return true;
  }
  const waitKey = (c) => String(c.waiting_since || c.created_at || "");
  const SORTS = {
    priority: (a, b) => (b.priority || 0) - (a.priority || 0) || waitKey(a).localeCompare(waitKey(b)),
    waiting: (a, b) => waitKey(a).localeCompare(waitKey(b)),
    activity: (a, b) => String(b.last_message_at || b.created_at).localeCompare(String(a.last_message_at || a.created_at)),
  };

  function fillList(id, items) {
    $(id).replaceChildren(...items.map(item));
    $(id + "-count").textContent = items.length;
    $(id + "-empty").hidden = items.length > 0;
  }

  function renderLists() {
    const f = filters();
    const sort = SORTS[$("sort").value] || SORTS.priority;
    const all = [...state.conversations.values()];
    const queue = all.filter(inQueue);
    const mine = all.filter(isMine);
    const shownQueue = queue.filter((c) => matches(c, f)).sort(sort);
    const shownMine = mine.filter((c) => matches(c, f)).sort(sort);
    const inView = VIEWS[state.view] || VIEWS.team;
    const view = all.filter((c) => inView(c) && matches(c, f));
    view.sort(state.view === "resolved" ? (a, b) => String(b.resolved_at).localeCompare(String(a.resolved_at)) : sort);
    fillList("queue", shownQueue);
    fillList("mine", shownMine);
    $("view-list").replaceChildren(...view.map(item));
    $("view-count").textContent = view.length;
    $("view-empty").hidden = view.length > 0;
    const active = Object.values(f).filter(Boolean).length;
    $("filter-count").hidden = !active;
    $("filter-count").textContent = active;
    $("load").textContent = mine.length;
    $("load").parentElement.classList.toggle("full", mine.length >= CAPACITY);
    let unread = 0;
    for (const [id, n] of state.unread) if (!inQueue(state.conversations.get(id) || {})) unread += n;
    const badge = queue.length + unread;
    document.title = (badge ? `(${badge}) ` : "") + BASE_TITLE;
  }

  // A note's @mentions stand out; everything stays text nodes.
  function noteText(text) {
    const p = el("p", { class: "msg-text" });
    for (const part of text.split(/((?<![\w@])@[\w.+-]*\w)/)) {
      if (/^@[\w.+-]*\w$/.test(part)) p.append(el("span", { class: "mention", text: part }));
      else if (part) p.append(document.createTextNode(part));
    }
    return p;
  }

  function entry(m, c) {
    const kind = m.is_private ? "note" : m.sender.kind;
    const li = el("li", { class: "msg " + kind + (m.pending ? " pending" : ""), "data-seq": m.seq || "" });
    if (m.sender.kind !== "system") {
      const head = el("div", { class: "msg-head" }, el("span", { class: "msg-who", text: m.sender.name || m.sender.kind }));
      if (m.is_private) head.append(el("span", { class: "tag", text: t("privateNote") }));
      head.append(el("time", { datetime: m.created_at || "", text: m.pending ? t("sending") : time(m.created_at) }));
      if (m.sender.kind === "agent" && !m.is_private && !m.pending) {
        const read = m.public_seq && (c.contact_last_read_seq || 0) >= m.public_seq;
        head.append(el("span", { class: "receipt" + (read ? " read" : ""), title: read ? "read" : "delivered", "data-state": read ? "read" : "delivered", text: read ? "✓✓" : "✓" }));
      }
      li.append(head);
    }
    if (m.text) li.append(m.is_private ? noteText(m.text) : el("p", { class: "msg-text", text: m.text }));
    for (const file of m.attachments || []) li.append(attachmentLink(file));
    return li;
  }

  function safeUrl(value) {
    try {
      const url = new URL(String(value), location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function attachmentLink(file) {
    const href = file.id ? `/api/attachments/${encodeURIComponent(file.id)}/` : null;
    const label = `${file.name || t("attachment")}${file.size ? ` (${Math.ceil(file.size / 1024)} KB)` : ""}`;
    if (!href) return el("span", { class: "attachment", text: label });
    const link = el("a", { class: "attachment", href, download: file.name || "", text: label });
    if (file.is_image) link.prepend(el("img", { class: "thumb", src: href, alt: "", loading: "lazy" }));
    return link;
  }

  let lastRendered = "";
  function renderDetail(scroll) {
    const c = state.selected && state.conversations.get(state.selected);
    $("placeholder").hidden = Boolean(c) || !$("search-panel").hidden;
    $("detail").hidden = !c || !$("search-panel").hidden;
    $("contact-panel").hidden = !c;
    if (!c) return;
    const tr = current();
    $("conv-title").textContent = `#${c.number} · ${contactName(c)}`;
    const meta = [t(c.status), c.assignee ? t("assignedTo", { name: c.assignee.name }) : t("unassigned")];
    if (c.team) meta.push(t("team", { name: c.team.name }));
    if (c.inbox) meta.push(c.inbox.name);
    $("conv-meta").textContent = meta.join(" · ");
    $("claim").hidden = c.status !== "waiting";
    $("accept").hidden = !(isMine(c) && c.auto_assigned && !c.accepted_at);
    $("pending").hidden = c.status !== "open";
    $("unpend").hidden = c.status !== "pending";
    $("priority").value = String(c.priority ?? 1);
    $("priority").disabled = c.status === "resolved";
    const flag = slaFlag(c);
    $("sla").hidden = !flag;
    $("sla").className = "sla " + (flag ? flag.level : "");
    $("sla").textContent = flag ? flag.text : "";
    $("resolve").hidden = c.status === "resolved";
    $("reopen").hidden = c.status !== "resolved";
    $("transfer").hidden = c.status === "resolved";
    $("assign").hidden = c.status === "resolved";
    const tagKey = (c.tags || []).join(",");
    if ($("conv-tags").dataset.key !== c.id + tagKey) {
      $("conv-tags").dataset.key = c.id + tagKey;
      $("conv-tags").replaceChildren(
        ...(c.tags || []).map((name) =>
          el(
            "li",
            { class: "chip", style: `--chip:${tagColor(name)}` },
            el("span", { text: name }),
            el("button", { type: "button", class: "chip-x", "aria-label": t("removeTag", { name }), text: "×", onclick: () => act("conversation.tags", { tags: (c.tags || []).filter((x) => x !== name) }) }),
          ),
        ),
      );
    }
    const note = $("private").checked;
    $("composer").classList.toggle("noting", note);
    $("composer-text").placeholder = note ? t("notePlaceholder") : c.status === "waiting" ? t("claimFirst") : t("replyPlaceholder");
    $("send").textContent = note ? t("addNote") : t("send");

    const list = $("transcript");
    const near = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const pending = [...state.pending.values()]
      .filter((p) => p.frame.conversation === c.id)
      .map((p) => ({ pending: true, text: p.frame.text || (p.frame.attachments ? t("attachment") : ""), is_private: p.frame.type === "note.add", sender: { kind: "agent", name: MY_NAME } }));
    const key = `${c.id}|${tr.messages.length}|${tr.lastSeq}|${pending.length}|${tr.loading}|${tr.loadError}|${c.contact_last_read_seq}`;
    if (key !== lastRendered) {
      lastRendered = key;
      const entries = tr.messages.concat(pending).map((m) => entry(m, c));
      if (tr.loading && !tr.messages.length) entries.push(el("li", { class: "msg system", text: t("loading") }));
      else if (tr.loadError) entries.push(el("li", { class: "msg system error", text: tr.loadError }));
      else if (!entries.length) entries.push(el("li", { class: "msg system", text: t("noMessages") }));
      list.replaceChildren(...entries);
      if (scroll || near) list.scrollTop = list.scrollHeight;
    }
    $("typing").textContent = state.typing ? t("typing", { name: state.typing }) : "";
  }

  function tagColor(name) {
    const tag = state.tags.find((x) => x.name === name);
    return tag && /^#[0-9a-fA-F]{3,6}$/.test(tag.color) ? tag.color : "#5b6477";
  }

  function fillTagPickers() {
    const filter = $("filter-tag");
    const chosen = filter.value;
    filter.replaceChildren(filter.options[0], ...state.tags.map((x) => el("option", { value: x.name, text: x.name })));
    filter.value = chosen;
    $("tag-options").replaceChildren(...state.tags.map((x) => el("option", { value: x.name })));
  }

  function setAvailability(value) {
    state.availability = value;
    $("availability").value = value;
  }

  function labelAgent(id, availability) {
    for (const option of document.querySelectorAll(`#transfer-target option[value="agent:${Number(id)}"]`)) {
      option.dataset.availability = availability;
      option.textContent = t("agentOption", { name: option.dataset.name, availability: t(availability) });
    }
  }

  function render(scroll) {
    renderLists();
    renderDetail(scroll);
    markRead();
  }

  // --- the contact panel -----------------------------------------------------------------------

  async function loadContact(id) {
    $("contact-history").replaceChildren();
    let profile;
    try {
      profile = await getJSON(`/api/conversations/${encodeURIComponent(id)}/contact/`);
    } catch {
      return;
    }
    if (state.selected !== id) return;
    const c = state.conversations.get(id) || {};
    const context = c.context || {};
    $("contact-name").textContent = profile.display_name;
    $("contact-email").textContent = profile.email || "";
    const facts = [];
    // A link only for http(s) addresses; anything else the visitor's page reported stays text.
    const fact = (label, value, link, text) => {
      if (!value) return;
      const href = link ? safeUrl(value) : null;
      const shown = String(text || value);
      const node = href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: shown }) : document.createTextNode(shown);
      facts.push(el("dt", { text: label }), el("dd", {}, node));
    };
    fact(t("currentPage"), context.url, true, context.title);
    fact(t("referrer"), context.referrer, true);
    fact(t("browser"), context.user_agent || (profile.attributes && profile.attributes.browser), false);
    fact(t("language"), context.language, false);
    for (const [key, value] of Object.entries(profile.attributes || {})) {
      if (key !== "browser") fact(key, typeof value === "object" ? JSON.stringify(value) : String(value), false);
    }
    fact(t("firstSeen"), dateTime(profile.created_at), false);
    fact(t("lastSeen"), dateTime(profile.last_seen_at), false);
    $("contact-facts").replaceChildren(...facts);
    const history = profile.conversations.map((h) => {
      const label = [`#${h.number}`, t(h.status), dateTime(h.created_at)];
      if (h.rating) label.push(t("rating", { score: h.rating.score }));
      if (h.id === id) label.push(`(${t("thisConversation")})`);
      const row = el("li", { class: h.id === id ? "current" : "" }, el("button", { type: "button", class: "link", text: label.join(" · "), onclick: () => open(h.id) }));
      if (h.rating && h.rating.comment) row.append(el("q", { text: h.rating.comment }));
      return row;
    });
    $("contact-history").replaceChildren(...(history.length ? history : [el("li", { class: "meta", text: t("noHistory") })]));
  }

  // --- search ------------------------------------------------------------------------------------

  async function search(q) {
    const panel = $("search-panel");
    panel.hidden = false;
    render();
    if (q.trim().length < 2) {
      $("search-status").textContent = t("searchShort");
      $("search-results").replaceChildren();
      return;
    }
    $("search-status").textContent = t("searching");
    let page;
    try {
      page = await getJSON(`/api/search/?q=${encodeURIComponent(q)}`);
    } catch (error) {
      $("search-status").textContent = t("searchFailed", { status: error.message });
      return;
    }
    $("search-status").textContent = page.results.length ? t("searchCount", { count: page.results.length, q }) : t("searchEmpty", { q });
    $("search-results").replaceChildren(
      ...page.results.map((hit) => {
        const excerpt = el("p", { class: "excerpt" + (hit.message.is_private ? " note" : "") });
        for (const segment of hit.highlight) excerpt.append(segment.match ? el("mark", { text: segment.text }) : document.createTextNode(segment.text));
        const head = `#${hit.conversation.number} ${hit.conversation.contact.display_name} · ${hit.conversation.inbox.name} · ${t(hit.conversation.status)}`;
        const who = `${hit.message.sender.name || hit.message.sender.kind} · ${dateTime(hit.message.created_at)}${hit.message.is_private ? " · " + t("privateNote") : ""}`;
        return el(
          "li",
          { "data-conversation": hit.conversation.id },
          el("button", { type: "button", class: "hit", onclick: () => open(hit.conversation.id) }, el("strong", { text: head }), el("span", { class: "meta", text: who }), excerpt),
        );
      }),
    );
  }

  // --- keyboard ------------------------------------------------------------------------------------

  function move(step) {
    const ids = [...document.querySelectorAll(".lists li[data-conversation]")].map((li) => li.dataset.conversation);
    const unique = [...new Set(ids)];
    if (!unique.length) return;
    const at = unique.indexOf(state.selected);
    const next = at < 0 ? (step > 0 ? 0 : unique.length - 1) : (at + step + unique.length) % unique.length;
    select(unique[next]);
  }

  const editable = (node) => node && (node.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(node.tagName));

  document.addEventListener("keydown", (event) => {
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      const keys = {
        ArrowDown: () => move(1),
        ArrowUp: () => move(-1),
        KeyR: () => {
          const c = state.selected && state.conversations.get(state.selected);
          if (c && c.status !== "resolved") act("conversation.resolve");
        },
        KeyM: () => state.selected && $("composer-text").focus(),
        KeyS: () => $("search-q").focus(),
      };
      const action = keys[event.code] || keys[event.key];
      if (action) {
        event.preventDefault();
        action();
      }
      return;
    }
    if (event.key === "?" && !editable(event.target) && !$("help").open) {
      event.preventDefault();
      $("help").showModal();
    } else if (event.key === "Escape" && !$("search-panel").hidden && !$("help").open) {
      $("search-panel").hidden = true;
      render();
    }
  });

  // --- availability: away after inactivity ---------------------------------------------------------

  let lastActivity = Date.now();
  let autoAway = false;
  function active() {
    lastActivity = Date.now();
    if (autoAway && state.availability === "away") {
      autoAway = false;
      send({ type: "availability.set", availability: "online" }, { kind: "action" });
    }
  }
  for (const name of ["keydown", "pointerdown", "pointermove", "focus"]) addEventListener(name, active, { passive: true });
  setInterval(() => {
    const idle = (Date.now() - lastActivity) / 1000;
    if (state.availability === "online" && SETTINGS.away_after_seconds > 0 && idle > SETTINGS.away_after_seconds) {
      if (send({ type: "availability.set", availability: "away" }, { kind: "action" })) autoAway = true;
    }
    renderLists(); // waiting times move on
  }, 15000);

  // --- wiring ----------------------------------------------------------------------------------

  $("claim").addEventListener("click", () => act("conversation.claim"));
  $("accept").addEventListener("click", () => act("conversation.accept"));
  $("pending").addEventListener("click", () => act("conversation.pending", { pending: true }));
  $("unpend").addEventListener("click", () => act("conversation.pending", { pending: false }));
  $("priority").addEventListener("change", (event) => act("conversation.priority", { priority: Number(event.target.value) }));
  $("resolve").addEventListener("click", () => act("conversation.resolve"));
  $("reopen").addEventListener("click", () => act("conversation.reopen"));
  $("transfer").addEventListener("submit", (event) => {
    event.preventDefault();
    const [kind, id] = $("transfer-target").value.split(":");
    if (!id) return;
    const note = $("transfer-note").value.trim();
    act("conversation.transfer", { [kind === "team" ? "team" : "agent"]: Number(id), ...(note ? { note } : {}) });
    $("transfer-note").value = "";
  });
  $("assign").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = Number($("assign-target").value);
    if (id) act("conversation.assign", { agent: id });
  });
  $("tag-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const c = state.selected && state.conversations.get(state.selected);
    const name = $("tag-input").value.trim().toLowerCase();
    if (!c || !name) return;
    act("conversation.tags", { tags: [...new Set([...(c.tags || []), name])] });
    $("tag-input").value = "";
  });
  $("availability").addEventListener("change", (event) => {
    autoAway = false;
    if (!send({ type: "availability.set", availability: event.target.value }, { kind: "action" })) {
      notify(t("reconnecting"), "error");
    }
  });
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
  $("composer-text").addEventListener("keydown", (event) => {
    const menuOpen = !$("canned-menu").hidden;
    if (menuOpen && (event.key === "ArrowDown" || event.key === "ArrowUp") && cannedChoices.length) {
      event.preventDefault();
      cannedIndex = (cannedIndex + (event.key === "ArrowDown" ? 1 : -1) + cannedChoices.length) % cannedChoices.length;
      updateCanned();
      return;
    }
    if (menuOpen && event.key === "Escape") {
      event.preventDefault();
      closeCanned();
      return;
    }
    if (menuOpen && (event.key === "Enter" || event.key === "Tab") && !event.shiftKey && cannedChoices.length) {
      event.preventDefault();
      cannedChoices[cannedIndex].pick();
      return;
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  $("composer-text").addEventListener("input", () => {
    updateCanned();
    typed();
  });
  $("composer-text").addEventListener("blur", () => {
    stopTyping();
    setTimeout(closeCanned, 150);
  });
  $("private").addEventListener("change", () => {
    if ($("private").checked) stopTyping();
    render();
  });
  $("emoji-panel").append(
    ...EMOJI.map((symbol) =>
      el("button", {
        type: "button",
        class: "emoji",
        text: symbol,
        onclick: () => {
          const box = $("composer-text");
          const at = box.selectionStart ?? box.value.length;
          box.setRangeText(symbol, at, box.selectionEnd ?? at, "end");
          box.focus();
        },
      }),
    ),
  );
  $("emoji-open").addEventListener("click", () => {
    const panel = $("emoji-panel");
    panel.hidden = !panel.hidden;
    $("emoji-open").setAttribute("aria-expanded", String(!panel.hidden));
  });
  for (const tab of document.querySelectorAll(".tabs .tab")) {
    tab.addEventListener("click", () => {
      state.view = tab.dataset.view;
      for (const other of document.querySelectorAll(".tabs .tab")) other.setAttribute("aria-selected", String(other === tab));
      render();
    });
  }
  for (const id of ["filter-status", "filter-inbox", "filter-team", "filter-tag", "filter-priority", "sort"]) $(id).addEventListener("change", () => render());
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("search-q").value);
  });
  $("search-close").addEventListener("click", () => {
    $("search-panel").hidden = true;
    render();
  });
  $("help-open").addEventListener("click", () => $("help").showModal());
  $("notice-close").addEventListener("click", clearNotice);
  document.addEventListener("visibilitychange", () => render());
  document.addEventListener("pointerdown", askForNotifications, { once: true });
  document.addEventListener("keydown", askForNotifications, { once: true });
  addEventListener("online", () => socket || connect());

  // Names in the pickers, in the page's language.
  for (const option of document.querySelectorAll("#transfer-target option[data-name]")) labelAgent(option.value.split(":")[1], option.dataset.availability);
  for (const option of document.querySelectorAll("#transfer-target option[data-team]")) option.textContent = t("team", { name: option.dataset.team });
  if (!MANAGER && state.view === "all") state.view = "team";

  connect();
  render();
})();
