/* The console's state: one map of every conversation the agent may see (filled by `hello`, kept
 * fresh by events); the lists (Queue, Mine, and the Team / All / Resolved view) are filters over
 * it, so they all change live. Transcripts are kept per conversation once opened, so switching
 * between several chats is instant; a sync by sequence number fills whatever a transcript missed. */

export function createState(availability) {
  return {
    conversations: new Map(), // id -> conversation payload, as the agent sees it
    transcripts: new Map(), // id -> {messages, seqs, lastSeq, loaded, loading, loadError, syncing, readSent}
    previews: new Map(), // id -> the latest message text
    unread: new Map(), // id -> messages from the contact not seen yet
    mentioned: new Set(), // conversations where someone @mentioned me, not opened since
    selected: null,
    view: "team", // team | all | bot | resolved
    teams: [],
    tags: [],
    canned: [],
    pending: new Map(), // client_id -> {frame}: sent, not yet acknowledged
    typing: null,
    availability,
    greetedOnce: false,
  };
}

const ACTIVE = new Set(["waiting", "open", "pending"]);
export const inQueue = (c) => c.status === "waiting";

export function conversations(app) {
  const { state } = app;
  const isMine = (c) => (c.status === "open" || c.status === "pending") && c.assignee && c.assignee.id === app.me.id;
  const views = {
    team: (c) => ACTIVE.has(c.status) && c.team && state.teams.includes(c.team.id),
    all: (c) => ACTIVE.has(c.status),
    bot: (c) => ACTIVE.has(c.status) && c.owner === "bot", // the bot answers; read-only until taken over
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

  return { isMine, views, transcript, current, upsert, addMessage };
}
