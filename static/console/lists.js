/* The conversation lists: Queue, Mine, and the Team / All / Resolved view, filtered and sorted;
 * the agent's load, and the unread count in the page title. */

import { $, el } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";
import { contactName, since, slaFlag, statusName } from "./format.js";
import { inQueue } from "./state.js";

const waitKey = (c) => String(c.waiting_since || c.created_at || "");
const SORTS = {
  priority: (a, b) => (b.priority || 0) - (a.priority || 0) || waitKey(a).localeCompare(waitKey(b)),
  waiting: (a, b) => waitKey(a).localeCompare(waitKey(b)),
  activity: (a, b) => String(b.last_message_at || b.created_at).localeCompare(String(a.last_message_at || a.created_at)),
};

// The priority's name as the page's own picker words it.
function priorityName(p) {
  const option = document.querySelector(`#priority option[value="${Number(p)}"]`);
  return option ? option.textContent : String(p);
}

function filters() {
  return {
    status: $("filter-status").value,
    inbox: $("filter-inbox").value,
    team: $("filter-team").value,
    tag: $("filter-tag").value,
    priority: $("filter-priority").value,
  };
}

function matches(c, f) {
  if (f.status && c.status !== f.status) return false;
  if (f.inbox && (!c.inbox || String(c.inbox.id) !== f.inbox)) return false;
  if (f.team && (!c.team || String(c.team.id) !== f.team)) return false;
  if (f.tag && !(c.tags || []).includes(f.tag)) return false;
  if (f.priority && String(c.priority) !== f.priority) return false;
  return true;
}

export function lists(app) {
  const { state } = app;

  function item(c) {
    const unread = inQueue(c) ? 0 : state.unread.get(c.id) || 0;
    const li = el("li", { "data-conversation": c.id });
    const classes = ["conv"];
    if (c.id === state.selected) classes.push("active");
    if (unread) classes.push("unread");
    if (state.mentioned.has(c.id)) classes.push("mentioned");
    const top = el("span", { class: "conv-top" }, el("strong", { text: `#${c.number} ${contactName(c)}` }));
    if (unread) top.append(el("span", { class: "badge", "aria-label": gettext("%(count)s unread", { count: unread }), text: String(unread) }));
    if (state.mentioned.has(c.id)) top.append(el("span", { class: "at", title: gettext("mentioned"), text: "@" }));
    const flag = slaFlag(c);
    if (flag) top.append(el("span", { class: "sla " + flag.level, text: flag.text }));
    const sub = el("span", { class: "conv-sub" });
    if (c.priority >= 2) sub.append(el("span", { class: "prio p" + c.priority, text: priorityName(c.priority) }));
    if (inQueue(c) && c.waiting_since) sub.append(el("span", { class: "wait", text: gettext("waiting %(time)s", { time: since(c.waiting_since) }) }));
    else if (!inQueue(c)) sub.append(el("span", { class: "status", text: statusName(c.status) }));
    for (const name of c.tags || []) sub.append(el("span", { class: "chip small", text: name }));
    const button = el(
      "button",
      { type: "button", class: classes.join(" "), onclick: () => app.select(c.id) },
      top,
      el("span", { class: "conv-preview", text: state.previews.get(c.id) || statusName(c.status) }),
      sub,
    );
    if (c.id === state.selected) button.setAttribute("aria-current", "true");
    li.append(button);
    return li;
  }

  function fillList(id, items) {
    $(id).replaceChildren(...items.map(item));
    $(id + "-count").textContent = items.length;
    $(id + "-empty").hidden = items.length > 0;
  }

  function renderLists() {
    const f = filters();
    const sort = SORTS[$("sort").value] || SORTS.priority;
    const all = [...state.conversations.values()];
    const queue = all.filter(inQueue);
    const mine = all.filter(app.isMine);
    const shownQueue = queue.filter((c) => matches(c, f)).sort(sort);
    const shownMine = mine.filter((c) => matches(c, f)).sort(sort);
    const inView = app.views[state.view] || app.views.team;
    const view = all.filter((c) => inView(c) && matches(c, f));
    view.sort(state.view === "resolved" ? (a, b) => String(b.resolved_at).localeCompare(String(a.resolved_at)) : sort);
    fillList("queue", shownQueue);
    fillList("mine", shownMine);
    $("view-list").replaceChildren(...view.map(item));
    $("view-count").textContent = view.length;
    $("view-empty").hidden = view.length > 0;
    const active = Object.values(f).filter(Boolean).length;
    $("filter-count").hidden = !active;
    $("filter-count").textContent = active;
    $("load").textContent = mine.length;
    $("load").parentElement.classList.toggle("full", mine.length >= app.me.capacity);
    let unread = 0;
    for (const [id, n] of state.unread) if (!inQueue(state.conversations.get(id) || {})) unread += n;
    const badge = queue.length + unread;
    document.title = (badge ? `(${badge}) ` : "") + app.baseTitle;
  }

  return { renderLists };
}
