/* The selected conversation: its header (status, SLA, tags, the actions it allows), the
 * transcript with private notes and read receipts, and the composer's labels. Also the pickers
 * whose options follow the live state (tags, colleagues' availability, the agent's own). */

import { $, el } from "../shared/dom.js";
import { gettext, gettext_noop, messageText } from "../shared/i18n.js";
import { availabilityName, contactName, slaFlag, statusName, time } from "./format.js";

// Why the bot handed a conversation over (chat.choices.HandoffReason).
const HANDOFF = {
  asked_for_human: gettext_noop("The visitor asked for a person."),
  low_confidence: gettext_noop("The bot found no article that answers with confidence."),
  not_helpful: gettext_noop("Two of the bot's answers in a row did not help."),
  bot_error: gettext_noop("The bot failed, so it handed over at once."),
  agent_took_over: gettext_noop("An agent took the conversation over from the bot."),
};
const HELPFUL = { true: gettext_noop("helpful"), false: gettext_noop("not helpful") };

function articleLink(a) {
  const li = el("li", {}, el("a", { href: a.url, target: "_blank", rel: "noopener", text: a.title }));
  if (a.helpful != null) li.append(` (${gettext(HELPFUL[a.helpful])})`);
  return li;
}

// A note's @mentions stand out; everything stays text nodes.
function noteText(text) {
  const p = el("p", { class: "msg-text" });
  for (const part of text.split(/((?<![\w@])@[\w.+-]*\w)/)) {
    if (/^@[\w.+-]*\w$/.test(part)) p.append(el("span", { class: "mention", text: part }));
    else if (part) p.append(document.createTextNode(part));
  }
  return p;
}

function attachmentLink(file) {
  const href = file.id ? `/api/attachments/${encodeURIComponent(file.id)}/` : null;
  const label = `${file.name || gettext("Attachment")}${file.size ? ` (${Math.ceil(file.size / 1024)} KB)` : ""}`;
  if (!href) return el("span", { class: "attachment", text: label });
  const link = el("a", { class: "attachment", href, download: file.name || "", text: label });
  if (file.is_image) link.prepend(el("img", { class: "thumb", src: href, alt: "", loading: "lazy" }));
  return link;
}

function entry(m, c, app) {
  const kind = m.is_private ? "note" : m.sender.kind;
  const li = el("li", { class: "msg " + kind + (m.pending ? " pending" : ""), "data-seq": m.seq || "" });
  if (m.sender.kind !== "system") {
    const head = el("div", { class: "msg-head" }, el("span", { class: "msg-who", text: m.sender.name || m.sender.kind }));
    if (m.is_private) head.append(el("span", { class: "tag", text: gettext("Private note") }));
    head.append(el("time", { datetime: m.created_at || "", text: m.pending ? gettext("Sending…") : time(m.created_at) }));
    if (m.sender.kind === "agent" && !m.is_private && !m.pending) {
      const read = m.public_seq && (c.contact_last_read_seq || 0) >= m.public_seq;
      head.append(el("span", { class: "receipt" + (read ? " read" : ""), title: read ? "read" : "delivered", "data-state": read ? "read" : "delivered", text: read ? "✓✓" : "✓" }));
    }
    li.append(head);
  }
  const text = messageText(m);
  if (text) li.append(m.is_private ? noteText(text) : el("p", { class: "msg-text", text }));
  for (const file of m.attachments || []) li.append(attachmentLink(file));
  if (m.answer) li.append(el("ul", { class: "articles" }, articleLink({ ...m.answer.article, helpful: m.answer.helpful })));
  if (m.sender.kind === "agent" && !m.is_private && !m.pending && m.id) {
    li.append(el("button", { type: "button", class: "link draft", text: gettext("Draft article from this answer"), onclick: () => app.draftArticle(c.id, m.id) }));
  }
  return li;
}

