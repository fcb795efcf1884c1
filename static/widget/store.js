/* What the widget keeps between pages: localStorage of the host origin under a prefix of the inbox,
 * with a memory copy that serves this page when storage is refused (private modes, quotas). */

export function createStore(prefix) {
  const memory = new Map();
  return {
    prefix,
    get(key) {
      if (memory.has(key)) return memory.get(key);
      try {
        const raw = localStorage.getItem(prefix + key);
        return raw == null ? null : JSON.parse(raw);
      } catch {
        return null;
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        localStorage.setItem(prefix + key, JSON.stringify(value));
      } catch {
        /* the memory copy serves this page */
      }
    },
    del(key) {
      memory.delete(key);
      try {
        localStorage.removeItem(prefix + key);
      } catch {
        /* nothing stored */
      }
    },
    /** Drop the memory copy of `key`, so that the next get() reads what another tab stored. */
    forget(key) {
      memory.delete(key);
    },
  };
}
