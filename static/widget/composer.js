/* What the visitor does in the panel: write (with typing notices), fill the pre-chat or offline
 * form, read (read marks) and rate. */

import { gettext } from "../shared/i18n.js";
import { isActive } from "./conversation.js";

export function composer(app) {
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

  // The inbox's survey scale: [score, what the button shows, its accessible name].
  function scale(kind) {
    if (kind === "thumbs") return [[5, "👍", gettext("Good")], [1, "👎", gettext("Bad")]];
    const faces = kind === "stars" ? ["★", "★★", "★★★", "★★★★", "★★★★★"] : ["😠", "🙁", "😐", "🙂", "😍"];
    return faces.map((face, i) => [i + 1, face, gettext("%(n)s out of 5", { n: i + 1 })]);
  }

  function rate(score, comment) {
    state.notice = "";
    if (!app.socket.send({ type: "rate", score, comment: comment || "" }, { kind: "rate", comment: !!comment })) app.socket.connect();
  }

  return { grow, submit, submitForm, typed, stopTyping, markRead, scale, rate };
}
