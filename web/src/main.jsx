import { createRoot } from "react-dom/client";
import "@chatui/core/dist/index.css";
import "./styles.css";
import App from "./App.jsx";
import { createConnection } from "./connection.js";
import { withEchoes } from "./messages.js";
import { loadElder, applyElderClass } from "./elder.js";
import { readEmbed, storageWorks } from "./embed.js";

// Inside the web widget's iframe (web/public/widget.js), or null on its own.
const embed = readEmbed(window.location, window);
if (embed) document.documentElement.classList.add("embedded");
const elderDefault = embed ? embed.elder : false;
applyElderClass(loadElder(elderDefault));

const events = { onReplies: null };
const conn = createConnection({
  onReplies: (list) => events.onReplies && events.onReplies(list),
  opening: embed ? embed.opening : null,
});
// Third-party storage may be blocked in a frame: the chat works, but starts afresh next time.
const kept = !embed || storageWorks(() => window.localStorage);

// Test hook for browser tests.
window.__wuhuChat = {
  socket: conn.socket,
  state() {
    const s = conn.getState();
    return {
      connected: s.connected,
      messages: withEchoes(s.messages, s.outbox),
      outbox: s.outbox.slice(),
      elder: document.documentElement.classList.contains("elder"),
    };
  },
};

createRoot(document.getElementById("root")).render(
  <App conn={conn} events={events} embed={embed} elderDefault={elderDefault} kept={kept} />,
);
