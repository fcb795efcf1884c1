// Starts the widget: assembles the modules on `app`, publishes window.Helpdesk, mounts, connects.

import { actions } from "./actions.js";
import { connection } from "./connection.js";
import { pickLocale, serverText, useLocale } from "./locale.js";
import { conversation, createState, createStore, hostPage, isActive, outbox } from "./state.js";
import { view } from "./view.js";

const STYLES = new URL("./widget.css", import.meta.url);

/** `config`: {inbox, origin, dataLocale} from the script tag; `queued`: API calls made before. */
export async function start(config, queued) {
  const origin = config.origin;
  const inbox = encodeURIComponent(config.inbox);
  config.socketUrl = origin.replace(/^http/, "ws") + "/ws/widget/" + inbox + "/";
  config.apiUrl = origin + "/api/widget/" + inbox + "/";
  const store = createStore("helpdesk:" + config.inbox + ":");
  const state = createState(store);
  const ui = {};
  const app = { config, store, state, ui, locale: "en", serverText };

  // Events for the host page: Helpdesk.on('message' | 'open' | 'close', fn).
  const listeners = { message: [], open: [], close: [] };
  app.emit = (name, detail) => {
    for (const fn of listeners[name]) {
      try {
        fn(detail);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  };
  Object.assign(app, conversation(app), outbox(app), connection(app), actions(app), view(app));

  function open() {
    const was = state.open;
    state.open = true;
    if (!ui.host) return; // opened once mounted
    // Availability comes with auth.ok: when the offline form would show on an old answer, ask again.
    if (state.ready && app.form() === "offline" && Date.now() - state.authAt > 30000) app.socket.drop();
    app.socket.connect();
    app.scrollAll();
    app.draw(); // now, so that the panel is shown before focus moves into it
    focusView();
    if (!was) app.emit("open");
  }

  function close() {
    const was = state.open;
    state.open = false;
    if (!ui.host) return;
    const hadFocus = ui.root.activeElement != null;
    app.stopTyping();
    app.draw();
    if (hadFocus) ui.launcher.focus();
    if (was) app.emit("close");
  }

  function focusView() {
    const form = app.form();
    const target = state.view === "history" ? ui.back : state.view === "help" ? ui.help : form === "offline" ? ui.off : form === "prechat" ? ui.pre : null;
    (target ? target.querySelector("input,select,textarea") || target : ui.input).focus();
  }

  let switches = 0;
  async function setLocale(wanted) {
    if (wanted) store.set("locale", wanted);
    else store.del("locale");
    const locale = pickLocale(wanted, config.dataLocale, store.get("locale"));
    const asked = ++switches;
    await useLocale(locale, origin);
    if (asked !== switches) return; // another switch came after this one
    app.locale = locale;
    if (ui.host) {
      app.relabel();
      app.labels();
      app.draw();
    }
  }
  Object.assign(app, { open, close, focusView, setLocale });

  const Helpdesk = Object.freeze({
    open,
    close,
    // A signed-in user of the host site: {id, name, email, hash}; hash = HMAC-SHA256(inbox secret, id).
    // Without a valid hash the server ignores the claim (docs/widget.md).
    setUser(user) {
      if (!user || user.id == null) return;
      state.user = { id: String(user.id), hash: user.hash == null ? "" : String(user.hash), name: user.name, email: user.email };
      if (state.ready) app.socket.send({ type: "identify", ...state.user }, { kind: "identify" });
      else if (state.token) app.socket.connect();
    },
    setAttributes(attributes) {
      if (!attributes || typeof attributes !== "object") return;
      state.attributes = { ...state.attributes, ...attributes };
      if (state.ready) app.socket.send({ type: "contact.update", attributes: state.attributes }, { kind: "attributes" });
    },
    setLocale,
    on(name, fn) {
      if (listeners[name] && typeof fn === "function") listeners[name].push(fn);
    },
  });
  window.Helpdesk = Helpdesk;

  app.locale = pickLocale(null, config.dataLocale, store.get("locale"));
  const styles = fetch(STYLES).then((response) => {
    if (!response.ok) throw new Error(`the widget's styles answered ${response.status}`);
    return response.text();
  });
  const [css] = await Promise.all([styles, useLocale(app.locale, origin)]);
  if (!document.body) await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve));
  app.mount(css);
  listen(app);
  app.render();

  const current = store.get("current");
  if (current) app.adopt({ id: current }); // show the cached transcript at once; auth.ok confirms it
  for (const [name, args] of queued) if (typeof Helpdesk[name] === "function") Helpdesk[name](...args);
  if (state.open) open();
  else if (state.token || state.outbox.length) app.socket.connect(); // a new visitor connects on first open
  app.render();
}

// The page around the widget: visibility, the network, navigation, and the visitor's other tabs.
function listen(app) {
  const { state, store } = app;
  document.addEventListener("visibilitychange", () => (app.markRead(), app.render()));
  addEventListener("online", () => app.socket.ws || app.socket.connect());
  // Page context: the chat follows the visitor from page to page, without touching the host's history.
  let where = location.href;
  const moved = () => {
    if (location.href === where) return;
    where = location.href;
    if (state.ready && isActive(state.conversation)) app.socket.send({ type: "context.update", context: hostPage() });
  };
  addEventListener("popstate", moved);
  addEventListener("hashchange", moved);
  setInterval(moved, 1500);
  addEventListener("storage", (e) => {
    if (e.key === store.prefix + "outbox") {
      app.merge();
      app.render();
    }
  });
}
