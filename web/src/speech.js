// Read-aloud with the Web Speech API (zh-CN), when the browser has it.
import { stripButtonLines } from "./messages.js";

export function speechSupported() {
  return (
    typeof window !== "undefined" &&
    !!window.speechSynthesis &&
    typeof window.SpeechSynthesisUtterance === "function"
  );
}

function pickVoice() {
  try {
    const voices = window.speechSynthesis.getVoices() || [];
    return (
      voices.find((v) => /^zh[-_]CN/i.test(v.lang)) ||
      voices.find((v) => /^zh/i.test(v.lang) && !/HK|TW/i.test(v.lang)) ||
      null
    );
  } catch (e) {
    return null;
  }
}

// Long utterances get cut off in some engines: speak sentence-sized chunks.
export function chunks(text, max = 120) {
  const parts = String(text)
    .replace(/[ \t]+/g, " ")
    .replace(/([。！？!?；;\n])/g, "$1\u0000")
    .split("\u0000")
    .map((s) => s.trim())
    .filter(Boolean);
  const out = [];
  for (const p of parts) {
    for (let i = 0; i < p.length; i += max) out.push(p.slice(i, i + max));
  }
  return out;
}

export function speak(text, { interrupt = false } = {}) {
  if (!speechSupported() || !text) return;
  const synth = window.speechSynthesis;
  if (interrupt) synth.cancel();
  const voice = pickVoice();
  for (const part of chunks(text)) {
    const u = new window.SpeechSynthesisUtterance(part);
    u.lang = "zh-CN";
    u.rate = 0.9;
    if (voice) u.voice = voice;
    synth.speak(u);
  }
}

export function stopSpeaking() {
  if (speechSupported()) window.speechSynthesis.cancel();
}

// What to read for a bot message: its text, then its options (once).
export function speechText(m) {
  const opts = (m.buttons || []).map((b) => b.title).join("；");
  return opts ? stripButtonLines(m.text, m.buttons) + "\n" + opts : m.text;
}
