// Socket.io connection, session and outbox. A tiny store for React
// (subscribe/getState) that also works without it.
//
// The server owns the conversation: it hands the page a signed session token
// (renewed on every connect) and the page keeps only that token, never an id.
import { io } from "socket.io-client";
import { mergeMessages, maxTs, lastN } from "./messages.js";

const K_TOKEN = "wuhu.session_token";
const K_LEGACY_SESSION = "wuhu.session_id"; // raw ids of older pages: no longer accepted
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

function forget(key) {
  try {
    localStorage.removeItem(key);
  } catch (e) {
    /* storage disabled */
  }
}

// Messages the server showed this page only (rate-limit and 清除记录 notices): they
// are not in the conversation, so they must not move the history cursor.
const isNotice = (m) => m.id.startsWith("notice-");

function loadMessages(token) {
  if (!token) return [];
  const list = readJSON(K_MESSAGES, []);
  return Array.isArray(list) ? mergeMessages([], list) : [];
}

// opening: an embedded page's {service?, topic?, entry?} (embed.js), sent with "/greet".
export function createConnection({ onReplies, opening } = {}) {
  forget(K_LEGACY_SESSION);
  const token = readString(K_TOKEN);
  let state = {
    connected: false,
    banner: null, // null | "offline" | "reconnected"
    token,
    messages: loadMessages(token),
    outbox: loadOutbox(),
  };
  const listeners = new Set();
  const inflight = new Set(); // client_ids emitted on the current connection
  let greeted = false; // /greet sent for the current conversation
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
      token: state.token,
      message: entry.message,
      client_id: entry.client_id,
    };
    if (entry.display) payload.display = entry.display;
    if (entry.payload) payload.payload = true; // a button tap: may carry the button's payload
    if (entry.opening) payload.opening = entry.opening;
    socket.emit("user_uttered", payload, (resp) => {
      inflight.delete(entry.client_id);
      if (resp && resp.error === "bad_session") {
        // The server no longer knows our token: start a new conversation, then resend.
        requestSession(null);
      } else if (resp && resp.ok === false) {
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
    if (!ready || !state.token || greeted) return;
    if (state.messages.length === 0 && state.outbox.length === 0) {
      greeted = true;
      send("/greet", null, { payload: true, opening: opening && Object.keys(opening).length ? opening : null });
    }
  }

  function requestSession(token) {
    ready = false;
    inflight.clear();
    const history = state.messages.filter((m) => !isNotice(m));
    socket.emit("session_request", { token, last_seen: token ? maxTs(history) : null });
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
    requestSession(state.token);
  });

  socket.on("session_confirm", (data) => {
    if (!data || !data.token) return;
    const patch = { token: String(data.token) };
    // A new conversation (first visit, expired or unknown token): drop the old cache.
    if (data.fresh) {
      patch.messages = [];
      greeted = false;
    }
    try {
      localStorage.setItem(K_TOKEN, patch.token);
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

  // 清除记录 confirmed: the server erased the conversation; forget everything
  // this phone kept and start a new one.
  socket.on("cleared", () => {
    forget(K_TOKEN);
    forget(K_MESSAGES);
    forget(K_OUTBOX);
    greeted = false;
    setState({ token: null, messages: [], outbox: [] });
    requestSession(null);
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

  // options.payload: a button the assistant offered (or the opening /greet).
  function send(message, display, options) {
    const text = String(message || "").trim();
    if (!text) return null;
    const entry = {
      client_id: newClientId(),
      message: text,
      display: display ? String(display) : null,
      payload: Boolean(options && options.payload),
      opening: (options && options.opening) || null,
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
    send(old.message, old.display, { payload: old.payload, opening: old.opening });
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
