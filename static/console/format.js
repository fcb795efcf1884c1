/* How the console words and formats what it shows: statuses, availability, times, names. */

import { gettext, gettext_noop } from "../shared/i18n.js";

const STATUS = {
  waiting: gettext_noop("Waiting in queue"),
  open: gettext_noop("Open"),
  pending: gettext_noop("Pending on customer"),
  resolved: gettext_noop("Resolved"),
};
const AVAILABILITY = { online: gettext_noop("Online"), away: gettext_noop("Away"), offline: gettext_noop("Offline") };

export const statusName = (status) => gettext(STATUS[status] || status);
export const availabilityName = (availability) => gettext(AVAILABILITY[availability] || availability);

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "");
export const dateTime = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "");
export const contactName = (c) => (c.contact && c.contact.display_name) || gettext("Visitor");

export function since(iso) {
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

// The SLA state agents must see: breached (red), or a warning before a breach (amber).
export function slaFlag(c) {
  const sla = c.sla;
  if (!sla || c.status === "resolved") return null;
  if (sla.breached) return { level: "breached", text: gettext("SLA breached") };
  if (sla.warnings && sla.warnings.some((w) => !sla.breaches.some((b) => b.target === w.target && b.due_at === w.due_at))) {
    return { level: "warning", text: gettext("SLA due soon") };
  }
  return null;
}

/** A link target only for http(s) addresses; anything else a visitor's page reported stays text. */
export function safeUrl(value) {
  try {
    const url = new URL(String(value), location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
