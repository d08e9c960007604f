/*
 * 芜湖政务服务助手 · web widget loader. One tag puts the assistant on any page:
 *
 *   <script src="https://ASSISTANT/chat/widget.js" defer
 *           data-service="hf-rent" data-title="芜湖政务服务助手" data-position="right"></script>
 *
 * data-service  a catalogue service id: the first reply is about it (or data-topic: a family
 *               of services, e.g. "hf_withdraw"); the server checks both against its catalogue
 * data-title    the panel's title (default 芜湖政务服务助手); data-label: the button's (在线咨询)
 * data-position "right" (default) or "left"
 * data-elder    长辈模式 is on unless "off"
 *
 * The chat itself is the assistant's page /chat/ in an iframe of the assistant's own origin
 * (taken from this script's src), so its session token lives in that origin's storage and
 * never in the host's. This script adds one element, <wuhu-gov-assistant>, whose shadow root
 * holds the launcher and the panel: host styles cannot reach inside and ours cannot leak
 * out. It reads no cookies and no storage of the host. Messages with the iframe go to and are
 * accepted from the assistant's exact origin and that iframe only, in one fixed shape.
 *
 * The panel stays open on the next page of the site: a hidden iframe of the assistant's origin
 * (widget-state.html) remembers "open" in its own, partitioned storage and says so on load. If
 * it does not answer within STATE_WAIT_MS (storage blocked, frame refused, slow network) the
 * launcher stays as it is: closed. Reopened on a laptop the panel leaves the focus with the new
 * page (the resident came to read it; the chat is a Tab or a click away); full screen on a phone,
 * where the page behind cannot be used, the focus goes into the chat as when the launcher opens it.
 * No dependencies, no build step (copied to web/dist by Vite, served by the web chat channel).
 */
