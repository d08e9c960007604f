// Pure helpers for the message list: normalise, merge by id, order by ts.

const str = (v) => (v === undefined || v === null ? "" : String(v));

export function normalize(raw) {
  if (!raw || typeof raw !== "object" || raw.id === undefined || raw.id === null) return null;
  const ts = Number(raw.ts);
  return {
    id: str(raw.id),
    role: raw.role === "user" ? "user" : "bot",
    text: str(raw.text),
    ts: Number.isFinite(ts) ? ts : 0,
    buttons: Array.isArray(raw.buttons)
      ? raw.buttons
          .filter((b) => b && (b.title || b.payload))
          .map((b) => ({ title: str(b.title || b.payload), payload: str(b.payload || b.title) }))
      : [],
    custom: raw.custom && typeof raw.custom === "object" ? raw.custom : null,
    client_id: raw.client_id ? str(raw.client_id) : null,
    display: raw.display ? str(raw.display) : null,
    // A staff member's message during a 转人工 carries who wrote it ("工作人员"); else null.
    author: raw.role !== "user" && raw.author ? str(raw.author) : null,
  };
}

// What a screen reader says before a message: who is speaking.
export function speakerLabel(m) {
  if (m.role === "user") return "我说：";
  return m.author ? m.author + "说：" : "助手说：";
}

const byTs = (a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Merge incoming server messages into a list: a later copy of an id replaces
// the earlier one; the result is sorted by ts.
export function mergeMessages(existing, incoming) {
  const map = new Map();
  for (const m of existing || []) if (m && m.id) map.set(m.id, m);
  for (const raw of incoming || []) {
    const m = normalize(raw);
    if (m) map.set(m.id, m);
  }
  return Array.from(map.values()).sort(byTs);
}

export function maxTs(messages) {
  let max = null;
  for (const m of messages || []) if (typeof m.ts === "number" && (max === null || m.ts > max)) max = m.ts;
  return max;
}

// A user message carrying a command payload ("/greet") and no display is hidden.
export function isHidden(m) {
  return m.role === "user" && !m.display && m.text.startsWith("/");
}

export function shownText(m) {
  return m.role === "user" ? m.display || m.text : m.text;
}

// The list the resident sees: server messages, then local echoes of outbox
// entries whose server copy has not arrived yet (matched by client_id).
export function withEchoes(messages, outbox) {
  const seen = new Set();
  for (const m of messages) if (m.client_id) seen.add(m.client_id);
  const echoes = (outbox || [])
    .filter((o) => !seen.has(o.client_id))
    .map((o) => ({
      id: "local-" + o.client_id,
      role: "user",
      text: o.message,
      ts: o.ts,
      buttons: [],
      custom: null,
      client_id: o.client_id,
      display: o.display || null,
      pending: o.status !== "failed",
      failed: o.status === "failed",
    }));
  return messages.concat(echoes);
}

// Id of the bot message whose buttons are live: the latest bot message with
// buttons, unless the resident has said something since.
export function activeButtonsId(list) {
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (m.role === "user") return null;
    if (m.buttons.length) return m.id;
  }
  return null;
}

// Index of the start of the latest exchange (the last user message that is not
// hidden, or the first message after a hidden one); used to collapse history.
export function latestExchangeStart(list) {
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].role === "user") return isHidden(list[i]) ? i + 1 : i;
  }
  return 0;
}

export function lastN(messages, n) {
  return messages.length > n ? messages.slice(messages.length - n) : messages;
}

// Bot texts also list their options as lines ("1. 镜湖区") for text-only
// channels; where the buttons are drawn those lines can be left out.
export function stripButtonLines(text, buttons) {
  if (!buttons || !buttons.length) return text;
  const titles = new Set(buttons.map((b) => b.title.replace(/\s+/g, "")));
  const lines = String(text).split("\n");
  const kept = lines.filter((l) => !titles.has(l.replace(/\s+/g, "")));
  if (kept.length === lines.length) return text;
  return kept.join("\n").replace(/\s+$/, "");
}
