/* Translations for the scripts, from Django's own catalogues: the `djangojs` domain of the same
 * locale/ directory as the templates, served as JSON by the helpdesk (helpdesk/jsi18n.py).
 * Source texts are English, so English needs no catalogue. Placeholders are Django's named
 * `%(name)s`; `makemessages -d djangojs` collects every string literal passed to gettext or gettext_noop.
 */

let catalog = {};
const loaded = new Map(); // language -> promise of its catalogue

/** The text in the active language, its `%(name)s` placeholders filled from `values`. */
export function gettext(msgid, values) {
  const found = catalog[msgid];
  const text = typeof found === "string" && found ? found : Array.isArray(found) && found[0] ? found[0] : msgid;
  return values ? text.replace(/%\((\w+)\)s/g, (_, k) => (k in values ? String(values[k]) : "")) : text;
}

/** Marks a text for the catalogue where it is defined; gettext() translates it where it is shown. */
export const gettext_noop = (msgid) => msgid;

/** Fetch the catalogue of `language` (a Django language code) from `url`, once. */
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

/** Load (if need be) and make `language` the active one. */
export async function activate(language, url) {
  catalog = await loadCatalog(language, url);
}
