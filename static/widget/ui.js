/* The widget's DOM: a host element with a shadow root (so that no CSS crosses in or out), the
 * launcher and the panel built once, and the texts that change only with the language. */

import { el } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";
import { icon } from "./icons.js";
import { defaultText } from "./locale.js";

// The language switch names the other language in that language, whatever the current one is.
const SWITCH = { en: ["中文", "切换到中文", "zh-Hans"], "zh-Hans": ["EN", "Switch to English", "en"] };

export function panel(app) {
  const { state, ui } = app;

  /** Build the widget into a new shadow root styled by `css` (the text of widget.css). */
  function mount(css) {
    const host = document.createElement("div");
    host.setAttribute("data-helpdesk-widget", "");
    host.setAttribute("style", "all:initial!important;position:fixed!important;z-index:2147483000!important;width:0!important;height:0!important;right:0!important;bottom:0!important");
    const root = host.attachShadow({ mode: "open" });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(el("style", { text: css }));
    }
    ui.host = host;
    ui.root = root;
    ui.badge = el("span", { class: "badge", "aria-hidden": "true", hidden: "" });
    ui.launcher = el("button", { class: "launcher", type: "button", "aria-haspopup": "dialog", "aria-controls": "hd-panel", onclick: () => (state.open ? app.close() : app.open()) }, icon("chat"), ui.badge);
    ui.title = el("h2", { id: "hd-title" });
    ui.status = el("p", { class: "status", id: "hd-status" });
    ui.avatar = el("span", { class: "av", "aria-hidden": "true", hidden: "" });
    ui.historyButton = el("button", { class: "x", type: "button", onclick: app.showHistory }, icon("history"));
    ui.downloadButton = el("button", { class: "x", type: "button", onclick: app.downloadTranscript }, icon("download"));
    ui.lang = el("button", { class: "x", type: "button", onclick: () => app.setLocale(SWITCH[app.locale][2]) });
    ui.close = el("button", { class: "x close", type: "button", text: "×", onclick: app.close });
    ui.log = el("ol", { class: "log", tabindex: "0" });
    ui.typing = el("div", { class: "typing", "aria-live": "polite" });
    ui.live = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
    ui.rate = el("div", { class: "rate" });
    ui.commentBox = el("input", { type: "text", maxlength: "2000" });
    const comment = () => ui.commentBox.value.trim() && app.rate(state.conversation.rating.score, ui.commentBox.value.trim());
    ui.comment = el("form", { class: "comment", onsubmit: (e) => (e.preventDefault(), comment()) }, ui.commentBox, el("button", { class: "send", type: "submit" }));
    ui.emailBox = el("input", { type: "email", maxlength: "254", autocomplete: "email" });
    ui.emailForm = el("form", { class: "comment", onsubmit: (e) => (e.preventDefault(), app.emailTranscript(ui.emailBox.value.trim())) }, ui.emailBox, el("button", { class: "send", type: "submit" }));
    const askEmail = () => ((state.askEmail = true), app.draw(), ui.emailBox.focus());
    ui.emailLink = el("button", { class: "link", type: "button", onclick: () => (state.contact && state.contact.email ? app.emailTranscript("") : askEmail()) });
    ui.thanks = el("p", { class: "thanks" });
    ui.tools = el("div", { class: "tools" }, ui.emailLink, ui.emailForm, ui.thanks);
    ui.notice = el("p", { class: "notice", role: "alert" });
    ui.done = el("p", { class: "done", role: "status" });
    const accept = "image/png,image/jpeg,image/gif,image/webp,application/pdf,application/zip,text/plain";
    ui.file = el("input", { type: "file", hidden: "", accept, onchange: () => ([...ui.file.files].forEach(app.upload), (ui.file.value = "")) });
    ui.clip = el("button", { class: "clip", type: "button", onclick: () => ui.file.click() }, icon("clip"));
    ui.input = el("textarea", {
      rows: "1",
      maxlength: "5000",
      oninput: app.typed,
      onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          app.submit();
        }
      },
      onblur: app.stopTyping,
    });
    ui.sendButton = el("button", { class: "send", type: "submit" });
    ui.compose = el("form", { class: "compose", onsubmit: (e) => (e.preventDefault(), app.submit()) }, ui.file, ui.clip, ui.input, ui.sendButton);
    ui.pre = el("form", { class: "card", novalidate: true, onsubmit: (e) => app.submitForm(e, false) });
    ui.off = el("form", { class: "card", novalidate: true, onsubmit: (e) => app.submitForm(e, true) });
    ui.back = el("button", { class: "link", type: "button", onclick: () => ((state.view = "chat"), app.draw(), ui.input.focus()) });
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
        app.close();
      }
    });
    root.append(el("div", { class: "w" }, ui.launcher, ui.panel, ui.live));
    document.body.append(host);
    labels();
  }

  // Texts and accessible names that do not change with the state: set again when the locale changes.
  function labels() {
    const [other, switchLabel, otherLang] = SWITCH[app.locale];
    const aria = (node, text) => node.setAttribute("aria-label", text);
    ui.host.setAttribute("lang", app.locale);
    ui.title.textContent = gettext("Chat with us");
    aria(ui.log, gettext("Conversation"));
    aria(ui.input, gettext("Your message"));
    ui.input.placeholder = gettext("Write a message…");
    ui.sendButton.textContent = gettext("Send");
    aria(ui.clip, gettext("Attach a file"));
    ui.clip.title = gettext("Attach a file");
    aria(ui.close, gettext("Close chat"));
    aria(ui.historyButton, gettext("Past conversations"));
    ui.historyButton.title = gettext("Past conversations");
    aria(ui.downloadButton, gettext("Download the transcript"));
    ui.downloadButton.title = gettext("Download the transcript");
    ui.lang.textContent = other;
    ui.lang.setAttribute("aria-label", switchLabel);
    ui.lang.setAttribute("lang", otherLang);
    ui.back.textContent = "← " + gettext("Back to the chat");
    aria(ui.commentBox, gettext("Add a comment (optional)"));
    ui.commentBox.placeholder = gettext("Add a comment (optional)");
    ui.comment.lastChild.textContent = gettext("Send comment");
    aria(ui.emailBox, gettext("Your email"));
    ui.emailForm.lastChild.textContent = gettext("Send");
    ui.emailLink.textContent = gettext("Email me this transcript");
    ui.thanks.textContent = gettext("Thank you for your comment!");
    ui.rateSig = ui.histSig = "";
    ui.emailBox.placeholder = gettext("Your email");
    buildForms();
  }

  function field(name, label, attrs, control) {
    const input = control || el("input", { name, ...attrs });
    input.dataset.label = label;
    const caption = attrs.required ? label + " *" : gettext("%(label)s (optional)", { label });
    return el("label", {}, el("span", { text: caption }), input);
  }

  const textarea = (name) => el("textarea", { name, required: true, maxlength: "5000" });

  // The pre-chat form (the inbox's fields and teams) and the offline form.
  function buildForms() {
    const cfg = state.cfg;
    const pre = [el("p", { text: app.serverText(state.greeting || defaultText("greeting"), "greeting") }), el("p", { text: gettext("Before we start, please tell us a little about you.") })];
    for (const f of cfg.prechat) {
      const label = f.key === "name" && f.label === "Name" ? gettext("Your name") : f.key === "email" && f.label === "Email" ? gettext("Your email") : f.label;
      const attrs = { type: f.type === "select" ? null : f.type, required: f.required, maxlength: "500", autocomplete: f.key === "name" ? "name" : f.key === "email" ? "email" : null };
      const control = f.type === "select" ? el("select", { name: f.key, required: f.required }, el("option", { value: "", text: "—" }), ...f.options.map((o) => el("option", { value: o, text: o }))) : null;
      pre.push(field(f.key, label, attrs, control));
    }
    if (cfg.teams.length) {
      const teams = cfg.teams.map((team) => el("option", { value: String(team.id), text: team.name }));
      pre.push(field("__team", gettext("Topic"), { required: false }, el("select", { name: "__team" }, el("option", { value: "", text: gettext("Anything") }), ...teams)));
    }
    pre.push(field("__text", gettext("Your message"), { required: true }, textarea("__text")), el("button", { class: "send", type: "submit", text: gettext("Start the chat") }));
    ui.pre.replaceChildren(...pre);
    ui.off.replaceChildren(
      el("h3", { text: gettext("Leave us a message"), style: "margin:0;font-size:15px" }),
      el("p", { text: app.serverText(cfg.away_message || defaultText("away"), "away") }),
      field("name", gettext("Your name"), { type: "text", maxlength: "120", autocomplete: "name" }),
      field("email", gettext("Your email"), { type: "email", required: true, maxlength: "254", autocomplete: "email" }),
      field("__text", gettext("Your question"), { required: true }, textarea("__text")),
      el("button", { class: "send", type: "submit", text: gettext("Send") }),
    );
    ui.formsFor = formsKey();
  }

  const formsKey = () => JSON.stringify([app.locale, state.greeting, state.cfg.prechat, state.cfg.teams, state.cfg.away_message]);

  function announce(text) {
    if (!ui.live) return;
    ui.live.textContent = "";
    setTimeout(() => (ui.live.textContent = text), 50);
  }

  return { mount, labels, buildForms, formsKey, announce };
}