export function detail(app) {
  const { state } = app;

  function tagColor(name) {
    const tag = state.tags.find((x) => x.name === name);
    return tag && /^#[0-9a-fA-F]{3,6}$/.test(tag.color) ? tag.color : "#5b6477";
  }

  function renderTags(c) {
    const tagKey = (c.tags || []).join(",");
    if ($("conv-tags").dataset.key === c.id + tagKey) return;
    $("conv-tags").dataset.key = c.id + tagKey;
    const remove = (name) => app.act("conversation.tags", { tags: (c.tags || []).filter((x) => x !== name) });
    $("conv-tags").replaceChildren(
      ...(c.tags || []).map((name) =>
        el(
          "li",
          { class: "chip", style: `--chip:${tagColor(name)}` },
          el("span", { text: name }),
          el("button", { type: "button", class: "chip-x", "aria-label": gettext("Remove tag %(name)s", { name }), text: "×", onclick: () => remove(name) }),
        ),
      ),
    );
  }

  const claimLabel = $("claim").textContent;

  // The bot's handoff: why, and the articles it offered (with the visitor's "Did that help?").
  function renderHandoff(c) {
    const h = c.handoff;
    const box = $("handoff");
    box.hidden = !h;
    const key = h ? c.id + JSON.stringify(h) : "";
    if (!h || box.dataset.key === key) return;
    box.dataset.key = key;
    const reason = gettext(HANDOFF[h.reason] || h.reason);
    box.replaceChildren(el("strong", { text: gettext("Handed over by the bot") }), " ", el("span", { class: "reason", text: reason }));
    if (h.articles && h.articles.length) box.append(el("p", { text: gettext("Articles the bot offered:") }), el("ul", { class: "articles" }, ...h.articles.map(articleLink)));
  }

  let lastRendered = "";
  function renderDetail(scroll) {
    const c = state.selected && state.conversations.get(state.selected);
    $("placeholder").hidden = Boolean(c) || !$("search-panel").hidden;
    $("detail").hidden = !c || !$("search-panel").hidden;
    $("contact-panel").hidden = !c;
    if (!c) return;
    const tr = app.current();
    $("conv-title").textContent = `#${c.number} · ${contactName(c)}`;
    $("conv-verified").hidden = !(c.contact && c.contact.verified);
    const meta = [statusName(c.status), c.assignee ? gettext("assigned to %(name)s", { name: c.assignee.name }) : gettext("unassigned")];
    if (c.team) meta.push(gettext("%(name)s team", { name: c.team.name }));
    if (c.inbox) meta.push(c.inbox.name);
    $("conv-meta").textContent = meta.join(" · ");
    const bot = c.owner === "bot" && c.status === "open";
    $("claim").hidden = c.status !== "waiting" && !bot;
    $("claim").textContent = bot ? gettext("Take over") : claimLabel;
    renderHandoff(c);
    $("accept").hidden = !(app.isMine(c) && c.auto_assigned && !c.accepted_at);
    $("pending").hidden = c.status !== "open" || bot;
    $("unpend").hidden = c.status !== "pending";
    $("priority").value = String(c.priority ?? 1);
    $("priority").disabled = c.status === "resolved";
    const flag = slaFlag(c);
    $("sla").hidden = !flag;
    $("sla").className = "sla " + (flag ? flag.level : "");
    $("sla").textContent = flag ? flag.text : "";
    $("resolve").hidden = c.status === "resolved";
    $("reopen").hidden = c.status !== "resolved";
    $("transfer").hidden = c.status === "resolved";
    $("assign").hidden = c.status === "resolved";
    renderTags(c);
    const note = $("private").checked;
    $("composer").classList.toggle("noting", note);
    $("composer-text").placeholder = note
      ? gettext("Private note: only agents see it. @username notifies a colleague…")
      : c.status === "waiting"
        ? gettext("Claim the conversation to reply; private notes work any time.")
        : bot
          ? gettext("The bot answers this conversation: take it over to reply; private notes work any time.")
          : gettext("Reply to the visitor…");
    $("send").textContent = note ? gettext("Add note") : gettext("Send");

    const list = $("transcript");
    const near = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const pending = [...state.pending.values()]
      .filter((p) => p.frame.conversation === c.id)
      .map((p) => ({ pending: true, text: p.frame.text || (p.frame.attachments ? gettext("Attachment") : ""), is_private: p.frame.type === "note.add", sender: { kind: "agent", name: app.me.name } }));
    const key = `${c.id}|${tr.messages.length}|${tr.lastSeq}|${pending.length}|${tr.loading}|${tr.loadError}|${c.contact_last_read_seq}`;
    if (key !== lastRendered) {
      lastRendered = key;
      const entries = tr.messages.concat(pending).map((m) => entry(m, c, app));
      if (tr.loading && !tr.messages.length) entries.push(el("li", { class: "msg system", text: gettext("Loading the transcript…") }));
      else if (tr.loadError) entries.push(el("li", { class: "msg system error", text: tr.loadError }));
      else if (!entries.length) entries.push(el("li", { class: "msg system", text: gettext("No messages yet.") }));
      list.replaceChildren(...entries);
      if (scroll || near) list.scrollTop = list.scrollHeight;
    }
    $("typing").textContent = state.typing ? gettext("%(name)s is typing…", { name: state.typing }) : "";
  }

  function fillTagPickers() {
    const filter = $("filter-tag");
    const chosen = filter.value;
    filter.replaceChildren(filter.options[0], ...state.tags.map((x) => el("option", { value: x.name, text: x.name })));
    filter.value = chosen;
    $("tag-options").replaceChildren(...state.tags.map((x) => el("option", { value: x.name })));
  }

  function setAvailability(value) {
    state.availability = value;
    $("availability").value = value;
  }

  // A colleague in the transfer picker, with their availability in the page's language.
  function labelAgent(id, availability) {
    for (const option of document.querySelectorAll(`#transfer-target option[value="agent:${Number(id)}"]`)) {
      option.dataset.availability = availability;
      option.textContent = gettext("%(name)s (%(availability)s)", { name: option.dataset.name, availability: availabilityName(availability) });
    }
  }

  return { renderDetail, fillTagPickers, setAvailability, labelAgent };
}
