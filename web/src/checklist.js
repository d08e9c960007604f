// Ticked materials per service name, kept in localStorage "wuhu.checklist".
const KEY = "wuhu.checklist";
const listeners = new Set();
let all = null;

function load() {
  if (all) return all;
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || "{}");
    all = v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch (e) {
    all = {};
  }
  return all;
}

const EMPTY = Object.freeze({});

export function getTicks(service) {
  return load()[service] || EMPTY;
}

export function toggleTick(service, material) {
  const cur = Object.assign({}, getTicks(service));
  if (cur[material]) delete cur[material];
  else cur[material] = true;
  all = Object.assign({}, load(), { [service]: cur });
  try {
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch (e) {
    /* ignore */
  }
  listeners.forEach((fn) => fn());
}

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
