// What the visitor does: write (typing notices), fill the forms, read, rate; files, history, transcripts.

import { el, uuid } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";
import { isActive } from "./state.js";

export function actions(app) {
  const { state, ui } = app;

  function grow() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 120) + "px";
  }

  function submit() {
    const text = ui.input.value;
    if (!text.trim()) return;
    app.queue(text);
    ui.input.value = "";
    grow();
    stopTyping();
    state.done = "";
    app.render(true);
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
      const problem =
        input.required && !values[input.name]
          ? gettext("%(label)s is required.", { label })
          : input.type === "email" && values[input.name] && !input.checkValidity()
            ? gettext("Enter a valid email address.")
            : "";
      if (problem) {
        input.setAttribute("aria-invalid", "true");
        state.notice = problem;
        app.render();
        input.focus();
        return;
      }
    }
    state.notice = "";
    const text = values.__text;
    delete values.__text;
    if (offlineForm) {
      app.queue(text, { offline: true, email: values.email, name: values.name || undefined });
      state.done = gettext("Thank you! We will answer by email at %(email)s.", { email: values.email });
    } else {
      const start = {};
      if (values.__team) start.team = Number(values.__team);
      delete values.__team;
      start.fields = Object.fromEntries(Object.entries(values).filter(([, v]) => v));
      app.queue(text, start);
    }
    box.reset();
    app.render(true);
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
      app.socket.send({ type: "typing", is_typing: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  }
  function stopTyping() {
    clearTimeout(typingTimer);
    if (!typingSentAt) return;
    typingSentAt = 0;
    if (state.ready && isActive(state.conversation)) app.socket.send({ type: "typing", is_typing: false });
  }

  function markRead() {
    const seq = app.maxSeq();
    if (!state.open || document.visibilityState !== "visible" || !state.ready || !state.conversation) return;
    if (seq <= app.readMark()) return;
    state.readSent = seq;
    app.socket.send({ type: "read", seq });
    app.saveTranscript();
  }

  // The inbox's survey scale: [score, stars or a face's mood (-2 to 2), its accessible name].
  function scale(kind) {
    if (kind === "thumbs") return [[5, 2, gettext("Good")], [1, -2, gettext("Bad")]];
    const faces = kind === "stars" ? ["★", "★★", "★★★", "★★★★", "★★★★★"] : [-2, -1, 0, 1, 2];
    return faces.map((face, i) => [i + 1, face, gettext("%(n)s out of 5", { n: i + 1 })]);
  }

  function rate(score, comment) {
    state.notice = "";
    if (!app.socket.send({ type: "rate", score, comment: comment || "" }, { kind: "rate", comment: !!comment })) app.socket.connect();
  }

  // "Did that help?" on a bot's answer; the buttons go at once (the server keeps the first answer).
  function feedback(m, helpful) {
    if (app.socket.send({ type: "bot.feedback", message: m.id, helpful }, { kind: "feedback" })) {
      m.answer = { ...m.answer, helpful };
      app.saveTranscript();
      app.render();
    }
  }

  // The Help tab's module loads on first use: it is not part of the widget's first download.
  async function showHelp() {
    state.view = "help";
    if (!ui.help) (await import("./help.js")).mount(app);
    app.draw();
    app.focusView();
  }

  return { ...rest(app), grow, submit, submitForm, typed, stopTyping, markRead, scale, rate, feedback, showHelp };
}

// The REST calls, with the visitor's token.
export const size = (n) => (n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB");

function rest(app) {
  const { state, ui } = app;

  async function call(path, options) {
    const response = await fetch(app.config.apiUrl + path, { ...options, headers: { Authorization: "Bearer " + state.token, "Accept-Language": app.locale, ...(options && options.headers) } });
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
    if (!blobs.has(id)) blobs.set(id, call("attachments/" + id + "/").then((r) => r.blob()).then((b) => URL.createObjectURL(b)));
    return blobs.get(id);
  }

  function save(url, name) {
    const a = el("a", { href: url, download: name, hidden: "" });
    ui.root.append(a);
    a.click();
    a.remove();
  }

  async function upload(file) {
    const c = state.conversation;
    if (!isActive(c) || !state.token) return;
    const limit = state.cfg.max_attachment_bytes || 10485760;
    if (file.size > limit) {
      app.fail(file.name, gettext("%(name)s is larger than %(size)s MB.", { name: file.name, size: Math.floor(limit / 1048576) }));
      return app.render(true);
    }
    const key = uuid();
    state.uploads.push({ key, name: file.name });
    app.render(true);
    try {
      const body = new FormData();
      body.append("file", file, file.name);
      const stored = await (await call("conversations/" + c.id + "/attachments/", { method: "POST", body })).json();
      state.outbox.push({ client_id: uuid(), text: "", conversation: c.id, attachments: [stored.id], files: [stored] });
      app.saveOutbox();
      app.flush();
    } catch (error) {
      app.fail(file.name, error.message);
    } finally {
      state.uploads = state.uploads.filter((u) => u.key !== key);
      app.render(true);
    }
  }

  async function showHistory() {
    state.view = "history";
    state.history = null;
    if (!ui.mydata) (await import("./privacy.js")).mountData(app); // "Download / Delete my data"
    app.draw();
    ui.back.focus();
    try {
      state.history = (await (await call("conversations/")).json()).results;
    } catch (error) {
      state.history = [];
      state.notice = error.message;
    }
    app.render();
  }

  function reopen(conversation) {
    state.view = "chat";
    state.pinned = conversation.id;
    app.follow(conversation);
    app.render(true);
    ui.input.focus();
  }

  async function downloadTranscript() {
    const c = state.conversation;
    try {
      const blob = await (await call("conversations/" + c.id + "/transcript.txt")).blob();
      const url = URL.createObjectURL(blob);
      save(url, "conversation-" + c.number + ".txt");
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      state.notice = error.message;
      app.render();
    }
  }

  async function emailTranscript(address) {
    const c = state.conversation;
    state.notice = "";
    try {
      const { email } = await (
        await call("conversations/" + c.id + "/transcript/email/", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(address ? { email: address } : {}),
        })
      ).json();
      state.done = gettext("The transcript is on its way to %(email)s.", { email });
      state.askEmail = false;
    } catch (error) {
      state.notice = error.message;
    }
    app.render();
  }

  // Handed off while nobody is available: the address agents' replies are emailed to.
  const wantsEmail = (c) => !!(c && c.offline && c.status === "waiting" && !(state.contact && state.contact.email));

  function submitEmail(address) {
    if (!wantsEmail(state.conversation)) return emailTranscript(address);
    if (!address) return;
    state.notice = "";
    if (app.socket.send({ type: "contact.update", email: address }, { kind: "email" })) {
      state.done = gettext("Thank you: we will also reply to %(email)s.", { email: address });
    } else app.socket.connect();
    app.render();
  }

  return { call, blobUrl, save, upload, showHistory, reopen, downloadTranscript, emailTranscript, submitEmail, wantsEmail };
}
