// The page inside the web widget's iframe (web/public/widget.js): what the loader put in the
// URL, and the messages between the two.
//
// URL: ?embed=1&host=<host page origin>&elder=1|0&entry=<host origin + path>&service=…|topic=…
// The service, topic and entry go to the server with the opening "/greet", which checks them
// again (channels/webchat/opening.py): nothing here is trusted beyond choosing what to ask.
// Messages go only to the host's exact origin and are accepted only from the parent window
// at that origin, in the one shape {wuhu, v, type}; they carry no conversation content.

const SERVICE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const TOPIC = /^[a-z0-9_]{1,32}$/;
const MAX_ENTRY = 200;
const FROM_WIDGET = ["opened"];

function originOf(value) {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value ? value : null;
  } catch (e) {
    return null;
  }
}

// The embedding, or null when the page is not inside the widget.
export function readEmbed(location, win) {
  const query = new URLSearchParams(location.search || "");
  if (query.get("embed") !== "1" || !win || win.parent === win) return null;
  let host = originOf(query.get("host") || "");
  // Where the browser tells us who framed us, the URL must agree.
  const ancestors = location.ancestorOrigins;
  if (host && ancestors && ancestors.length && ancestors[0] !== host) host = null;
  const opening = {};
  const service = query.get("service") || "";
  const topic = query.get("topic") || "";
  const entry = query.get("entry") || "";
  if (SERVICE.test(service)) opening.service = service;
  else if (TOPIC.test(topic)) opening.topic = topic;
  if (host && entry.length <= MAX_ENTRY && entry.startsWith(host + "/")) opening.entry = entry;
  return { host, elder: query.get("elder") !== "0", opening };
}

// The type of a genuine message from the widget loader, else null.
export function widgetMessage(event, embed, parent) {
  if (!embed || !embed.host || event.source !== parent || event.origin !== embed.host) return null;
  const data = event.data;
  if (!data || typeof data !== "object" || Object.getPrototypeOf(data) !== Object.prototype) return null;
  if (Object.keys(data).sort().join(",") !== "type,v,wuhu" || data.wuhu !== "widget" || data.v !== 1) return null;
  return FROM_WIDGET.includes(data.type) ? data.type : null;
}

// "ready" (the page listens) or "close" (Esc: the loader closes the panel).
export function tellHost(embed, parent, type) {
  if (embed && embed.host) parent.postMessage({ wuhu: "assistant", v: 1, type }, embed.host);
}

// Whether this page may keep anything: third-party storage may be blocked inside a frame.
export function storageWorks(getStorage) {
  try {
    const storage = getStorage(); // reading window.localStorage itself may throw
    const key = "wuhu.probe";
    storage.setItem(key, "1");
    storage.removeItem(key);
    return true;
  } catch (e) {
    return false;
  }
}
