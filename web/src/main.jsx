import { createRoot } from "react-dom/client";
import "@chatui/core/dist/index.css";
import "./styles.css";
import App from "./App.jsx";
import { createConnection } from "./connection.js";
import { withEchoes } from "./messages.js";
import { loadElder, applyElderClass } from "./elder.js";

applyElderClass(loadElder());

const events = { onReplies: null };
const conn = createConnection({ onReplies: (list) => events.onReplies && events.onReplies(list) });

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

createRoot(document.getElementById("root")).render(<App conn={conn} events={events} />);
