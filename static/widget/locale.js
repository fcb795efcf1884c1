// The visitor's language, and the server's English texts shown in it.

import { activate, gettext, gettext_noop } from "../shared/i18n.js";

// The inbox's texts, translated while they are the defaults (an inbox's own wording stays as written).
const DEFAULTS = {
  greeting: gettext_noop("Hi! How can we help?"),
  rateQuestion: gettext_noop("How would you rate this conversation?"),
  away: gettext_noop("We are away right now. Leave your question and email, and we will answer by email."),
};

// System messages the server stores in English; the more specific pattern first.
const SYSTEM = [
  gettext_noop("%(name)s joined the conversation."),
  gettext_noop("Transferred to the %(team)s team."),
  gettext_noop("Transferred to %(name)s."),
  gettext_noop("The conversation was resolved."),
  gettext_noop("The conversation was reopened."),
  gettext_noop("We are connecting you with another agent."),
].map((msgid) => [msgid, matcher(msgid)]);

// A function that reads the placeholders' values back out of a text made from `msgid`, or null.
function matcher(msgid) {
  const parts = msgid.split(/%\((\w+)\)s/); // text, name, text, name, ..., text
  const names = parts.filter((_, i) => i % 2);
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp("^" + parts.map((p, i) => (i % 2 ? "(.+)" : escape(p))).join("") + "$");
  return (text) => {
    const m = re.exec(text);
    return m && Object.fromEntries(names.map((name, i) => [name, m[i + 1]]));
  };
}

export const defaultText = (key) => DEFAULTS[key];

/** A text from the server in the visitor's language: a known default (`key`) or system message. */
export function serverText(text, key) {
  if (key && text === DEFAULTS[key]) return gettext(DEFAULTS[key]);
  for (const [msgid, match] of SYSTEM) {
    const values = match(text);
    if (values) return gettext(msgid, values);
  }
  return text;
}

/** "en" or "zh-Hans", from the first of `wanted` that names one, else from the browser. */
export function pickLocale(...wanted) {
  for (const l of [...wanted, ...(navigator.languages || [navigator.language])]) {
    const x = String(l || "").toLowerCase();
    if (x.startsWith("zh")) return "zh-Hans";
    if (x.startsWith("en")) return "en";
  }
  return "en";
}

/** Load the catalogue of `locale` from the helpdesk at `origin` and make it the active one. */
export function useLocale(locale, origin) {
  const language = locale === "zh-Hans" ? "zh-hans" : "en";
  return activate(language, origin + "/jsi18n/widget/" + language + ".json");
}
