// The visitor's language, and the inbox's default texts shown in it.

import { activate, gettext, gettext_noop } from "../shared/i18n.js";

// The inbox's texts, translated while they are the defaults (an inbox's own wording stays as written).
const DEFAULTS = {
  greeting: gettext_noop("Hi! How can we help?"),
  rateQuestion: gettext_noop("How would you rate this conversation?"),
  away: gettext_noop("We are away right now. Leave your question and email, and we will answer by email."),
};

export const defaultText = (key) => DEFAULTS[key];

/** An inbox's text in the visitor's language while it is the default (`key`), else as written. */
export const serverText = (text, key) => (text === DEFAULTS[key] ? gettext(text) : text);

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
