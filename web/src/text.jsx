// Plain-text rendering with http(s) links; never HTML.
const URL_RE = /(https?:\/\/[^\s<>"'，。；、）)]+)/g;

export function RichText({ text }) {
  const parts = String(text || "").split(URL_RE);
  return parts.map((p, i) =>
    i % 2 === 1 ? (
      <a key={i} href={p} target="_blank" rel="noopener noreferrer">
        {p}
      </a>
    ) : (
      p
    ),
  );
}
