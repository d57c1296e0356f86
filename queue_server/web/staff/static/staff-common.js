/* Shared by the staff pages: the API with the session's bearer token, the live event
   stream with reconnection, translated texts, small DOM helpers.  No framework. */
"use strict";

const Staff = (() => {
  const token = document.querySelector('meta[name="api-token"]').content;
  const texts = JSON.parse(document.getElementById("staff-texts").textContent);
  // The event types a staff token receives, as the server names them.
  const eventTypes = JSON.parse(document.getElementById("stream-event-types").textContent);
  const language = document.documentElement.lang || "ru";
  let clockSkewMs = 0; // server time minus this computer's time, from the Date header

  /** A translated text with {placeholders} filled. */
  function text(key, values = {}) {
    let result = texts[key] ?? key;
    for (const [name, value] of Object.entries(values)) {
      result = result.replaceAll(`{${name}}`, String(value));
    }
    return result;
  }

  /** The office's {ru, tt, en} text in the page language. */
  function local(names) {
    if (!names) return "";
    if (typeof names === "string") return names;
    return names[language] || names.ru || "";
  }

  /** One API call; answers {status, body}.  status 0: the server is unreachable. */
  async function api(method, path, body) {
    const init = { method, headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      return { status: 0, body: null };
    }
    const serverDate = Date.parse(response.headers.get("Date") || "");
    if (!Number.isNaN(serverDate)) clockSkewMs = serverDate - Date.now();
    if (response.status === 401) {
      window.location.assign(`/staff/login?next=${encodeURIComponent(window.location.pathname)}`);
    }
    const raw = await response.text();
    let data = null;
    try { data = raw ? JSON.parse(raw) : null; } catch { data = null; }
    return { status: response.status, body: data };
  }

  /** The same for the staff pages' own read-only JSON (signed-in by the session cookie). */
  async function pageData(path) {
    try {
      const response = await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.status === 401 || response.redirected) {
        window.location.assign(`/staff/login?next=${encodeURIComponent(window.location.pathname)}`);
      }
      return response.ok ? await response.json() : null;
    } catch {
      return null;
    }
  }

  /** An API error as a sentence for the operator. */
  function failure(result) {
    if (result.status === 0) return text("error_offline");
    const reason = result.body && result.body.reason ? ` (${result.body.reason})` : "";
    const key = { 403: "error_forbidden", 404: "error_not_found", 409: "error_conflict", 503: "error_storage" }[result.status];
    return text(key || "error_generic") + reason;
  }

  /** Follow the event stream for the whole day.  Every (re)connection reloads the page's
      state, so nothing is lost across a dropped network or a restarted server. */
  function follow({ onEvent, reload, indicator }) {
    let source = null;
    let retryTimer = null;
    const show = (state) => {
      if (!indicator) return;
      indicator.dataset.state = state;
      indicator.textContent = text(`connection_${state}`);
    };
    const open = () => {
      source = new EventSource(`/api/v1/events?token=${encodeURIComponent(token)}`);
      source.addEventListener("open", () => {
        document.body.dataset.streamOpens = String(Number(document.body.dataset.streamOpens || 0) + 1);
        show("live");
        reload();
      });
      source.addEventListener("error", () => {
        show("lost");
        if (source.readyState === EventSource.CLOSED) {
          // The server answered with an error (not just a dropped line): try again ourselves.
          source.close();
          clearTimeout(retryTimer);
          retryTimer = setTimeout(open, 2000);
        }
      });
      for (const type of eventTypes) {
        source.addEventListener(type, (message) => {
          let data = {};
          try { data = JSON.parse(message.data); } catch { /* a comment or empty event */ }
          onEvent(type, data);
        });
      }
      source.addEventListener("resync", () => reload());
    };
    show("connecting");
    open();
  }

  /** Run ``fn`` at most once per ``ms`` burst of calls (a redirect is several events). */
  function coalesce(fn, ms = 60) {
    let timer = null;
    return () => {
      if (timer) return;
      timer = setTimeout(() => { timer = null; fn(); }, ms);
    };
  }

  // One load at a time; a request made meanwhile runs once more afterwards, so the
  // page always ends up showing the state after the last event.
  function singleFlight(load) {
    let loading = null;
    let again = false;
    return function reload() {
      if (loading) { again = true; return loading; }
      loading = (async () => {
        do { again = false; await load(); } while (again);
        loading = null;
      })();
      return loading;
    };
  }

  const serverNow = () => Date.now() + clockSkewMs;
  const secondsSince = (iso) => (iso ? Math.max(0, (serverNow() - Date.parse(iso)) / 1000) : 0);

  function duration(totalSeconds) {
    const seconds = Math.floor(totalSeconds);
    const two = (n) => String(n).padStart(2, "0");
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return h ? `${h}:${two(m)}:${two(seconds % 60)}` : `${m}:${two(seconds % 60)}`;
  }

  /** ok / near / over against the office's wait norm (15 minutes). */
  function waitLevel(minutes, norm) {
    if (minutes >= norm) return "over";
    if (minutes >= norm * (2 / 3)) return "near";
    return "ok";
  }

  /** A DOM element; text is always text (never parsed as HTML). */
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  /** Re-render without losing the keyboard focus: the element that had it is found again
      (by id, or by its ticket inside the same panel) and focused. */
  function keepFocus(render) {
    const active = document.activeElement;
    let selector = null;
    if (active && active !== document.body) {
      const holder = active.closest("[data-ticket]");
      const panel = active.parentElement && active.parentElement.closest("[id]");
      if (active.id) selector = `#${CSS.escape(active.id)}`;
      else if (holder && panel) {
        const own = holder === active ? "" : ` ${active.tagName.toLowerCase()}`;
        selector = `#${CSS.escape(panel.id)} [data-ticket="${CSS.escape(holder.dataset.ticket)}"]${own}`;
      }
    }
    render();
    if (selector && !document.contains(active)) {
      const again = document.querySelector(selector);
      if (again) again.focus();
    }
  }

  /** Single-key shortcuts on buttons with data-key (KeyboardEvent.code, so they work in
      the Russian layout too); ignored while typing or while a dialog is open. */
  function enableShortcuts() {
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
      const target = event.target;
      if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) return;
      if (document.querySelector("dialog[open]")) return;
      const button = document.querySelector(`button[data-key="${event.code}"]`);
      if (button && !button.disabled && button.offsetParent !== null) {
        event.preventDefault();
        button.click();
      }
    });
  }

  document.addEventListener("click", (event) => {
    const closer = event.target instanceof Element && event.target.closest("[data-close]");
    if (closer) closer.closest("dialog").close();
  });

  /** A short three-tone chime through Web Audio: works offline, no sound file.
      Browsers start audio only after the person touched the page, so the first key
      press or click anywhere unlocks it for the rest of the day. */
  let audio = null;
  const unlockAudio = () => {
    try { audio = audio || new AudioContext(); audio.resume(); } catch { /* no audio device */ }
  };
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });

  function chime() {
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") audio.resume();
      const start = audio.currentTime;
      [880, 660, 880].forEach((frequency, index) => {
        const at = start + index * 0.22;
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(at);
        oscillator.stop(at + 0.21);
      });
    } catch { /* no audio device: the alert stays on screen anyway */ }
  }

  return { text, local, api, pageData, failure, follow, coalesce, singleFlight, secondsSince, duration,
           waitLevel, el, keepFocus, enableShortcuts, chime, language };
})();
