// The service answer card (custom.type === "service_card").
import { useState, useSyncExternalStore } from "react";
import { Card, CardContent, CardActions, Button, List, ListItem } from "../ui.js";
import { getTicks, toggleTick, subscribe } from "../checklist.js";
import { RichText } from "../text.jsx";

const s = (v) => (v === undefined || v === null ? "" : String(v));

function Materials({ service, materials }) {
  const ticks = useSyncExternalStore(subscribe, () => getTicks(service));
  const done = materials.filter((m) => ticks[s(m.name)]).length;
  return (
    <div className="sc-section">
      <div className="sc-label">
        所需材料
        <span className="sc-count">
          （已备齐 {done}/{materials.length}）
        </span>
      </div>
      <List className="sc-materials">
        {materials.map((m, i) => (
          <ListItem key={i} className={ticks[s(m.name)] ? "is-done" : ""}>
            <label className="sc-check">
              <input
                type="checkbox"
                checked={!!ticks[s(m.name)]}
                onChange={() => toggleTick(service, s(m.name))}
              />
              <span>
                {s(m.name)}
                {m.note ? `（${s(m.note)}）` : ""}
                {m.required === false ? "（非必需）" : ""}
              </span>
            </label>
          </ListItem>
        ))}
      </List>
    </div>
  );
}

function Row({ label, children }) {
  return (
    <div className="sc-row">
      <div className="sc-label">{label}</div>
      <div className="sc-value">{children}</div>
    </div>
  );
}

export function ServiceCard({ message }) {
  const [full, setFull] = useState(false);
  const sv = (message.custom && message.custom.service) || {};
  const name = s(sv.name) || "办事指南";
  const materials = Array.isArray(sv.materials) ? sv.materials.filter((m) => m && m.name) : [];
  const online = Array.isArray(sv.online) ? sv.online.filter(Boolean) : [];
  const hall = sv.hall && typeof sv.hall === "object" ? sv.hall : null;
  return (
    <Card fluid className="ServiceCard">
      {/* h2 under the page's h1 (ChatUI's CardTitle would render an h5) */}
      <div className="CardTitle">
        <h2 className="CardTitle-title">{name}</h2>
        {sv.department ? <p className="CardTitle-subtitle">{s(sv.department)}</p> : null}
      </div>
      <CardContent>
        {sv.summary ? <p className="sc-summary">{s(sv.summary)}</p> : null}
        {materials.length ? <Materials service={name} materials={materials} /> : null}
        {sv.time_limit ? <Row label="办理时限">{s(sv.time_limit)}</Row> : null}
        {sv.fee ? <Row label="收费标准">{s(sv.fee)}</Row> : null}
        {online.length ? (
          <Row label="网上办理">
            <ul className="sc-online">
              {online.map((o, i) => (
                <li key={i}>
                  <strong>{s(o.channel)}</strong>
                  {o.how ? "：" : ""}
                  <RichText text={o.how} />
                </li>
              ))}
            </ul>
          </Row>
        ) : null}
        {hall ? (
          <Row label="线下窗口">
            <div>{s(hall.name)}</div>
            {hall.address ? <div>地址：{s(hall.address)}</div> : null}
            {hall.hours ? <div>时间：{s(hall.hours)}</div> : null}
          </Row>
        ) : null}
        {sv.notice ? (
          <p className="sc-notice" role="note">
            <span aria-hidden="true">⚠️ </span>
            {s(sv.notice)}
          </p>
        ) : null}
        {full ? (
          <div className="sc-full" id={"full-" + message.id}>
            <RichText text={message.text} />
          </div>
        ) : null}
      </CardContent>
      <CardActions>
        <Button
          className="sc-toggle"
          aria-expanded={full}
          aria-controls={full ? "full-" + message.id : undefined}
          onClick={() => setFull(!full)}
        >
          {full ? "收起全文" : "查看全文"}
        </Button>
      </CardActions>
    </Card>
  );
}
