/*
 * The hand-off desk's live updates: the console's only script, served by the console
 * (CSP script-src 'self' on the /handoff pages alone; no inline script, no eval).
 *
 * It listens to the page's event stream (#live[data-events], /handoff/events) and, for
 * each part that changed (queue, mine, transcript), fetches that part's HTML from the
 * server (the element's data-src) and swaps it in: the server renders and escapes
 * everything, this script never builds markup from data. It also fills the reply box
 * from a canned reply ([data-insert]) or a service's answer (form[data-answer]) without
 * a reload. Without it the pages work as plain forms with a 刷新 link.
 */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource || !window.fetch) {
    return;
  }
  var PARTS = ["queue", "mine", "transcript"];
  var REFRESH_WAITS_MS = 30000;

  function holderOf(root) {
    var state = root.querySelector("#state");
    return state ? state.getAttribute("data-holder") : null;
  }
  var transcript = document.getElementById("transcript");
  var holder = transcript ? holderOf(transcript) : null;
  // A form of this page is being sent (claim, close, transfer…): its answer is the next page.
  // Reloading now would cancel that navigation and lose what the server says (e.g. 已结束).
  var leaving = false;

  function reload() {
    if (!leaving) {
      window.location.reload();
    }
  }

  function refresh(name) {
    var box = document.getElementById(name);
    if (!box) {
      return;
    }
    fetch(box.getAttribute("data-src"), {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          reload();  // signed out or no longer allowed: the server says where to go
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        box.innerHTML = html;
        if (name === "transcript" && holderOf(box) !== holder) {
          reload();  // claimed, transferred or closed: the forms below change
        }
      })
      .catch(function () { /* the next event or the reconnect tries again */ });
  }

  var stream = new EventSource(live.getAttribute("data-events"));
  stream.addEventListener("ready", function () {
    PARTS.forEach(refresh);
  });
  PARTS.forEach(function (name) {
    stream.addEventListener(name, function () { refresh(name); });
  });
  // How long each resident has waited moves on with no event.
  window.setInterval(function () { refresh("queue"); }, REFRESH_WAITS_MS);

  function insert(text) {
    var box = document.getElementById("reply-text");
    if (!box) {
      return;
    }
    var start = box.selectionStart, end = box.selectionEnd, before = box.value.slice(0, start);
    var glue = before && !/\n$/.test(before) ? "\n" : "";
    box.value = before + glue + text + box.value.slice(end);
    var caret = (before + glue + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
  }

  document.addEventListener("click", function (click) {
    var link = click.target.closest ? click.target.closest("[data-insert]") : null;
    if (link) {
      click.preventDefault();
      insert(link.getAttribute("data-insert"));
    }
  });

  document.addEventListener("submit", function (submit) {
    var form = submit.target;
    var source = form.getAttribute("data-answer");
    if (!source) {
      if (!submit.defaultPrevented) {
        leaving = true;  // a plain form: the browser goes to its answer
      }
      return;
    }
    submit.preventDefault();
    var status = form.querySelector("#answer-status");
    var service = form.elements.service.value;
    status.textContent = "正在读取……";
    fetch(source + "&service=" + encodeURIComponent(service), {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.redirected) {
          window.location.reload();  // signed out: never insert the login page
          return null;
        }
        return response.text().then(function (text) { return {ok: response.ok, text: text}; });
      })
      .then(function (answer) {
        if (answer === null) {
          return;
        }
        if (answer.ok) {
          insert(answer.text);
          status.textContent = "已插入，发送前可以修改。";
        } else {
          status.textContent = answer.text;
        }
      })
      .catch(function () { status.textContent = "读取失败，请稍后再试。"; });
  });
})();
