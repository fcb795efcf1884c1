/* The open conversation's rating and activity (its audit trail: who claimed, transferred, tagged,
 * resolved it, and when), in the side panel; a manager reviewing a conversation from the reports
 * reads them here (GET /api/conversations/<id>/activity/). */

import { $, el } from "../shared/dom.js";
import { gettext } from "../shared/i18n.js";
import { getJSON } from "./actions.js";
import { dateTime } from "./format.js";

export function activity(app) {
  const { state } = app;
  let asked = 0; // the latest request wins when events come quickly

  async function loadActivity(id) {
    const mine = ++asked;
    let data;
    try {
      data = await getJSON(`/api/conversations/${encodeURIComponent(id)}/activity/`);
    } catch (error) {
      if (mine === asked && state.selected === id) $("conv-activity").replaceChildren(el("li", { class: "meta", text: gettext("The activity could not be loaded (%(status)s).", { status: error.message }) }));
      return;
    }
    if (mine !== asked || state.selected !== id) return;
    const rating = data.rating;
    $("conv-rating").replaceChildren(
      rating ? el("span", { class: "stars", text: gettext("%(score)s/5", { score: rating.score }) }) : el("span", { class: "meta", text: gettext("Not rated.") }),
      ...(rating && rating.comment ? [el("q", { text: rating.comment })] : []),
    );
    $("conv-activity").replaceChildren(
      ...data.events.map((e) =>
        el("li", { "data-type": e.type }, el("time", { datetime: e.created_at, text: dateTime(e.created_at) }), el("span", { text: e.actor ? `${e.label} · ${e.actor}` : e.label })),
      ),
    );
  }

  return { loadActivity };
}
