// gettext() over a djangojs catalogue from the helpdesk (helpdesk/jsi18n.py); English needs none.

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
