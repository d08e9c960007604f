// One message: bubble or service card, its option buttons, read-aloud button.
import { memo } from "react";
import { Bubble, Button } from "../ui.js";
import { shownText, speakerLabel, stripButtonLines } from "../messages.js";
import { RichText } from "../text.jsx";
import { ServiceCard } from "./ServiceCard.jsx";

const PIN_AT_MOST = 3;

function MessageItem({ m, active, latest, elder, connected, canSpeak, onButton, onSpeak, onRetry }) {
  const isUser = m.role === "user";
  const isCard = !isUser && m.custom && m.custom.type === "service_card" && m.custom.service;
  // In elder mode the big buttons replace the option lines of the text.
  const text = elder ? stripButtonLines(shownText(m), m.buttons) : shownText(m);
  // Elder mode shows a tall latest reply from its top; a short choice under it (确认提交 / 修改)
  // stays pinned at the bottom of the screen so someone who only taps never has to scroll.
  const pinned = elder && active && latest && m.buttons.length > 0 && m.buttons.length <= PIN_AT_MOST;
  const cls = ["Message", isUser ? "right" : "left"];
  if (latest) cls.push("is-latest");
  if (m.pending) cls.push("is-pending");
  return (
    <div className={cls.join(" ")} data-id={m.id} data-role={m.role}>
      <div className="Message-main">
        <div className="Message-inner">
          <div className="Message-content">
            <span className="sr-only">{speakerLabel(m)}</span>
            {m.author ? (
              <div className="Message-author" aria-hidden="true">
                {m.author}
              </div>
            ) : null}
            {isCard ? (
              <ServiceCard message={m} />
            ) : text ? (
              <Bubble type="text">
                <RichText text={text} />
              </Bubble>
            ) : null}
          </div>
          {m.pending ? (
            <div className="Message-status">{connected ? "发送中…" : "网络恢复后将自动发送"}</div>
          ) : null}
          {m.failed ? (
            <button type="button" className="Message-retry" onClick={() => onRetry(m.client_id)}>
              发送失败，点此重新发送
            </button>
          ) : null}
          {m.buttons.length ? (
            <div
              className={pinned ? "Message-buttons is-pinned" : "Message-buttons"}
              role="group"
              aria-label={active ? "请选择" : "已过期的选项"}
            >
              {m.buttons.map((b, i) => (
                <Button key={i} className="OptionBtn" block disabled={!active} onClick={() => onButton(b)}>
                  {b.title}
                </Button>
              ))}
            </div>
          ) : null}
          {canSpeak && !isUser ? (
            <button
              type="button"
              className="SpeakBtn"
              aria-label="朗读这条消息"
              title="朗读这条消息"
              onClick={() => onSpeak(m)}
            >
              <span aria-hidden="true">🔊</span>
            </button>
          ) : null}
        </div>
      </div>
    </div>
  );
}

export default memo(MessageItem);
