/* The widget's REST calls, with the visitor's token: attachments (upload, and download as blob:
 * URLs), the list of past conversations, and the transcript (download or email). */

import { el, uuid } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";
import { isActive } from "./conversation.js";

export const size = (n) => (n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB");

export function api(app) {
  const { state, ui } = app;

  async function call(path, options) {
    const response = await fetch(app.config.apiUrl + path, { ...options, headers: { Authorization: "Bearer " + state.token, ...(options && options.headers) } });
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
      state.failed.push({ text: file.name, reason: gettext("%(name)s is larger than %(size)s MB.", { name: file.name, size: Math.floor(limit / 1048576) }) });
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
      state.failed.push({ text: file.name, reason: error.message });
    } finally {
      state.uploads = state.uploads.filter((u) => u.key !== key);
      app.render(true);
    }
  }

  async function showHistory() {
    state.view = "history";
    state.history = null;
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

  return { blobUrl, save, upload, showHistory, reopen, downloadTranscript, emailTranscript };
}
