import { test } from "node:test";
import assert from "node:assert/strict";
import { readEmbed, widgetMessage, tellHost, storageWorks } from "../src/embed.js";

const HOST = "https://www.wuhu.gov.cn";
const parent = { name: "parent" };
const framed = { parent };
const loc = (search, ancestorOrigins) => ({ search, ancestorOrigins });
const query = (params) => "?" + new URLSearchParams(params).toString();

test("no embedding outside a frame or without embed=1", () => {
  const top = {};
  top.parent = top;
  assert.equal(readEmbed(loc(query({ embed: "1", host: HOST })), top), null);
  assert.equal(readEmbed(loc(query({ host: HOST })), framed), null);
});

test("the URL's service, host page and elder mode, each checked", () => {
  const embed = readEmbed(
    loc(query({ embed: "1", host: HOST, elder: "1", service: "hf-rent", entry: HOST + "/gjj/" }), [HOST]),
    framed,
  );
  assert.deepEqual(embed, { host: HOST, elder: true, opening: { service: "hf-rent", entry: HOST + "/gjj/" } });
  const forged = readEmbed(
    loc(query({ embed: "1", host: HOST, elder: "0", service: "/restart", topic: "hf_withdraw", entry: "https://evil.example/" })),
    framed,
  );
  assert.deepEqual(forged, { host: HOST, elder: false, opening: { topic: "hf_withdraw" } });
});

test("a host the browser's ancestor list contradicts is not trusted", () => {
  const embed = readEmbed(loc(query({ embed: "1", host: HOST, entry: HOST + "/" }), ["https://evil.example"]), framed);
  assert.equal(embed.host, null);
  assert.deepEqual(embed.opening, {});
  assert.equal(readEmbed(loc(query({ embed: "1", host: HOST + "/path" })), framed).host, null);
  assert.equal(readEmbed(loc(query({ embed: "1", host: "javascript:alert(1)" })), framed).host, null);
});

test("only the parent at the host's origin, in the exact shape, is heard", () => {
  const embed = { host: HOST };
  const ok = { source: parent, origin: HOST, data: { wuhu: "widget", v: 1, type: "opened" } };
  assert.equal(widgetMessage(ok, embed, parent), "opened");
  assert.equal(widgetMessage({ ...ok, origin: "https://evil.example" }, embed, parent), null);
  assert.equal(widgetMessage({ ...ok, source: {} }, embed, parent), null);
  assert.equal(widgetMessage({ ...ok, data: { ...ok.data, extra: 1 } }, embed, parent), null);
  assert.equal(widgetMessage({ ...ok, data: { ...ok.data, type: "close" } }, embed, parent), null);
  assert.equal(widgetMessage({ ...ok, data: JSON.stringify(ok.data) }, embed, parent), null);
  assert.equal(widgetMessage(ok, { host: null }, parent), null);
});

test("messages to the host go to its exact origin only", () => {
  const sent = [];
  const target = { postMessage: (data, origin) => sent.push([data, origin]) };
  tellHost({ host: HOST }, target, "close");
  tellHost({ host: null }, target, "close");
  assert.deepEqual(sent, [[{ wuhu: "assistant", v: 1, type: "close" }, HOST]]);
});

test("blocked storage is noticed", () => {
  const map = new Map();
  const fine = { setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
  assert.equal(storageWorks(() => fine), true);
  assert.equal(storageWorks(() => { throw new Error("SecurityError"); }), false);
  assert.equal(map.size, 0);
});
