// Elder mode (长辈模式) and read-aloud preferences, kept in localStorage.
const K_ELDER = "wuhu.elder";
const K_SPEAK = "wuhu.speak";

function get(key) {
  try {
    return localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

function put(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch (e) {
    /* ignore */
  }
}

// The resident's choice, else the default (on inside a widget unless its site said off).
export function loadElder(fallback = false) {
  const v = get(K_ELDER);
  return v === null ? !!fallback : v === "1";
}

export function applyElderClass(on) {
  document.documentElement.classList.toggle("elder", !!on);
}

export function saveElder(on) {
  put(K_ELDER, on ? "1" : "0");
  put(K_SPEAK, null); // read-aloud follows the mode again
  applyElderClass(on);
}

// Read-aloud: the resident's explicit choice, else on in elder mode.
export function loadSpeak(elder) {
  const v = get(K_SPEAK);
  return v === null ? !!elder : v === "1";
}

export function saveSpeak(on) {
  put(K_SPEAK, on ? "1" : "0");
}
