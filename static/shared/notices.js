// System messages by code, in the reader's language (the templates of chat/notices.py).

import { gettext, gettext_noop } from "./i18n.js";

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
