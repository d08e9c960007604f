import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { QuickReplies, Typing } from "./ui.js";
import MessageItem from "./components/MessageItem.jsx";
import { Composer } from "./components/Composer.jsx";
import { withEchoes, isHidden, activeButtonsId, latestExchangeStart } from "./messages.js";
import { loadElder, saveElder, loadSpeak, saveSpeak } from "./elder.js";
import { speechSupported, speak, stopSpeaking, speechText } from "./speech.js";
import { useHostLink } from "./hostLink.js";

const QUICK = [
  { name: "常办业务", payload: "菜单" },
  { name: "预约办事", payload: "我要预约" },
  { name: "查进度", payload: "查进度" },
  { name: "转人工", payload: "转人工" },
  { name: "清除记录", payload: "清除记录" }, // asks once, then erases this phone's conversation
];

const BANNER = {
  offline: "网络连接已断开，正在重新连接…",
  reconnected: "已重新连接",
};

const NOT_KEPT = "本窗口不能保存对话：离开或刷新本页后，将开始新的对话。";

// embed: inside the web widget (embed.js), else null; kept: false when storage is blocked.
export default function App({ conn, events, embed = null, elderDefault = false, kept = true }) {
  const st = useSyncExternalStore(conn.subscribe, conn.getState);
  const [elder, setElder] = useState(() => loadElder(elderDefault));
  // Read-aloud follows a chosen elder mode, not the widget's default one.
  const [speakOn, setSpeakOn] = useState(() => loadSpeak(loadElder()));
  useHostLink(embed);
  const [showOlder, setShowOlder] = useState(false);
  const canSpeak = useMemo(speechSupported, []);
  const listRef = useRef(null);
  const follow = useRef(true); // keep scrolled to the newest message
  const hold = useRef(false); // skip one auto-scroll (older messages just expanded)

  const all = useMemo(() => withEchoes(st.messages, st.outbox), [st.messages, st.outbox]);
  const shown = useMemo(() => all.filter((m) => !isHidden(m)), [all]);
  const activeId = activeButtonsId(all);
  const exchangeStart = elder ? latestExchangeStart(shown) : 0;
  const collapsed = elder && !showOlder ? exchangeStart : 0;
  const visible = collapsed ? shown.slice(collapsed) : shown;
  let latestBotId = null;
  for (let i = visible.length - 1; i >= 0; i--) {
    if (visible[i].role === "bot") {
      latestBotId = visible[i].id;
      break;
    }
    if (visible[i].role === "user") break;
  }
  const typing = st.connected && st.outbox.some((o) => o.status !== "failed");
  const banner = st.connected ? (st.banner === "reconnected" ? "reconnected" : null) : st.banner;

  // Read new replies aloud when the toggle is on.
  useEffect(() => {
    events.onReplies = (list) => {
      if (!speakOn || !canSpeak) return;
      list.forEach((m, i) => speak(speechText(m), { interrupt: i === 0 }));
    };
    return () => {
      events.onReplies = null;
    };
  }, [events, speakOn, canSpeak]);

  const send = useCallback((text, display) => conn.send(text, display), [conn]);
  const onButton = useCallback((b) => conn.send(b.payload, b.title, { payload: true }), [conn]);
  const onRetry = useCallback((cid) => conn.retry(cid), [conn]);
  const onSpeak = useCallback((m) => speak(speechText(m), { interrupt: true }), []);
  const onQuick = useCallback(
    (item) => conn.send(item.payload, item.payload === item.name ? null : item.name),
    [conn],
  );

  function toggleElder() {
    const next = !elder;
    saveElder(next);
    setElder(next);
    setSpeakOn(next);
    setShowOlder(false);
    if (!next) stopSpeaking();
  }

  function toggleSpeak() {
    const next = !speakOn;
    saveSpeak(next);
    setSpeakOn(next);
    if (!next) stopSpeaking();
  }

  // Keep the newest content in view; in elder mode a long latest reply is
  // shown from its top so the question and its big buttons are what one sees.
  const scrollToLatest = useCallback(() => {
    const el = listRef.current;
    if (!el) return;
    const bot = el.querySelector('[data-latest="1"]');
    const tall = bot && bot.offsetHeight > el.clientHeight - 24;
    el.scrollTop = elder && tall ? bot.offsetTop - 8 : el.scrollHeight;
    follow.current = !(elder && tall);
  }, [elder]);

  const lastId = visible.length ? visible[visible.length - 1].id : "";
  const lastRole = visible.length ? visible[visible.length - 1].role : "";
  useLayoutEffect(() => {
    if (hold.current) {
      hold.current = false;
      return;
    }
    if (follow.current || lastRole === "user" || elder) scrollToLatest();
  }, [lastId, lastRole, visible.length, typing, elder, scrollToLatest]);

  // Banner, fonts and images change sizes after render: stay pinned.
  useEffect(() => {
    const el = listRef.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => {
      if (follow.current) scrollToLatest();
    });
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => ro.disconnect();
  }, [scrollToLatest]);

  function expandOlder() {
    follow.current = false; // the resident wants to read back
    hold.current = true;
    setShowOlder(true);
  }

  function onScroll() {
    const el = listRef.current;
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }

  const toggles = (
    <div className="Navbar-toggles">
      {canSpeak ? (
        <button type="button" className="ToggleBtn" aria-pressed={speakOn} onClick={toggleSpeak}>
          朗读
        </button>
      ) : null}
      <button type="button" className="ToggleBtn" aria-pressed={elder} onClick={toggleElder}>
        长辈模式
      </button>
    </div>
  );

  return (
    <div className="ChatApp">
      {/* ChatUI's Navbar markup, with the page title as the one h1 (axe: page-has-heading-one) */}
      <header className="Navbar Navbar--left">
        <div className="Navbar-left" />
        <div className="Navbar-main">
          <div className="Navbar-inner">
            <h1 className="Navbar-title">芜湖政务服务助手</h1>
          </div>
        </div>
        <div className="Navbar-right">
          <div className="Navbar-rightSlot">{toggles}</div>
        </div>
      </header>
      {kept ? null : (
        <p className="EmbedNote" role="note">
          {NOT_KEPT}
        </p>
      )}
      <div className={"StatusBanner" + (banner ? " is-" + banner : "")} role="status" aria-live="polite">
        {banner ? BANNER[banner] : ""}
      </div>
      <main className="MessageContainer">
        <div
          className="MessageList"
          role="log"
          aria-live="polite"
          aria-label="对话记录"
          tabIndex={0}
          ref={listRef}
          onScroll={onScroll}
        >
          <div className="MessageList-inner">
            {collapsed ? (
              <button type="button" className="OlderBtn" onClick={expandOlder}>
                查看更早的 {collapsed} 条消息
              </button>
            ) : null}
            {visible.map((m) => (
              <div key={m.id} className="MessageRow" data-latest={m.id === latestBotId ? "1" : undefined}>
                <MessageItem
                  m={m}
                  active={m.id === activeId}
                  latest={m.id === latestBotId}
                  elder={elder}
                  connected={st.connected}
                  canSpeak={canSpeak}
                  onButton={onButton}
                  onSpeak={onSpeak}
                  onRetry={onRetry}
                />
              </div>
            ))}
            {typing ? (
              <div className="Message left TypingRow">
                <div className="Message-main">
                  <span className="sr-only">助手正在输入</span>
                  <Typing />
                </div>
              </div>
            ) : null}
          </div>
        </div>
      </main>
      <footer className="ChatFooter">
        <QuickReplies items={QUICK} onClick={onQuick} />
        <Composer onSend={send} />
      </footer>
    </div>
  );
}
