/*
 * 芜湖政务服务助手 · web widget state frame (widget-state.html, a hidden iframe the loader
 * widget.js adds on every host page). It remembers one thing: whether the panel was open, so it
 * stays open on the next page of the site. It keeps it in this origin's localStorage, which the
 * browser partitions by the host site, as one key whose value is only an expiry time (30 minutes
 * after the panel was last opened or carried to a page): no conversation, no id, no text.
 *
 * URL: widget-state.html#<host page origin>. It talks only to its parent window at that origin
 * (and only where the browser's own ancestor list agrees), in the shape {wuhu, v, type}:
 *   here → loader  {wuhu: "state", v: 1, type: "open" | "closed"}   on load and when asked
 *   loader → here  {wuhu: "widget", v: 1, type: "ask" | "open" | "closed"}
 * Where storage is blocked (third-party storage off, incognito), it answers "closed".
 */
(function (win) {
  "use strict";
  var KEY = "wuhu.widget.open";
  var TTL_MS = 30 * 60 * 1000;

  function originOf(value) {
    try {
      var url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value ? value : null;
    } catch (e) {
      return null;
    }
  }

  var parent = win.parent;
  var host = null;
  try {
    host = originOf(decodeURIComponent(win.location.hash.slice(1)));
  } catch (e) {
    host = null; // a malformed escape
  }
  var ancestors = win.location.ancestorOrigins;
  if (host && ancestors && ancestors.length && ancestors[0] !== host) host = null;
  if (!host || !parent || parent === win) return;

  function isOpen() {
    try {
      var until = Number(win.localStorage.getItem(KEY));
      var now = Date.now();
      return until > now && until <= now + TTL_MS;
    } catch (e) {
      return false; // reading window.localStorage itself throws where storage is blocked
    }
  }

  function remember(open) {
    try {
      if (open) win.localStorage.setItem(KEY, String(Date.now() + TTL_MS));
      else win.localStorage.removeItem(KEY);
    } catch (e) {
      // blocked or full: the next page shows the launcher, as without this frame
    }
  }

  function tell() {
    parent.postMessage({ wuhu: "state", v: 1, type: isOpen() ? "open" : "closed" }, host);
  }

  win.addEventListener("message", function (event) {
    if (event.source !== parent || event.origin !== host) return;
    var data = event.data;
    if (!data || typeof data !== "object" || Object.getPrototypeOf(data) !== Object.prototype) return;
    if (Object.keys(data).sort().join(",") !== "type,v,wuhu" || data.wuhu !== "widget" || data.v !== 1) return;
    if (data.type === "ask") tell();
    else if (data.type === "open" || data.type === "closed") remember(data.type === "open");
  });
  tell();
})(window);
