// Text input and send button at the bottom; Enter sends.
import { useState, useRef } from "react";
import { Button } from "../ui.js";

export function Composer({ onSend }) {
  const [text, setText] = useState("");
  const inputRef = useRef(null);

  function submit(e) {
    e.preventDefault();
    const t = text.trim();
    if (!t) {
      inputRef.current && inputRef.current.focus();
      return;
    }
    onSend(t);
    setText("");
  }

  function onKeyDown(e) {
    // Enter that confirms an IME composition must not send.
    if (e.key === "Enter" && (e.nativeEvent.isComposing || e.keyCode === 229)) e.preventDefault();
  }

  return (
    <form className="Composer" onSubmit={submit}>
      <div className="Composer-inputWrap">
        <label htmlFor="wuhu-input" className="sr-only">
          输入您想办的事
        </label>
        <input
          id="wuhu-input"
          ref={inputRef}
          className="Input Composer-input"
          type="text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="输入您想办的事"
          enterKeyHint="send"
          autoComplete="off"
          maxLength={500}
        />
      </div>
      <Button type="submit" color="primary" className="Composer-sendBtn" aria-label="发送">
        发送
      </Button>
    </form>
  );
}
