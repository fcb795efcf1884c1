// The view: the widget's DOM in a shadow root (no CSS crosses in or out), built once, with its
// texts per language; and drawing the state into it (render() batches to the next tick, draw() draws now).

import { el } from "../shared/dom.js";
import { gettext, gettext_noop, messageText } from "../shared/i18n.js";
import { size } from "./actions.js";
import { defaultText } from "./locale.js";
import { isActive } from "./state.js";

const PATHS = {
  chat: "M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z",
  history: "M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l3 2",
  download: "M12 3v12M7 10l5 5 5-5M5 21h14",
  clip: "M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.5 3.5 0 0 1 5 5l-8.6 8.6a2 2 0 0 1-2.8-2.8l7.9-7.9",
  file: "M14 3H6v18h12V7zM14 3v4h4",
  help: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.7M12 17v.01",
};

// The survey's face, its mouth bent by a mood of -2 to 2.
const FACE = "M3 12a9 9 0 1 0 18 0 9 9 0 1 0-18 0M9 9.5h0M15 9.5h0M8 ";

// Line icons drawn here (no icon font, no emoji font needed): a name of PATHS, or a path.
function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", PATHS[name] || name);
  svg.append(path);
  return svg;
}

// The language switch names the other language in that language (its name is what it shows).
const SWITCH = { en: ["中文", "切换到中文", "zh-Hans"], "zh-Hans": ["English", "Switch to English", "en"] };