(function () {
  "use strict";
  var TAG = "wuhu-gov-assistant";
  var STATE_WAIT_MS = 3000;
  var FONT = '"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",sans-serif';
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll('script[src*="/chat/widget.js"]');
    script = all.length ? all[all.length - 1] : null;
  }
  if (!script || !script.src || document.querySelector(TAG)) return;
  if (!document.body || typeof Element.prototype.attachShadow !== "function" || typeof URL !== "function") return;

  var chatUrl = new URL("./", script.src); // https://ASSISTANT/chat/
  var ORIGIN = chatUrl.origin;

  function attr(name, pattern, fallback) {
    var value = (script.getAttribute("data-" + name) || "").trim();
    return pattern.test(value) ? value : fallback;
  }
  var service = attr("service", /^[a-z0-9][a-z0-9-]{0,63}$/, "");
  var topic = attr("topic", /^[a-z0-9_]{1,32}$/, "");
  var title = attr("title", /^[^<>]{1,24}$/, "芜湖政务服务助手");
  var label = attr("label", /^[^<>]{1,8}$/, "在线咨询");
  var left = attr("position", /^(left|right)$/, "right") === "left";
  var elder = !/^(off|0|false|no)$/i.test(script.getAttribute("data-elder") || "");

  var CSS = [
    ":host{all:initial!important}",
    ".w{position:fixed;z-index:2147483000;bottom:24px;right:24px;font:400 18px/1.4 " + FONT + ";color:#1f2329}",
    ".w.left{right:auto;left:24px}",
    "button{margin:0;font-family:" + FONT + ";cursor:pointer;-webkit-tap-highlight-color:transparent}",
    ".launcher{display:inline-flex;align-items:center;gap:8px;min-height:60px;min-width:60px;padding:0 24px;" +
      "border:2px solid #fff;border-radius:30px;background:#0b4aa2;color:#fff;font-size:20px;font-weight:700;" +
      "line-height:1;letter-spacing:1px;box-shadow:0 4px 16px rgba(0,0,0,.35)}",
    ".launcher:hover{background:#083a80}",
    ".launcher svg{width:26px;height:26px;flex:none}",
    ".launcher:focus-visible,.close:focus-visible{outline:3px solid #fff;outline-offset:0;box-shadow:0 0 0 7px #1f2329}",
    ".panel{position:fixed;z-index:2147483001;right:24px;bottom:24px;width:400px;height:700px;" +
      "max-height:calc(100vh - 48px);display:flex;flex-direction:column;background:#fff;border:1px solid #c9cdd4;" +
      "border-radius:12px;overflow:hidden;box-shadow:0 8px 32px rgba(0,0,0,.35)}",
    ".w.left .panel{right:auto;left:24px}",
    "[hidden]{display:none!important}",
    ".bar{display:flex;align-items:center;justify-content:space-between;gap:8px;min-height:60px;" +
      "padding:4px 8px 4px 16px;background:#0b4aa2;color:#fff;flex:none}",
    ".title{margin:0;font-size:19px;font-weight:700;line-height:1.3;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}",
    ".close{display:inline-flex;align-items:center;gap:4px;min-height:48px;min-width:48px;padding:0 14px;" +
      "border:2px solid #fff;border-radius:8px;background:transparent;color:#fff;font-size:18px;font-weight:700;line-height:1}",
    ".close:hover{background:#083a80}",
    ".frame{display:block;flex:1;width:100%;min-height:0;border:0;background:#fff}",
    ".edge{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "@media (max-width:600px){.w{bottom:16px;right:16px}.w.left{left:16px}" +
      ".panel,.w.left .panel{top:0;right:0;bottom:0;left:0;width:auto;height:auto;max-height:none;border:0;border-radius:0}}",
  ].join("\n");

  // The host element: inline !important beats any host rule that reaches it (display, transform…).
  var host = document.createElement(TAG);
  var keep = { all: "initial", display: "block", position: "static", width: "0", height: "0", margin: "0",
    padding: "0", border: "0", overflow: "visible", visibility: "visible", opacity: "1", transform: "none",
    filter: "none", perspective: "none", contain: "none", "clip-path": "none" };
  Object.keys(keep).forEach(function (k) {
    host.style.setProperty(k, keep[k], "important");
  });
  var root = host.attachShadow({ mode: "open" });
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
    var sheet = new CSSStyleSheet(); // not an inline <style>: works under a host CSP without 'unsafe-inline'
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    if (text) node.textContent = text;
    return node;
  }
  var wrap = el("div", { class: left ? "w left" : "w", role: "region", "aria-label": title });
  var launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false",
    "aria-controls": "wuhu-panel", "aria-haspopup": "dialog" });
  var SVG = "http://www.w3.org/2000/svg"; // built node by node: no innerHTML (hosts may enforce Trusted Types)
  var icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  var bubble = document.createElementNS(SVG, "path");
  bubble.setAttribute("fill", "currentColor");
  bubble.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 " +
    "6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 " +
    "1.5 1.5 0 0 0 0-3z");
  icon.appendChild(bubble);
  launcher.appendChild(icon);
  launcher.appendChild(el("span", {}, label));
  var panel = el("div", { class: "panel", id: "wuhu-panel", role: "dialog", "aria-label": title, hidden: "" });
  var first = el("span", { class: "edge", tabindex: "-1" }); // focus guards, active on a full screen
  var last = el("span", { class: "edge", tabindex: "-1" });
  var bar = el("div", { class: "bar" });
  var close = el("button", { type: "button", class: "close", "aria-label": "关闭" + title }, "关闭 ✕");
  bar.appendChild(el("p", { class: "title" }, title));
  bar.appendChild(close);
  panel.appendChild(first);
  panel.appendChild(bar);
  panel.appendChild(last);
  wrap.appendChild(launcher);
  wrap.appendChild(panel);
  root.appendChild(wrap);
  document.body.appendChild(host);

  var frame = null;
  var ready = false;
  var pending = false; // "opened" to send once the page is ready
  var state = null; // the state frame, once it has spoken
  var answerBy = Date.now() + STATE_WAIT_MS; // 0 once answered, too late or the resident was first
  var fullScreen = window.matchMedia ? window.matchMedia("(max-width: 600px)") : { matches: false };

  function frameSrc() {
    var query = new URLSearchParams({ embed: "1", elder: elder ? "1" : "0" });
    if (/^https?:\/\//.test(location.origin)) {
      query.set("host", location.origin);
      query.set("entry", (location.origin + location.pathname).slice(0, 200)); // no query, no fragment
    }
    if (service) query.set("service", service);
    else if (topic) query.set("topic", topic);
    return chatUrl.href + "?" + query.toString();
  }

  function post(target, type) {
    if (target && target.contentWindow) target.contentWindow.postMessage({ wuhu: "widget", v: 1, type: type }, ORIGIN);
  }

  // Only our iframe, from the assistant's exact origin, in exactly this shape: {wuhu: who, v: 1, type}.
  function heard(event, from, who, types) {
    if (!from || event.source !== from.contentWindow || event.origin !== ORIGIN) return null;
    var data = event.data;
    if (!data || typeof data !== "object" || Object.getPrototypeOf(data) !== Object.prototype) return null;
    if (Object.keys(data).sort().join(",") !== "type,v,wuhu" || data.wuhu !== who || data.v !== 1) return null;
    return types.indexOf(data.type) >= 0 ? data.type : null;
  }

  function isOpen() {
    return !panel.hidden;
  }

  function syncModal() {
    var modal = isOpen() && fullScreen.matches;
    panel.setAttribute("aria-modal", modal ? "true" : "false");
    first.setAttribute("tabindex", modal ? "0" : "-1");
    last.setAttribute("tabindex", modal ? "0" : "-1");
  }

  // restore: reopened for the state frame, not by the resident (see the top for the focus).
  function open(restore) {
    answerBy = 0;
    if (!frame) {
      frame = el("iframe", { class: "frame", title: title + " 对话窗口", src: frameSrc(), referrerpolicy: "no-referrer",
        sandbox: "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox" });
      panel.insertBefore(frame, last);
    }
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    syncModal();
    post(state, "open");
    if (restore === true && !fullScreen.matches) return;
    frame.focus();
    if (ready) post(frame, "opened");
    else pending = true;
  }

  // restore: closed for the state frame (a page shown again): the focus moves only if it was inside.
  function shut(restore) {
    answerBy = 0;
    if (!isOpen()) return;
    var inside = root.activeElement !== null;
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    syncModal();
    post(state, "closed");
    if (restore !== true || inside) launcher.focus();
  }

  launcher.addEventListener("click", function () {
    open(false);
  });
  close.addEventListener("click", function () {
    shut(false);
  });
  first.addEventListener("focus", function () {
    if (frame) frame.focus();
  });
  last.addEventListener("focus", function () {
    close.focus();
  });
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) shut(false);
  });
  if (fullScreen.addEventListener) fullScreen.addEventListener("change", syncModal);
  window.addEventListener("message", function (event) {
    var type = heard(event, frame, "assistant", ["ready", "close"]);
    if (type === "ready") {
      ready = true;
      if (pending && isOpen()) {
        frame.focus(); // again: focus given while the frame was still loading may not have stayed
        post(frame, "opened");
      }
      pending = false;
    } else if (type === "close") {
      shut(false);
    }
    var remembered = heard(event, stateFrame, "state", ["open", "closed"]);
    if (!remembered) return;
    var initial = !state;
    state = stateFrame;
    if (Date.now() <= answerBy) {
      if (remembered === "open" && !isOpen()) open(true);
      else if (remembered === "closed" && isOpen()) shut(true);
    } else if (initial) {
      post(state, isOpen() ? "open" : "closed"); // too late, or the resident was first: what is, is kept
    }
    answerBy = 0;
  });

  // The state frame: only on an http(s) page, whose origin it answers (its URL's fragment: one cached copy).
  var stateFrame = null;
  if (/^https?:\/\//.test(location.origin)) {
    stateFrame = el("iframe", { src: chatUrl.href + "widget-state.html#" + encodeURIComponent(location.origin),
      title: title + " 状态", hidden: "", "aria-hidden": "true", tabindex: "-1", referrerpolicy: "no-referrer",
      sandbox: "allow-scripts allow-same-origin" });
    root.appendChild(stateFrame);
  }
  // A page shown again from the back/forward cache runs no script: ask what happened meanwhile.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !state) return;
    answerBy = Date.now() + STATE_WAIT_MS;
    post(state, "ask");
  });
})();
