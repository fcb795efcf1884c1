/* The outbox: what the visitor wrote, kept (also across pages and tabs) until the server
 * acknowledges it, and sent once per socket with its original client_id, so nothing is lost. */

import { uuid } from "../shared/dom.js";
import { hostPage, isActive } from "./conversation.js";

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
