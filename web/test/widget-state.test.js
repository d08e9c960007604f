import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

// public/widget-state.js, the widget's state frame, run against a fake window: what it posts to
// its parent, what it keeps, and what it ignores (the browser tests: tests/web/test_widget_open_state.py).
const CODE = readFileSync(new URL("../public/widget-state.js", import.meta.url), "utf8");
const HOST = "https://www.wuhu.gov.cn";
const KEY = "wuhu.widget.open";
const TTL_MS = 30 * 60 * 1000;
const NOW = 1_800_000_000_000;

function stateFrame({ hash = "#" + encodeURIComponent(HOST), ancestors = [HOST], storage = new Map(), blocked = false,
  top = false } = {}) {
  const posted = [];
  const listeners = [];
  const parent = { postMessage: (data, origin) => posted.push([data, origin]) };
  const win = {
    parent,
    location: { hash, ancestorOrigins: ancestors },
    addEventListener: (type, listener) => type === "message" && listeners.push(listener),
    get localStorage() {
      if (blocked) throw new Error("SecurityError: access is denied for this document");
      return {
        getItem: (key) => (storage.has(key) ? storage.get(key) : null),
        setItem: (key, value) => storage.set(key, String(value)),
        removeItem: (key) => storage.delete(key),
      };
    },
  };
  if (top) win.parent = Object.assign(win, { postMessage: parent.postMessage }); // not in a frame
  new Function("window", CODE)(win);
  const send = (data, { source = parent, origin = HOST } = {}) =>
    listeners.forEach((listener) => listener({ data, source, origin }));
  return { posted, send, storage, parent };
}

const answer = (type) => [{ wuhu: "state", v: 1, type }, HOST];
const told = (type) => ({ wuhu: "widget", v: 1, type });

test("on load it tells the parent, at the host's exact origin, whether the panel was open", (t) => {
  t.mock.method(Date, "now", () => NOW);
  assert.deepEqual(stateFrame().posted, [answer("closed")]);
  const open = new Map([[KEY, String(NOW + 60_000)]]);
  assert.deepEqual(stateFrame({ storage: open }).posted, [answer("open")]);
});

test("an expired, far-future or unreadable value is closed", (t) => {
  t.mock.method(Date, "now", () => NOW);
  for (const value of [String(NOW - 1), String(NOW + TTL_MS + 1), "open", ""]) {
    assert.deepEqual(stateFrame({ storage: new Map([[KEY, value]]) }).posted, [answer("closed")], value);
  }
});

test("it keeps only an expiry, 30 minutes on, and forgets on close", (t) => {
  t.mock.method(Date, "now", () => NOW);
  const frame = stateFrame();
  frame.send(told("open"));
  assert.deepEqual([...frame.storage], [[KEY, String(NOW + TTL_MS)]]);
  frame.send(told("ask"));
  assert.deepEqual(frame.posted, [answer("closed"), answer("open")]);
  frame.send(told("closed"));
  assert.equal(frame.storage.size, 0);
});

test("only its parent at the host's origin, in the exact shape, is heard", (t) => {
  t.mock.method(Date, "now", () => NOW);
  const frame = stateFrame();
  frame.send(told("open"), { source: {} });
  frame.send(told("open"), { origin: "https://evil.example" });
  frame.send({ ...told("open"), extra: 1 });
  frame.send({ ...told("open"), v: 2 });
  frame.send({ ...told("open"), wuhu: "assistant" });
  frame.send(told("clear"));
  frame.send(JSON.stringify(told("open")));
  frame.send(Object.assign(Object.create({ inherited: 1 }), told("open")));
  assert.equal(frame.storage.size, 0);
  assert.deepEqual(frame.posted, [answer("closed")]);
});

test("a host the browser's ancestor list contradicts, or none, gets no word", () => {
  assert.deepEqual(stateFrame({ ancestors: ["https://evil.example"] }).posted, []);
  assert.deepEqual(stateFrame({ hash: "#" + encodeURIComponent(HOST + "/path") }).posted, []);
  assert.deepEqual(stateFrame({ hash: "#javascript%3Aalert(1)" }).posted, []);
  assert.deepEqual(stateFrame({ hash: "#%E0%A4%A" }).posted, []); // a malformed escape
  assert.deepEqual(stateFrame({ hash: "" }).posted, []);
  assert.deepEqual(stateFrame({ top: true }).posted, []);
});

test("where storage is blocked it answers closed and keeps nothing, without an error", () => {
  const frame = stateFrame({ blocked: true });
  frame.send(told("open"));
  frame.send(told("ask"));
  assert.deepEqual(frame.posted, [answer("closed"), answer("closed")]);
});