function panel(app) {
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
    ui.helpButton = el("button", { class: "x", type: "button", onclick: app.showHelp }, icon("help"));
    ui.human = el("button", { class: "link", type: "button", onclick: () => app.socket.send({ type: "bot.handoff" }, { kind: "handoff" }) });
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
    ui.emailForm = el("form", { class: "comment", onsubmit: (e) => (e.preventDefault(), app.submitEmail(ui.emailBox.value.trim())) }, ui.emailBox, el("button", { class: "send", type: "submit" }));
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
      el("header", {}, ui.avatar, el("div", {}, ui.title, ui.status), ui.helpButton, ui.historyButton, ui.downloadButton, ui.lang, ui.close),
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
      ui.human,
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
    aria(ui.helpButton, (ui.helpButton.title = gettext("Help")));
    ui.human.textContent = gettext("Talk to a person");
    aria(ui.downloadButton, gettext("Download the transcript"));
    ui.downloadButton.title = gettext("Download the transcript");
    if (ui.relabelData) ui.relabelData();
    ui.lang.textContent = other;
    ui.lang.title = switchLabel;
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

// How the visitor's list of past conversations names each status.
const STATUS = { waiting: gettext_noop("waiting"), open: gettext_noop("open"), pending: gettext_noop("open"), resolved: gettext_noop("resolved") };

const initials = (name) => name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join("");

function drawing(app) {
  const { state, ui } = app;

  // Files of a message: image previews (fetched with the token, shown from a blob: URL) and downloads.
  function files(list) {
    if (!list || !list.length) return null;
    return el(
      "div",
      { class: "files" },
      ...list.map((a) => {
        const label = gettext("File %(name)s (%(size)s)", { name: a.name, size: size(a.size) });
        const button = el("button", { class: "file", type: "button", text: a.is_image ? "" : a.name, "aria-label": label, onclick: () => app.blobUrl(a.id).then((url) => app.save(url, a.name)) });
        if (!a.is_image) button.prepend(icon("file"));
        if (a.is_image) {
          const img = el("img", { alt: a.name, width: a.width && Math.min(a.width, 220), loading: "lazy" });
          app.blobUrl(a.id).then((url) => (img.src = url), () => (img.alt = a.name + " ✕"));
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

  // A bot's answer: its text, the article as a link, and "Did that help?" while the bot holds the chat.
  function answer(m, c, support) {
    const a = m.answer;
    const ask = a.helpful == null && isActive(c) && c.owner === "bot";
    const known = nodes.get(m.id);
    if (known && known.sig === ask) return known.node;
    const yn = (helpful, text) => el("button", { type: "button", class: "link", text, onclick: () => app.feedback(m, helpful) });
    const li = el("li", { class: "m bot" }, el("span", { class: "who", text: m.sender.name || support }), el("p", { text: m.text }), el("a", { href: a.article.url, target: "_blank", rel: "noopener", text: a.article.title }));
    if (ask) li.append(el("div", { class: "fb" }, gettext("Did that help?"), yn(true, gettext("Yes")), yn(false, gettext("No"))));
    nodes.set(m.id, { sig: ask, node: li });
    return li;
  }

  function statusLine() {
    const c = state.conversation;
    if (!state.ready) {
      if (app.socket.attempt > 0) return state.wasReady ? gettext("Connection lost. Reconnecting…") : gettext("Cannot reach the chat right now. Retrying…");
      return app.socket.ws ? gettext("Connecting…") : "";
    }
    if (!c || !c.status) return "";
    if (c.status === "waiting") {
      if (app.wantsEmail(c)) return gettext("Nobody is available right now. Leave your email and we will reply as soon as we can.");
      if (!c.queue_position) return gettext("Waiting for an agent to join…");
      const line = gettext("You are number %(position)s of %(waiting)s in the queue.", { position: c.queue_position, waiting: c.queue_length || c.queue_position });
      const wait = c.estimated_wait_seconds;
      return typeof wait === "number" && wait >= 60 ? line + " " + gettext("About %(minutes)s min.", { minutes: Math.round(wait / 60) }) : line;
    }
    if (c.status === "resolved") return gettext("This conversation is resolved. Write again to start a new one.");
    const name = c.assignee ? c.assignee.name : c.owner === "bot" && state.bot && state.bot.name;
    return name ? gettext("You are chatting with %(name)s.", { name }) : "";
  }

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
    if (state.open) app.markRead();
    const unread = state.open ? 0 : app.unreadCount();
    ui.panel.hidden = !state.open;
    ui.launcher.setAttribute("aria-expanded", String(state.open));
    const launcherLabel = state.open ? gettext("Close chat") : unread ? gettext("Open chat (%(n)s unread)", { n: unread }) : gettext("Open chat");
    ui.launcher.setAttribute("aria-label", launcherLabel);
    ui.badge.hidden = !unread;
    ui.badge.textContent = unread > 99 ? "99+" : String(unread);
    ui.status.textContent = statusLine();
    const agent = c && c.status !== "waiting" && c.assignee && c.assignee.name;
    ui.avatar.hidden = !agent;
    ui.avatar.textContent = agent ? initials(agent) : "";
    ui.avatar.title = agent || "";
    if (!state.open) return;

    if (ui.formsFor !== app.formsKey()) {
      const focused = ui.root.activeElement;
      app.buildForms();
      if (focused && !ui.root.contains(focused)) app.focusView();
    }
    const history = state.view === "history";
    const shown = state.view !== "chat" ? "" : app.form();
    const chat = state.view === "chat" && !shown;
    const hadFocus = ui.root.activeElement;
    ui.pre.hidden = shown !== "prechat";
    ui.off.hidden = shown !== "offline";
    ui.hist.hidden = !history;
    if (ui.help) ui.help.hidden = state.view !== "help";
    ui.helpButton.hidden = state.view === "help";
    ui.human.hidden = !(chat && isActive(c) && c.owner === "bot");
    ui.log.hidden = ui.compose.hidden = !chat;
    if (app.drawConsent) app.drawConsent();
    ui.clip.hidden = !isActive(c) || !state.token;
    ui.historyButton.hidden = !state.token || history;
    ui.downloadButton.hidden = !c || !c.number || history;
    if (hadFocus && hadFocus.closest("[hidden]")) app.focusView();

    drawTranscript(c, chat, scroll);

    const resolved = chat && c && c.status === "resolved";
    const survey = state.survey || {};
    // Rebuilt only when what it shows changes, so that a keyboard user's focus stays put.
    const rateSig = JSON.stringify([resolved, resolved && !!c.rating, survey, app.locale]);
    if (ui.rateSig !== rateSig) {
      ui.rateSig = rateSig;
      ui.rate.hidden = !resolved;
      if (resolved && c.rating) ui.rate.replaceChildren(el("p", { text: gettext("Thank you for your rating!") }));
      else if (resolved) {
        const question = app.serverText(survey.question || defaultText("rateQuestion"), "rateQuestion");
        const buttons = app.scale(survey.scale).map(([n, face, label]) => el("button", { type: "button", "aria-label": label, onclick: () => app.rate(n) }, typeof face == "string" ? face : icon(FACE + (15 - face / 2) + "q4 " + face * 2 + " 8 0")));
        ui.rate.replaceChildren(el("p", { id: "hd-rate", text: question }), el("div", { class: "stars", role: "group", "aria-labelledby": "hd-rate" }, ...buttons));
      } else ui.rate.replaceChildren();
    }
    const canComment = resolved && c.rating && survey.comment !== false;
    ui.comment.hidden = !canComment || state.commented;
    const askForReply = chat && app.wantsEmail(c);
    ui.tools.hidden = !(chat && c && c.number);
    ui.emailForm.hidden = !(state.askEmail || askForReply);
    ui.emailLink.hidden = !!(state.askEmail || askForReply);
    ui.thanks.hidden = !(state.commented && resolved);
    ui.notice.hidden = !state.notice;
    ui.notice.textContent = state.notice;
    ui.done.hidden = !state.done;
    ui.done.textContent = state.done;

    const histSig = JSON.stringify([history, state.history, app.locale]);
    if (history && ui.histSig !== histSig) {
      ui.histSig = histSig;
      ui.histList.replaceChildren(...historyItems(state.history));
    }
  }

  function drawTranscript(c, chat, scroll) {
    const near = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 60;
    const items = [];
    const support = gettext("Support");
    if (!state.messages.length && chat) items.push(bubble("greeting", "", support, app.serverText(state.greeting || defaultText("greeting"), "greeting")));
    const agentRead = (c && c.agent_last_read_seq) || 0;
    const sending = gettext("Sending…");
    // A refused message or file stays where it was sent.
    const failed = [...state.failed];
    const flush = (seq) => {
      for (let f; (f = failed[0]) && f.at < seq; failed.shift()) items.push(bubble("f" + (state.failed.length - failed.length), "me failed", "", f.text, gettext("Not sent: %(reason)s", { reason: f.reason })));
    };
    state.messages.forEach((m) => {
      flush(m.seq);
      const key = m.id;
      if (m.sender.kind === "system") items.push(bubble(key, "sys", "", messageText(m)));
      else if (m.answer) items.push(answer(m, c, support));
      else if (m.sender.kind === "contact") items.push(bubble(key, "me", "", m.text, m.seq <= agentRead ? gettext("Seen") : gettext("Delivered"), m.attachments));
      else items.push(bubble(key, "", m.sender.name || support, m.text, "", m.attachments));
    });
    flush(Infinity);
    for (const m of state.outbox) {
      if (!m.conversation || (c && m.conversation === c.id)) items.push(bubble(m.client_id, "me pending", "", m.text, sending, m.files));
    }
    for (const u of state.uploads) items.push(bubble(u.key, "me pending", "", gettext("Uploading %(name)s…", { name: u.name }), sending));
    if (nodes.size > items.length + 50) {
      const keep = new Set(items);
      for (const [k, v] of nodes) if (!keep.has(v.node)) nodes.delete(k);
    }
    ui.log.replaceChildren(...items);
    if (scroll || near) ui.log.scrollTop = ui.log.scrollHeight;

    ui.typing.hidden = !state.typing || !chat;
    ui.typing.textContent = state.typing ? gettext("%(name)s is typing…", { name: state.typing }) : "";
  }

  function historyItems(list) {
    if (list == null) return [el("li", { text: "…" })];
    if (!list.length) return [el("li", { text: gettext("No past conversations yet.") })];
    const dates = app.locale === "en" ? "en" : "zh-CN";
    return list.map((h) => {
      const text = gettext("#%(n)s · %(status)s · %(date)s", { n: h.number, status: gettext(STATUS[h.status] || h.status), date: new Date(h.created_at).toLocaleDateString(dates) });
      return el("li", {}, el("button", { type: "button", text, onclick: () => app.reopen(h) }));
    });
  }

  // A new language: every entry is built again.
  const relabel = () => nodes.clear();

  return { render, draw, relabel, scrollAll: () => (scrollWanted = true) };
}

export const view = (app) => ({ ...panel(app), ...drawing(app) });
