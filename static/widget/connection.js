// The widget's socket: auth, resume, and what each inbound frame does to the state.

import { gettext } from "../shared/i18n.js";
import { Socket } from "../shared/socket.js";
import { hostPage, isActive } from "./state.js";

export function connection(app) {
  const { state, store } = app;
  const socket = new Socket(app.config.socketUrl, {
    onconnect: () => app.render(),
    onopen: () => socket.send({ type: "auth", token: state.token || null }, { kind: "auth" }),
    onframe: handle,
    onclose() {
      state.ready = false;
      state.resuming = false;
      app.render();
    },
  });

  function resume() {
    const c = state.conversation;
    if (!c || !state.ready || state.resuming) return;
    state.resuming = socket.send({ type: "resume", conversation: c.id, last_seq: state.lastSeq }, { kind: "resume" });
  }

  // After each authentication: the identity claim, attributes and the page the visitor is on.
  function introduce() {
    if (state.user) socket.send({ type: "identify", ...state.user }, { kind: "identify" });
    if (state.attributes) socket.send({ type: "contact.update", attributes: state.attributes }, { kind: "attributes" });
    if (isActive(state.conversation)) socket.send({ type: "context.update", context: hostPage() });
  }

  function handle(frame, meta) {
    const c = state.conversation;
    const here = c && frame.conversation === c.id;
    switch (frame.type) {
      case "auth.ok":
        socket.succeeded();
        state.ready = state.wasReady = true;
        state.authAt = Date.now();
        if (frame.token) {
          state.token = frame.token;
          store.set("token", frame.token);
        }
        state.contact = frame.contact;
        state.greeting = frame.greeting || "";
        if (frame.survey) state.survey = frame.survey;
        state.bot = frame.bot;
        state.consent = frame.consent || null;
        if (state.consent && !state.consent.accepted && !app.ui.consent) {
          import("./privacy.js").then((m) => {
            if (!app.ui.consent) m.mountConsent(app), (app.drawConsent = () => m.drawConsent(app)), app.render();
          });
        }
        if (frame.widget) store.set("cfg", (state.cfg = { prechat: [], teams: [], ...frame.widget }));
        if (frame.availability) store.set("availability", (state.availability = frame.availability));
        if (frame.conversation) {
          app.adopt(frame.conversation);
          resume();
        } else {
          if (state.conversation) app.forgetConversation();
          app.flush();
        }
        introduce();
        break;
      case "conversation":
        if (frame.conversation) app.follow(frame.conversation);
        if (frame.message) app.receive(frame.message, true, true);
        break;
      case "message.new":
        app.receive(frame.message, frame.replay === true);
        break;
      case "message.ack":
        app.receive(frame.message, true, true);
        break;
      case "resume.done":
        state.resuming = false;
        if (frame.conversation) app.adopt(frame.conversation);
        app.advance(Math.max(frame.last_seq || 0, (frame.conversation && frame.conversation.last_seq) || 0));
        app.saveTranscript();
        app.flush();
        break;
      case "conversation.updated":
        app.updated(frame.conversation);
        break;
      case "bot.handoff.ack":
        app.adopt(frame.conversation);
        break;
      case "queue.position":
        if (here && c.status === "waiting") {
          c.queue_position = frame.position;
          c.queue_length = frame.waiting;
          c.estimated_wait_seconds = frame.estimated_wait_seconds;
        }
        break;
      case "typing":
        if (here && frame.sender.kind !== "contact") {
          clearTimeout(state.typingTimer);
          state.typing = frame.is_typing ? frame.sender.name || gettext("Support") : null;
          if (state.typing) state.typingTimer = setTimeout(() => ((state.typing = null), app.render()), 8000);
        }
        break;
      case "read":
        if (here) {
          const field = frame.reader === "contact" ? "contact_last_read_seq" : "agent_last_read_seq";
          c[field] = Math.max(c[field] || 0, frame.seq);
        }
        break;
      case "read.ack":
        if (here) c.contact_last_read_seq = frame.seq;
        break;
      case "rate.ack":
      case "rating":
        if (c && frame.rating.conversation === c.id) {
          c.rating = frame.rating;
          state.notice = "";
          if (meta && meta.comment) state.commented = true;
        }
        break;
      case "identify":
      case "contact":
        if (frame.contact) state.contact = frame.contact;
        if (meta && meta.kind === "attributes") state.attributes = null;
        break;
      case "error":
        failure(frame, meta);
        break;
      default:
        return; // a frame this version does not know: ignore it
    }
    app.render();
  }

  function failure(frame, meta) {
    const kind = meta && meta.kind;
    const reason = frame.message || frame.code;
    if (frame.code === "unavailable" && (kind === "auth" || kind === "resume")) {
      // The server's database is briefly gone (nothing was done): ask again after retry_after.
      if (kind === "resume") state.resuming = false;
      const auth = () => state.ready || socket.send({ type: "auth", token: state.token || null }, { kind: "auth" });
      const again = kind === "auth" ? auth : resume;
      setTimeout(again, (frame.retry_after || 2) * 1000);
      return;
    }
    if (kind === "auth" && frame.code === "invalid_token") {
      state.token = null;
      store.del("token");
      app.forgetConversation();
      for (const item of state.outbox) item.conversation = null;
      app.saveOutbox();
      socket.send({ type: "auth", token: null }, { kind: "auth" });
    } else if (kind === "resume") {
      state.resuming = false;
      if (frame.code === "not_found") app.forgetConversation();
      app.flush();
    } else if (kind === "message") {
      const item = state.outbox.find((m) => m.client_id === meta.clientId);
      if (!item) return;
      // Retryable: the same client_id again later (unavailable: the server's database is briefly gone).
      if (frame.code === "rate_limited" || frame.code === "unavailable" || frame.code === "no_conversation") {
        if (frame.code === "no_conversation") resume(); // point the server's socket at it again
        item.sentOn = null;
        setTimeout(app.flush, (frame.retry_after || 2) * 1000);
      } else {
        app.settle(item.client_id);
        app.fail(item.text, reason);
      }
    } else if (kind === "rate") {
      state.notice = gettext("Your rating could not be saved: %(reason)s", { reason });
    } else if (kind) {
      state.notice = reason;
    }
  }

  return { socket, resume };
}
