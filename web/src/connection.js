// Socket.io connection, session and outbox. A tiny store for React
// (subscribe/getState) that also works without it.
import { io } from "socket.io-client";
import { mergeMessages, maxTs, lastN } from "./messages.js";

const K_SESSION = "wuhu.session_id";
const K_OUTBOX = "wuhu.outbox";
const K_MESSAGES = "wuhu.messages";
const CACHE_LIMIT = 200;
const HISTORY_WAIT_MS = 1500; // how long to wait for history before greeting
const RECONNECTED_MS = 3000;

function readJSON(key, fallback) {
  try {
    const v = localStorage.getItem(key);
    return v ? JSON.parse(v) : fallback;
  } catch (e) {
    return fallback;
  }
}

function writeJSON(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch (e) {
    /* storage full or disabled: keep going in memory */
  }
}

function readString(key) {
  try {
    return localStorage.getItem(key) || null;
  } catch (e) {
    return null;
  }
}

export function newClientId() {
  const c = typeof crypto !== "undefined" ? crypto : null;
  if (c && typeof c.randomUUID === "function") {
    try {
      return c.randomUUID();
    } catch (e) {
      /* insecure context */
    }
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === "function") c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function loadOutbox() {
  const list = readJSON(K_OUTBOX, []);
  return Array.isArray(list) ? list.filter((o) => o && o.client_id && typeof o.message === "string") : [];
}

function loadMessages(sessionId) {
  if (!sessionId) return [];
  const list = readJSON(K_MESSAGES, []);
  return Array.isArray(list) ? mergeMessages([], list) : [];
}

export function createConnection({ onReplies } = {}) {
  const sessionId = readString(K_SESSION);
  let state = {
    connected: false,
    banner: null, // null | "offline" | "reconnected"
    sessionId,
    messages: loadMessages(sessionId),
    outbox: loadOutbox(),
  };
  const listeners = new Set();
  const inflight = new Set(); // client_ids emitted on the current connection
  const greeted = new Set(); // session ids we sent /greet for
  let ready = false; // session confirmed on the current connection
  let lostConnection = false;
  let bannerTimer = null;
  let historyTimer = null;
  let awaitingHistory = false;

  function setState(patch) {
    state = Object.assign({}, state, patch);
    if ("messages" in patch) writeJSON(K_MESSAGES, lastN(state.messages, CACHE_LIMIT));
    if ("outbox" in patch) writeJSON(K_OUTBOX, state.outbox);
    listeners.forEach((fn) => fn());
  }

  const socket = io({
    path: "/socket.io",
    transports: ["websocket", "polling"],
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
  });

  function emitEntry(entry) {
    if (!ready || !socket.connected || inflight.has(entry.client_id)) return;
    inflight.add(entry.client_id);
    const payload = {
      session_id: state.sessionId,
      message: entry.message,
      client_id: entry.client_id,
    };
    if (entry.display) payload.display = entry.display;
    socket.emit("user_uttered", payload, (resp) => {
      inflight.delete(entry.client_id);
      if (resp && resp.ok === false) {
        setState({
          outbox: state.outbox.map((o) =>
            o.client_id === entry.client_id
              ? Object.assign({}, o, { status: "failed", error: String(resp.error || "") })
              : o,
          ),
        });
      } else {
        setState({ outbox: state.outbox.filter((o) => o.client_id !== entry.client_id) });
      }
    });
  }

  function flush() {
    state.outbox.forEach((o) => {
      if (o.status !== "failed") emitEntry(o);
    });
  }

  function maybeGreet() {
    awaitingHistory = false;
    clearTimeout(historyTimer);
    const sid = state.sessionId;
    if (!ready || !sid || greeted.has(sid)) return;
    if (state.messages.length === 0 && state.outbox.length === 0) {
      greeted.add(sid);
      send("/greet");
    }
  }

  function showBanner(kind) {
    clearTimeout(bannerTimer);
    setState({ banner: kind });
    if (kind === "reconnected") bannerTimer = setTimeout(() => setState({ banner: null }), RECONNECTED_MS);
  }

  socket.on("connect", () => {
    ready = false;
    inflight.clear();
    setState({ connected: true });
    if (lostConnection) {
      lostConnection = false;
      showBanner("reconnected");
    }
    socket.emit("session_request", {
      session_id: state.sessionId,
      last_seen: maxTs(state.messages),
    });
  });

  socket.on("session_confirm", (data) => {
    const sid = typeof data === "string" ? data : data && data.session_id;
    if (!sid) return;
    const patch = { sessionId: String(sid) };
    // A different session is a new conversation: drop the old cache.
    if (state.sessionId && state.sessionId !== patch.sessionId) patch.messages = [];
    try {
      localStorage.setItem(K_SESSION, patch.sessionId);
    } catch (e) {
      /* ignore */
    }
    setState(patch);
    ready = true;
    flush();
    awaitingHistory = true;
    clearTimeout(historyTimer);
    historyTimer = setTimeout(maybeGreet, HISTORY_WAIT_MS);
  });

  socket.on("messages", (data) => {
    const list = Array.isArray(data) ? data : data && Array.isArray(data.messages) ? data.messages : [];
    const known = new Set(state.messages.map((m) => m.id));
    const waiting = state.outbox.some((o) => o.status !== "failed");
    const messages = mergeMessages(state.messages, list);
    // A server copy of a user message means it was processed: implicit ack.
    const done = new Set(messages.filter((m) => m.client_id).map((m) => m.client_id));
    const outbox = state.outbox.filter((o) => !done.has(o.client_id));
    setState(outbox.length !== state.outbox.length ? { messages, outbox } : { messages });
    if (waiting && onReplies) {
      const fresh = messages.filter((m) => m.role === "bot" && !known.has(m.id));
      if (fresh.length) onReplies(fresh);
    }
    if (awaitingHistory) maybeGreet();
  });

  socket.on("disconnect", (reason) => {
    ready = false;
    inflight.clear();
    lostConnection = true;
    setState({ connected: false });
    showBanner("offline");
    // The server closed us on purpose: socket.io will not retry by itself.
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
  });

  socket.on("connect_error", () => {
    if (!socket.connected) {
      lostConnection = true;
      if (state.banner !== "offline") showBanner("offline");
    }
  });

  function send(message, display) {
    const text = String(message || "").trim();
    if (!text) return null;
    const entry = {
      client_id: newClientId(),
      message: text,
      display: display ? String(display) : null,
      ts: Date.now() / 1000,
      status: "pending",
    };
    setState({ outbox: state.outbox.concat([entry]) });
    emitEntry(entry);
    return entry.client_id;
  }

  // A failed message goes out again under a new client_id.
  function retry(clientId) {
    const old = state.outbox.find((o) => o.client_id === clientId);
    if (!old) return;
    setState({ outbox: state.outbox.filter((o) => o.client_id !== clientId) });
    send(old.message, old.display);
  }

  return {
    socket,
    send,
    retry,
    getState: () => state,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
