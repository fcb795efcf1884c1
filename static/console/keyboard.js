/* Keyboard shortcuts (the help dialog lists them) and going away after inactivity. */

import { $ } from "../shared/dom.js";

const editable = (node) => node && (node.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(node.tagName));

export function keyboard(app) {
  const { state } = app;

  function move(step) {
    const ids = [...document.querySelectorAll(".lists li[data-conversation]")].map((li) => li.dataset.conversation);
    const unique = [...new Set(ids)];
    if (!unique.length) return;
    const at = unique.indexOf(state.selected);
    const next = at < 0 ? (step > 0 ? 0 : unique.length - 1) : (at + step + unique.length) % unique.length;
    app.select(unique[next]);
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      const keys = {
        ArrowDown: () => move(1),
        ArrowUp: () => move(-1),
        KeyR: () => {
          const c = state.selected && state.conversations.get(state.selected);
          if (c && c.status !== "resolved") app.act("conversation.resolve");
        },
        KeyM: () => state.selected && $("composer-text").focus(),
        KeyS: () => $("search-q").focus(),
      };
      const action = keys[event.code] || keys[event.key];
      if (action) {
        event.preventDefault();
        action();
      }
      return;
    }
    if (event.key === "?" && !editable(event.target) && !$("help").open) {
      event.preventDefault();
      $("help").showModal();
    } else if (event.key === "Escape" && !$("search-panel").hidden && !$("help").open) {
      $("search-panel").hidden = true;
      app.render();
    }
  });
}

// Away after `away_after_seconds` without a key or pointer; back online at the next one. These
// changes say `auto`: they are not the agent's choice, so the next console opens online.
export function autoAway(app) {
  const { state } = app;
  let lastActivity = Date.now();
  let away = false;
  function active() {
    lastActivity = Date.now();
    if (away && state.availability === "away") {
      away = false;
      app.send({ type: "availability.set", availability: "online", auto: true }, { kind: "action" });
    }
  }
  for (const name of ["keydown", "pointerdown", "pointermove", "focus"]) addEventListener(name, active, { passive: true });
  setInterval(() => {
    const idle = (Date.now() - lastActivity) / 1000;
    const after = app.me.settings.away_after_seconds;
    if (state.availability === "online" && after > 0 && idle > after) {
      if (app.send({ type: "availability.set", availability: "away", auto: true }, { kind: "action" })) away = true;
    }
    app.renderLists(); // waiting times move on
  }, 15000);
  // The agent chose: no longer away by inactivity.
  return { chosen: () => (away = false) };
}
