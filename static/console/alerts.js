/* Getting the agent's attention: the notice bar, a chime, system notifications, and mentions
 * already seen (kept in this browser, so that a reload does not mark them again). */

import { $ } from "../shared/dom.js";

export function alerts(app) {
  const { state } = app;
  let noticeTimer = 0;

  function notify(text, level, sticky) {
    const box = $("notice");
    box.className = "notice " + level;
    box.dataset.level = level;
    $("notice-text").textContent = text;
    box.hidden = false;
    clearTimeout(noticeTimer);
    if (!sticky && level === "info") noticeTimer = setTimeout(clearNotice, 8000);
  }
  function clearNotice() {
    $("notice").hidden = true;
  }

  let audio = null;
  function chime() {
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") return; // the browser allows sound only after a gesture
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.25);
    } catch {
      /* no sound here */
    }
  }

  // A new chat in the queue, or a message in a chat the agent is not looking at: a sound, and a
  // system notification when the tab is hidden and the browser allows them.
  function alertAgent(text, tag) {
    if (!app.greeted) return;
    chime();
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const note = new Notification(app.baseTitle, { body: text, tag });
      note.onclick = () => window.focus();
    } catch {
      /* some browsers allow notifications only from a service worker */
    }
  }

  function askForNotifications() {
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission().catch(() => {});
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") audio.resume();
    } catch {
      /* no sound here */
    }
  }

  const seenKey = `helpdesk.mentions-seen.${app.me.id}`;
  function seenMentions() {
    try {
      return JSON.parse(localStorage.getItem(seenKey) || "{}");
    } catch {
      return {};
    }
  }
  // A mention counts as seen once its conversation was opened after it (up to its seq).
  function mentionSeen(conversation, seq) {
    return (seenMentions()[conversation] || 0) >= (seq || 0);
  }
  function markMentionsSeen(conversation, seq) {
    const seen = seenMentions();
    const c = state.conversations.get(conversation);
    seen[conversation] = Math.max(seen[conversation] || 0, seq || 0, (c && c.last_seq) || 0);
    const ids = Object.keys(seen);
    if (ids.length > 500) delete seen[ids[0]]; // keep it small
    try {
      localStorage.setItem(seenKey, JSON.stringify(seen));
    } catch {
      /* storage full or disabled: marks simply come back after a reload */
    }
  }

  return { notify, clearNotice, alertAgent, askForNotifications, mentionSeen, markMentionsSeen };
}
