// The socket lifecycle of the console and the widget: backoff, ping, request/reply pairing.

const PING_MS = 25000; // the server counts a socket that sent nothing for 90 s as gone
const MAX_BACKOFF_MS = 10000;

export class Socket {
  // handlers: onconnect (opening), onopen, onframe(frame, meta of the request it answers), onclose (retry scheduled).
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0; // reconnections since the last success (see `succeeded`)
    this.count = 0; // sockets opened so far, so that callers can do a thing once per socket
    this.refs = 0;
    this.requests = new Map(); // ref -> what the request was, to route its reply or error
    this.retryTimer = 0;
    this.pingTimer = 0;
    this.awaitingPong = false;
  }

  get connected() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  // With `meta`, the reply (or error) to this frame reaches onframe with that meta.
  send(frame, meta) {
    if (!this.connected) return false;
    if (meta) {
      frame.ref = "r" + ++this.refs;
      this.requests.set(frame.ref, meta);
    }
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    clearTimeout(this.retryTimer);
    if (this.ws) return;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    this.count += 1;
    this.handlers.onconnect?.();
    ws.onopen = () => {
      this.awaitingPong = false;
      this.pingTimer = setInterval(() => {
        if (this.awaitingPong) ws.close(); // a dead connection: the close handler reconnects
        this.awaitingPong = this.send({ type: "ping" });
      }, PING_MS);
      this.handlers.onopen?.();
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!frame || typeof frame.type !== "string") return;
      if (frame.type === "pong") {
        this.awaitingPong = false;
        return;
      }
      const meta = frame.ref ? this.requests.get(frame.ref) : null;
      if (frame.ref) this.requests.delete(frame.ref);
      this.handlers.onframe(frame, meta || null);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.requests.clear();
      clearInterval(this.pingTimer);
      this.retry();
    };
  }

  // The server accepted this socket (auth.ok, hello): the backoff starts afresh.
  succeeded() {
    this.attempt = 0;
  }

  drop() {
    if (this.ws) this.ws.close();
  }

  // Exponential backoff with jitter, capped at 10 seconds.
  retry() {
    clearTimeout(this.retryTimer);
    const ceiling = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.attempt, 5));
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), ceiling / 2 + (Math.random() * ceiling) / 2);
    this.handlers.onclose?.();
  }
}
