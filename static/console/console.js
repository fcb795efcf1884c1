/* The agent console: the agent socket (/ws/agent/, session auth) for live state and actions, and
 * the REST API for a conversation's transcript. Text is only ever set as textContent.
 */
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const data = (id) => JSON.parse($(id).textContent);
  const ME = data("hd-agent-id");
  const MY_NAME = data("hd-agent-name");
  const CAPACITY = data("hd-agent-capacity");
  const SOCKET_URL = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/agent/";

  const STRINGS = {
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Disconnected. Reconnecting…",
    cannotConnect: "The console cannot connect. If your session has expired, sign in again.",
    waiting: "Waiting in queue",
    open: "Open",
    pending: "Pending on customer",
    resolved: "Resolved",
    online: "Online",
    away: "Away",
    offline: "Offline",
    assignedTo: "assigned to {name}",
    unassigned: "unassigned",
    team: "{name} team",
    noMessages: "No messages yet.",
    loading: "Loading the transcript…",
    loadFailed: "The transcript could not be loaded ({status}).",
    privateNote: "Private note",
    notePrefix: "Note: ",
    sending: "Sending…",
    typing: "{name} is typing…",
    replyPlaceholder: "Reply to the visitor…",
    claimFirst: "Claim the conversation to reply; private notes work any time.",
    slaBreached: "SLA breached",
    slaWarning: "SLA due soon",
    notePlaceholder: "Private note: only agents see it…",
    transferred: "{by} transferred #{number} to you.",
    transferredNote: "{by} transferred #{number} to you: “{note}”",
    error: "{message}",
  };
  const t = (key, vars) => STRINGS[key].replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? String(vars[k]) : ""));

  const uuid = () => {
    if (crypto.randomUUID) return crypto.randomUUID();
    const h = [...crypto.getRandomValues(new Uint8Array(16))].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  };

  // --- state ---------------------------------------------------------------------------------

  const state = {
    conversations: new Map(), // id -> conversation payload, as the agent sees it
    previews: new Map(), // id -> the latest message text
    unread: new Set(),
    selected: null,
    messages: [], // the selected conversation's transcript, ordered by seq
    seqs: new Set(),
    lastSeq: 0, // every message up to this seq is in ``messages``
    loading: false,
    syncing: false,
    readSent: 0,
    pending: new Map(), // client_id -> {frame}: sent, not yet acknowledged
    typing: null,
  };

  const inQueue = (c) => c.status === "waiting";
  const isMine = (c) => (c.status === "open" || c.status === "pending") && c.assignee && c.assignee.id === ME;

  function upsert(conversation) {
    const known = state.conversations.get(conversation.id);
    state.conversations.set(conversation.id, Object.assign(known || {}, conversation));
  }

  function addMessage(msg) {
    if (msg.conversation !== state.selected || state.seqs.has(msg.seq)) return;
    state.seqs.add(msg.seq);
    let i = state.messages.length;
    while (i > 0 && state.messages[i - 1].seq > msg.seq) i -= 1;
    state.messages.splice(i, 0, msg);
    while (state.seqs.has(state.lastSeq + 1)) state.lastSeq += 1;
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
      state.syncing = false;
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

  function sync() {
    if (!state.selected || state.loading || state.syncing) return;
    state.syncing = send(
      { type: "sync", conversation: state.selected, after_seq: state.lastSeq },
      { kind: "sync", conversation: state.selected },
    );
  }

  // --- inbound ---------------------------------------------------------------------------------

  function handle(frame) {
    const meta = frame.ref ? requests.get(frame.ref) : null;
    if (frame.ref) requests.delete(frame.ref);
    switch (frame.type) {
      case "hello": {
        const reconnect = attempt > 0;
        greeted = true;
        attempt = 0;
        failures = 0;
        setConnection("connected");
        if (reconnect) clearNotice();
        const selected = state.selected && state.conversations.get(state.selected);
        state.conversations = new Map();
        if (selected) upsert(selected);
        for (const c of frame.queue.concat(frame.mine)) upsert(c);
        if (frame.agent) $("availability").value = frame.agent.availability;
        sync(); // after a reconnect: whatever the open conversation missed
        for (const item of state.pending.values()) send(item.frame, { kind: "message", clientId: item.frame.client_id });
        break;
      }
      case "conversation.updated":
      case "conversation.ack":
        upsert(frame.conversation);
        break;
      case "message.new":
        live(frame.message);
        break;
      case "message.ack":
        state.pending.delete(frame.message.client_id);
        addMessage(frame.message);
        break;
      case "sync.done":
        if (meta && meta.conversation === state.selected) {
          state.syncing = false;
          upsert(frame.conversation);
          frame.messages.forEach(addMessage);
          if (frame.has_more) sync();
        }
        break;
      case "typing":
        if (frame.conversation === state.selected && frame.sender.id !== ME) {
          clearTimeout(state.typingTimer);
          state.typing = frame.is_typing ? frame.sender.name || "Visitor" : null;
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
        $("availability").value = frame.agent.availability;
        break;
      case "agent.updated": {
        if (frame.agent.id === ME) $("availability").value = frame.agent.availability;
        const option = document.querySelector(`#transfer-target option[value="agent:${Number(frame.agent.id)}"]`);
        if (option) option.textContent = `${option.dataset.name} (${t(frame.agent.availability)})`;
        break;
      }
      case "conversation.transferred": {
        const c = state.conversations.get(frame.conversation);
        const vars = { by: frame.by, number: c ? c.number : "", note: frame.note };
        notify(t(frame.note ? "transferredNote" : "transferred", vars), "info");
        break;
      }
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

  function live(msg) {
    if (msg.sender.kind === "agent" && msg.client_id) state.pending.delete(msg.client_id);
    state.previews.set(msg.conversation, (msg.is_private ? t("notePrefix") : "") + msg.text);
    const c = state.conversations.get(msg.conversation);
    if (c) {
      c.last_seq = Math.max(c.last_seq || 0, msg.seq);
      c.last_message_at = msg.created_at;
    }
    if (msg.conversation !== state.selected) {
      if (msg.sender.kind === "contact") state.unread.add(msg.conversation);
      return;
    }
    const gap = !state.loading && msg.seq > state.lastSeq + 1;
    addMessage(msg);
    if (gap) sync();
  }

  function failure(frame, meta) {
    const kind = meta && meta.kind;
    if (kind === "sync") state.syncing = false;
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

  // --- notices (the status area) ----------------------------------------------------------------

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

  // --- actions ---------------------------------------------------------------------------------

  async function select(id) {
    if (state.selected === id) return;
    stopTyping();
    state.selected = id;
    state.messages = [];
    state.seqs = new Set();
    state.lastSeq = 0;
    state.readSent = 0;
    state.typing = null;
    state.unread.delete(id);
    state.loading = true;
    state.syncing = false;
    state.loadError = "";
    render(true);
    let after = 0;
    try {
      for (;;) {
        const url = `/api/conversations/${encodeURIComponent(id)}/messages/?after_seq=${after}&limit=200`;
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (state.selected !== id) return;
        if (!response.ok) throw new Error(String(response.status));
        const page = await response.json();
        if (state.selected !== id) return;
        page.results.forEach(addMessage);
        if (!page.has_more || !page.results.length) break;
        after = page.results[page.results.length - 1].seq;
      }
      state.loading = false;
      const c = state.conversations.get(id);
      const newest = state.messages.length ? state.messages[state.messages.length - 1].seq : 0;
      if (Math.max(newest, (c && c.last_seq) || 0) > state.lastSeq) sync(); // fill a gap left while loading
    } catch (error) {
      if (state.selected !== id) return;
      state.loading = false;
      state.loadError = t("loadFailed", { status: error.message });
    }
    render(true);
  }

  function act(type, extra) {
    if (!state.selected) return;
    if (!send({ type, conversation: state.selected, ...extra }, { kind: "action" })) notify(t("reconnecting"), "error");
  }

  function submit() {
    const box = $("composer-text");
    const text = box.value;
    if (!text.trim() || !state.selected) return;
    const isNote = $("private").checked;
    const frame = { type: isNote ? "note.add" : "message.send", conversation: state.selected, text, client_id: uuid() };
    state.pending.set(frame.client_id, { frame });
    send(frame, { kind: "message", clientId: frame.client_id }); // else sent again after the reconnect
    box.value = "";
    stopTyping();
    render(true);
  }

  let typingAt = 0;
  let typingIn = null;
  let typingTimer = 0;
  function typed() {
    if (!state.selected || $("private").checked) return; // a private note is not announced to the visitor
    const c = state.conversations.get(state.selected);
    if (!c || !isMine(c)) return;
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
    const last = state.messages.length ? state.messages[state.messages.length - 1].seq : 0;
    if (!c || state.loading || document.visibilityState !== "visible") return;
    if (last <= Math.max(state.readSent, c.agent_last_read_seq || 0)) return;
    if (send({ type: "read", conversation: c.id, seq: last })) state.readSent = last;
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
  const contactName = (c) => (c.contact && c.contact.display_name) || "Visitor";

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
    const li = el("li", { "data-conversation": c.id });
    const button = el(
      "button",
      { type: "button", class: "conv" + (c.id === state.selected ? " active" : ""), onclick: () => select(c.id) },
      el("span", { class: "conv-top" }, el("strong", { text: `#${c.number} ${contactName(c)}` }), state.unread.has(c.id) ? el("span", { class: "dot", "aria-label": "unread", text: "●" }) : ""),
      el("span", { class: "conv-preview", text: state.previews.get(c.id) || t(c.status) }),
    );
    const flag = slaFlag(c);
    if (flag) button.querySelector(".conv-top").append(el("span", { class: "sla " + flag.level, text: flag.text }));
    if (c.id === state.selected) button.setAttribute("aria-current", "true");
    li.append(button);
    return li;
  }

  function renderLists() {
    const all = [...state.conversations.values()];
    const queue = all.filter(inQueue).sort((a, b) => (b.priority || 0) - (a.priority || 0) || String(a.waiting_since).localeCompare(String(b.waiting_since)));
    const mine = all.filter(isMine).sort((a, b) => String(b.last_message_at).localeCompare(String(a.last_message_at)));
    $("queue").replaceChildren(...queue.map(item));
    $("mine").replaceChildren(...mine.map(item));
    $("queue-count").textContent = queue.length;
    $("mine-count").textContent = mine.length;
    $("queue-empty").hidden = queue.length > 0;
    $("mine-empty").hidden = mine.length > 0;
    $("load").textContent = mine.length;
    $("load").parentElement.classList.toggle("full", mine.length >= CAPACITY);
    document.title = (queue.length ? `(${queue.length}) ` : "") + "Console · Helpdesk";
  }

  function entry(m) {
    const kind = m.is_private ? "note" : m.sender.kind;
    const li = el("li", { class: "msg " + kind + (m.pending ? " pending" : ""), "data-seq": m.seq || "" });
    if (m.sender.kind !== "system") {
      const head = el("div", { class: "msg-head" }, el("span", { class: "msg-who", text: m.sender.name || m.sender.kind }));
      if (m.is_private) head.append(el("span", { class: "tag", text: t("privateNote") }));
      head.append(el("time", { text: m.pending ? t("sending") : time(m.created_at) }));
      li.append(head);
    }
    li.append(el("p", { class: "msg-text", text: m.text }));
    return li;
  }

  let lastRendered = "";
  function renderDetail(scroll) {
    const c = state.selected && state.conversations.get(state.selected);
    $("placeholder").hidden = Boolean(c);
    $("detail").hidden = !c;
    if (!c) return;
    $("conv-title").textContent = `#${c.number} · ${contactName(c)}`;
    const meta = [t(c.status), c.assignee ? t("assignedTo", { name: c.assignee.name }) : t("unassigned")];
    if (c.team) meta.push(t("team", { name: c.team.name }));
    if (c.inbox) meta.push(c.inbox.name);
    $("conv-meta").textContent = meta.join(" · ");
    $("claim").hidden = c.status !== "waiting";
    $("accept").hidden = !(isMine(c) && c.auto_assigned && !c.accepted_at);
    $("priority").value = String(c.priority ?? 1);
    $("priority").disabled = c.status === "resolved";
    const flag = slaFlag(c);
    $("sla").hidden = !flag;
    $("sla").className = "sla " + (flag ? flag.level : "");
    $("sla").textContent = flag ? flag.text : "";
    $("resolve").hidden = c.status === "resolved";
    $("reopen").hidden = c.status !== "resolved";
    $("transfer").hidden = c.status === "resolved";
    const note = $("private").checked;
    $("composer").classList.toggle("noting", note);
    $("composer-text").placeholder = note ? t("notePlaceholder") : c.status === "waiting" ? t("claimFirst") : t("replyPlaceholder");
    $("send").textContent = note ? "Add note" : "Send";

    const list = $("transcript");
    const near = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const pending = [...state.pending.values()]
      .filter((p) => p.frame.conversation === c.id)
      .map((p) => ({ pending: true, text: p.frame.text, is_private: p.frame.type === "note.add", sender: { kind: "agent", name: MY_NAME } }));
    const key = `${c.id}|${state.messages.length}|${state.lastSeq}|${pending.length}|${state.loading}|${state.loadError}`;
    if (key !== lastRendered) {
      lastRendered = key;
      const entries = state.messages.concat(pending).map(entry);
      if (state.loading) entries.push(el("li", { class: "msg system", text: t("loading") }));
      else if (state.loadError) entries.push(el("li", { class: "msg system error", text: state.loadError }));
      else if (!entries.length) entries.push(el("li", { class: "msg system", text: t("noMessages") }));
      list.replaceChildren(...entries);
      if (scroll || near) list.scrollTop = list.scrollHeight;
    }
    $("typing").textContent = state.typing ? t("typing", { name: state.typing }) : "";
  }

  function render(scroll) {
    renderLists();
    renderDetail(scroll);
    markRead();
  }

  // --- wiring ----------------------------------------------------------------------------------

  $("claim").addEventListener("click", () => act("conversation.claim"));
  $("accept").addEventListener("click", () => act("conversation.accept"));
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
  $("availability").addEventListener("change", (event) => {
    if (!send({ type: "availability.set", availability: event.target.value }, { kind: "action" })) {
      notify(t("reconnecting"), "error");
    }
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  $("composer-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  $("composer-text").addEventListener("input", typed);
  $("composer-text").addEventListener("blur", stopTyping);
  $("private").addEventListener("change", () => {
    if ($("private").checked) stopTyping();
    render();
  });
  $("notice-close").addEventListener("click", clearNotice);
  document.addEventListener("visibilitychange", markRead);
  addEventListener("online", () => socket || connect());

  connect();
  render();
})();
