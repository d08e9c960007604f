// The chat page's side of the web widget: tell the loader when it can listen, close on Esc,
// and take the focus when the loader says the panel opened (embed.js checks every message).
import { useEffect } from "react";
import { tellHost, widgetMessage } from "./embed.js";

function focusTarget() {
  // On a touch screen focusing the input would cover the chat with the keyboard.
  const coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  return document.querySelector(coarse ? '[role="log"]' : "#wuhu-input");
}

export function useHostLink(embed) {
  useEffect(() => {
    if (!embed || !embed.host) return undefined;
    const parent = window.parent;
    function onMessage(event) {
      if (widgetMessage(event, embed, parent) === "opened") {
        const target = focusTarget();
        window.focus();
        if (target) target.focus();
      }
    }
    function onKey(event) {
      if (event.key === "Escape") tellHost(embed, parent, "close");
    }
    window.addEventListener("message", onMessage);
    document.addEventListener("keydown", onKey);
    tellHost(embed, parent, "ready");
    return () => {
      window.removeEventListener("message", onMessage);
      document.removeEventListener("keydown", onKey);
    };
  }, [embed]);
}
