// gettext() over a djangojs catalogue from the helpdesk (helpdesk/jsi18n.py); English needs none.
// And system messages, which come as a code with parameters: the templates of chat/notices.py.

let catalog = {};
const loaded = new Map(); // language -> promise of its catalogue

// The text in the active language, its %(name)s placeholders filled from `values`.
export function gettext(msgid, values) {
  const found = catalog[msgid];
  const text = typeof found === "string" && found ? found : Array.isArray(found) && found[0] ? found[0] : msgid;
  return values ? text.replace(/%\((\w+)\)s/g, (_, k) => (k in values ? String(values[k]) : "")) : text;
}

// Marks a text for the catalogue; gettext() translates it where it is shown.
export const gettext_noop = (msgid) => msgid;

// The catalogue of `language` (a Django language code), fetched once from `url`.
export function loadCatalog(language, url) {
  if (language.startsWith("en")) return Promise.resolve({});
  if (!loaded.has(language)) {
    const request = fetch(url)
      .then((response) => (response.ok ? response.json() : { catalog: {} }))
      .then((body) => body.catalog || {}, () => ({}));
    request.then((found) => Object.keys(found).length || loaded.delete(language)); // retried next time
    loaded.set(language, request);
  }
  return loaded.get(language);
}

export async function activate(language, url) {
  catalog = await loadCatalog(language, url);
}

const NOTICES = {
  joined: gettext_noop("%(name)s joined the conversation."),
  transferred_to_agent: gettext_noop("Transferred to %(name)s."),
  transferred_to_team: gettext_noop("Transferred to the %(team)s team."),
  resolved: gettext_noop("The conversation was resolved."),
  reopened: gettext_noop("The conversation was reopened."),
  requeued: gettext_noop("We are connecting you with another agent."),
  inactivity_reminder: gettext_noop("Are you still there? This chat will close soon if we don't hear from you."),
  inactivity_closed: gettext_noop("This chat was closed because we didn't hear back. Write again any time to reopen it."),
};

/** A message's text as its reader reads it: a known code rendered, else the text as sent. */
export const messageText = (m) => (NOTICES[m.code] ? gettext(NOTICES[m.code], m.params) : m.text);
