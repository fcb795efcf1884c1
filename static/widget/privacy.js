// Privacy in the widget (docs/privacy.md): "Download my data" and "Delete my data" under the past
// conversations, and the inbox's consent notice. Loaded on first use (dynamic imports in
// actions.js), so it is not part of the widget's first download. Its styles stay in the shadow root.

import { el } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";

const CSS = ".mydata{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:10px;padding-top:8px;border-top:1px solid #e2e6ef;font-size:13px}.mydata p{margin:0;flex-basis:100%}.consent{margin:0 12px 8px;padding:8px 10px;border:1px solid #e6d7a8;border-radius:10px;background:#fffaea;font-size:13px}.consent p{margin:0 0 6px;white-space:pre-wrap}";

function style(app) {
  const { ui } = app;
  if (ui.privacyCss) return;
  ui.privacyCss = true;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    ui.root.adoptedStyleSheets = [...ui.root.adoptedStyleSheets, sheet];
  } catch {
    ui.root.append(el("style", { text: CSS }));
  }
}

/** The two links of the past-conversations view. */
export function mountData(app) {
  const { state, ui } = app;
  style(app);
  const button = (text, onclick) => el("button", { class: "link", type: "button", text, onclick });
  const question = el("p", { role: "alert" });
  const yes = button("", erase);
  const no = button("", () => ask(false));
  const download = button("", save);
  const remove = button("", () => ask(true));
  ui.mydata = el("div", { class: "mydata" }, download, remove, question, yes, no);
  ui.hist.append(ui.mydata);
  labels();
  ask(false);

  function labels() {
    download.textContent = gettext("Download my data");
    remove.textContent = gettext("Delete my data");
    question.textContent = gettext("Delete your conversations, messages and files for good? This cannot be undone.");
    yes.textContent = gettext("Delete for good");
    no.textContent = gettext("Keep my data");
  }
  ui.relabelData = labels;

  function ask(on) {
    question.hidden = yes.hidden = no.hidden = !on;
    remove.hidden = on;
    (on ? no : remove).focus();
  }

  async function save() {
    try {
      const blob = await (await app.call("my-data/export/")).blob();
      const url = URL.createObjectURL(blob);
      app.save(url, "my-data.zip");
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      state.notice = error.message;
      app.render();
    }
  }

  async function erase() {
    try {
      await app.call("my-data/erase/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ confirm: true }) });
    } catch (error) {
      state.notice = error.message;
      return app.render();
    }
    // The server closes this contact's sockets (4004); the next connection starts afresh.
    state.token = null;
    app.store.del("token");
    app.forgetConversation();
    state.outbox = [];
    app.saveOutbox();
    state.history = null;
    state.view = "chat";
    ask(false);
    state.done = gettext("Your data was deleted.");
    app.render(true);
  }
}

/** The consent notice above the forms and the composer, which wait until the visitor agrees. */
export function mountConsent(app) {
  const { state, ui } = app;
  style(app);
  const text = el("p", {});
  const agree = el("button", { class: "link", type: "button", onclick: accept });
  ui.consent = el("div", { class: "consent", role: "region" }, text, agree);
  ui.consentText = text;
  ui.consentAgree = agree;
  ui.pre.before(ui.consent);
  drawConsent(app);

  async function accept() {
    const consent = state.consent;
    try {
      await app.call("consent/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ version: consent.version }) });
      consent.accepted = true;
    } catch (error) {
      state.notice = error.message;
    }
    app.render();
    ui.input.focus();
  }
}

export function drawConsent(app) {
  const { state, ui } = app;
  const waiting = !!(state.consent && !state.consent.accepted);
  ui.consent.hidden = !waiting || state.view !== "chat";
  // Nothing is sent before the visitor agrees: the composer and the forms wait.
  for (const part of [ui.compose, ui.pre, ui.off]) part.inert = waiting;
  ui.input.disabled = waiting;
  if (waiting) {
    ui.consentText.textContent = state.consent.notice;
    ui.consentAgree.textContent = gettext("I agree");
  }
}
