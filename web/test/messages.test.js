import { test } from "node:test";
import assert from "node:assert/strict";
import {
  mergeMessages,
  maxTs,
  isHidden,
  shownText,
  withEchoes,
  activeButtonsId,
  latestExchangeStart,
  stripButtonLines,
  speakerLabel,
} from "../src/messages.js";

const bot = (id, ts, extra = {}) => ({ id, role: "bot", text: "t" + id, ts, buttons: [], ...extra });
const user = (id, ts, extra = {}) => ({ id, role: "user", text: "u" + id, ts, ...extra });

test("merge dedupes by id, later copy wins, sorted by ts", () => {
  const a = mergeMessages([], [bot("b2", 2), user("u1", 1)]);
  const b = mergeMessages(a, [bot("b2", 2, { text: "new" }), bot("b2", 2, { text: "newer" }), bot("b3", 3)]);
  assert.deepEqual(
    b.map((m) => m.id),
    ["u1", "b2", "b3"],
  );
  assert.equal(b[1].text, "newer");
  assert.equal(maxTs(b), 3);
  assert.equal(maxTs([]), null);
});

test("normalize drops junk and fills defaults", () => {
  const m = mergeMessages([], [null, { text: "no id" }, { id: 5, role: "x", text: null, ts: "1.5" }]);
  assert.equal(m.length, 1);
  assert.deepEqual(m[0], {
    id: "5",
    role: "bot",
    text: "",
    ts: 1.5,
    buttons: [],
    custom: null,
    client_id: null,
    display: null,
    author: null,
  });
});

test("hidden commands and shown text", () => {
  assert.ok(isHidden({ role: "user", text: "/greet", display: null }));
  assert.ok(!isHidden({ role: "user", text: "/greet", display: "你好" }));
  assert.ok(!isHidden({ role: "bot", text: "/x" }));
  assert.equal(shownText({ role: "user", text: "2", display: "2. 弋江区" }), "2. 弋江区");
  assert.equal(shownText({ role: "user", text: "139****", display: null }), "139****");
});

test("local echoes appear until the server copy arrives", () => {
  const outbox = [{ client_id: "c1", message: "hi", display: null, ts: 9, status: "pending" }];
  let list = withEchoes([bot("b1", 1)], outbox);
  assert.deepEqual(
    list.map((m) => m.id),
    ["b1", "local-c1"],
  );
  assert.ok(list[1].pending);
  list = withEchoes([bot("b1", 1), user("u-c1", 2, { client_id: "c1" })], outbox);
  assert.deepEqual(
    list.map((m) => m.id),
    ["b1", "u-c1"],
  );
});

test("only the latest bot message with buttons is active", () => {
  const btn = [{ title: "1. A", payload: "1" }];
  const list = [bot("b1", 1, { buttons: btn }), user("u1", 2), bot("b2", 3, { buttons: btn }), bot("b3", 4)];
  assert.equal(activeButtonsId(list), "b2");
  assert.equal(activeButtonsId(list.concat([user("u2", 5)])), null);
  assert.equal(latestExchangeStart(list), 1);
  assert.equal(latestExchangeStart([user("g", 0, { text: "/greet" }), bot("b", 1)]), 1);
});

test("option lines are stripped only where buttons exist", () => {
  const buttons = [
    { title: "1. 镜湖区", payload: "1" },
    { title: "2. 弋江区", payload: "2" },
  ];
  assert.equal(stripButtonLines("请选择：\n1. 镜湖区\n2.弋江区\n", buttons), "请选择：");
  assert.equal(stripButtonLines("a\nb", []), "a\nb");
});

test("a staff member's message keeps its author, and screen readers say who speaks", () => {
  const [staff, bot, mine] = mergeMessages([], [
    { id: "b1", role: "bot", text: "您好，我是工作人员", ts: 1, author: "工作人员" },
    { id: "b2", role: "bot", text: "助手的话", ts: 2 },
    { id: "u3", role: "user", text: "谢谢", ts: 3, author: "工作人员" },
  ]);
  assert.equal(staff.author, "工作人员");
  assert.equal(bot.author, null);
  assert.equal(mine.author, null); // only the server's bot messages carry an author
  assert.deepEqual([staff, bot, mine].map(speakerLabel), ["工作人员说：", "助手说：", "我说："]);
});
