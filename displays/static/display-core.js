/* Shared by the hall and window displays: configuration, API, clock, the event
   stream with resynchronisation, and the announcer.

   Runs for days: every list here is bounded, one <audio> element is reused, and
   the state is rebuilt from the API on every (re)connection, on a `resync` event
   and every REFRESH_MS, so a missed event cannot leave a wrong number on screen. */
"use strict";

const DisplayCore = (() => {
  const config = JSON.parse(document.getElementById("display-config").textContent);
  const ACTIVE = new Set(["called", "serving"]);
  const CALL_TYPES = new Set(["ticket.called", "ticket.recalled"]);
  const MAX_LOG = 100;            // played announcements kept for inspection
  const MAX_PENDING = 12;         // announcements waiting to be played
  const MAX_REMEMBERED = 500;     // calls already announced (ticket id + call count)
  const REFRESH_MS = 30000;       // state reloaded from the API this often
  const REOPEN_MS = 3000;         // a closed stream is opened again after this
  const OFFLINE_AFTER_MS = 4000;  // a short reconnect does not flash the offline banner
  const WATCHDOG_SLACK_MS = 5000; // an announcement that never ends is abandoned after its length + this

  const now = () => performance.timeOrigin + performance.now();

  function withToken(path) {
    const separator = path.includes("?") ? "&" : "?";
    return `${path}${separator}token=${encodeURIComponent(config.token)}`;
  }

  async function getJson(path) {
    const response = await fetch(withToken(config.api + path), { cache: "no-store" });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  /* Two spans, Russian then Tatar, from the page's catalogue labels. */
  function bilingual(key, className) {
    const box = document.createElement("span");
    if (className) box.className = className;
    ["ru", "tt"].forEach((language, index) => {
      const span = document.createElement("span");
      span.lang = language;
      if (index) span.className = "second";
      span.textContent = config.labels[key][language];
      box.appendChild(span);
    });
    return box;
  }

  function startClock(element) {
    let format;
    try {
      format = new Intl.DateTimeFormat("ru-RU", { hour: "2-digit", minute: "2-digit", timeZone: config.timeZone });
    } catch (error) {  // a browser without the office's time zone shows its own time
      format = new Intl.DateTimeFormat("ru-RU", { hour: "2-digit", minute: "2-digit" });
    }
    const tick = () => { element.textContent = format.format(new Date()); };
    tick();
    setInterval(tick, 1000);
  }

  /* Plays announcements strictly in call order, one at a time, none dropped in a burst.

     Each call's audio is fetched as soon as the call arrives (two ahead of the one
     playing), so a burst plays back to back.  A fetch that fails or answers 202
     (speech still being prepared) is tried again after RETRY_MS; the last try asks
     the server for whatever it has (`final=1`).  Only the first call of a burst
     has the chime: a call fetched while another is queued or playing, or within
     BURST_GAP_MS of the last one ending, asks for `chime=0`. */
  const RETRY_MS = [300, 700, 1500];
  const FETCH_AHEAD = 3;           // calls whose audio is fetched at once (the playing one included)
  const BURST_GAP_MS = 4000;       // a call this soon after the last one is part of its burst

  class Announcer {
    constructor(enabled) {
      this.enabled = enabled;
      this.pending = [];
      this.current = null;
      this.remembered = new Set();
      this.log = [];
      this.lastEndedAt = 0;
      this.audio = new Audio();
      this.audio.preload = "auto";
      this.audio.addEventListener("playing", () => {
        if (this.current && !this.current.startedAt) this.current.startedAt = now();
      });
      this.audio.addEventListener("loadedmetadata", () => {
        if (this.current && Number.isFinite(this.audio.duration)) {
          this.arm(this.current, this.audio.duration * 1000 + WATCHDOG_SLACK_MS);
        }
      });
      this.audio.addEventListener("ended", () => this.finish(this.current, null));
      this.audio.addEventListener("error", () => this.finish(this.current, "error"));
    }

    announce(ticket) {
      if (!this.enabled) return;
      const key = `${ticket.id}:${ticket.calls}`;
      if (this.remembered.has(key)) return;
      this.remembered.add(key);
      if (this.remembered.size > MAX_REMEMBERED) {
        this.remembered.delete(this.remembered.values().next().value);
      }
      if (this.pending.length >= MAX_PENDING) this.pending.shift();  // still shown on screen
      this.pending.push({ key, ticket: ticket.id, number: ticket.number, calls: ticket.calls, queuedAt: now() });
      this.fetchAhead();
      this.next();
    }

    /* Start fetching the first few pending calls' audio. */
    fetchAhead() {
      this.pending.slice(0, FETCH_AHEAD - (this.current ? 1 : 0)).forEach((item) => {
        if (!item.loading) item.loading = this.load(item);
      });
    }

    async load(item) {
      const first = this.pending[0] === item && !this.current;
      item.chime = first && now() - this.lastEndedAt > BURST_GAP_MS;
      item.requestedAt = now();
      item.attempts = 0;
      const base = `${config.announcementUrl}?ticket=${encodeURIComponent(item.ticket)}&chime=${item.chime ? 1 : 0}`;
      for (let attempt = 0; attempt <= RETRY_MS.length; attempt += 1) {
        const last = attempt === RETRY_MS.length;
        item.attempts = attempt + 1;
        try {
          const response = await fetch(withToken(base + (last ? "&final=1" : "")), { cache: "no-store" });
          item.speech = response.headers.get("X-Speech");
          if (response.status === 200) {
            item.url = URL.createObjectURL(await response.blob());
            item.loadedAt = now();
            return;
          }
          item.fetchError = `HTTP ${response.status}`;
          if (response.status !== 202 && response.status < 500) return;  // 404, 409: nothing to say
        } catch (error) {
          item.fetchError = `fetch: ${error && error.name}`;
        }
        if (!last) await new Promise((resolve) => setTimeout(resolve, RETRY_MS[attempt]));
      }
    }

    next() {
      if (this.current || !this.pending.length) return;
      const item = this.pending[0];
      if (!item.loading) item.loading = this.load(item);
      if (!item.url && !item.loadedAt && !item.settled) {  // wait for its audio: order before speed
        item.loading.then(() => { item.settled = true; this.next(); });
        return;
      }
      this.pending.shift();
      this.current = item;
      this.fetchAhead();
      if (!item.url) {  // nothing to play after every retry
        this.finish(item, item.fetchError || "no audio");
        return;
      }
      this.arm(item, 30000);
      this.audio.src = item.url;
      const playing = this.audio.play();
      if (playing) playing.catch((error) => this.finish(item, `play: ${error && error.name}`));
    }

    arm(item, milliseconds) {
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(() => this.finish(item, "timeout"), milliseconds);
    }

    finish(item, error) {
      if (!item || item !== this.current) return;
      clearTimeout(this.watchdog);
      this.current = null;
      item.endedAt = now();
      this.lastEndedAt = item.endedAt;
      item.duration = item.url && Number.isFinite(this.audio.duration) ? this.audio.duration : null;
      item.error = error;
      if (error) this.audio.pause();
      if (item.url) URL.revokeObjectURL(item.url);
      delete item.url;
      delete item.loading;
      this.log.push(item);
      if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
      this.next();
    }
  }

  /* The event stream plus state reloads.  `page` supplies:
       loadSnapshot() -> Promise<function applying the snapshot>
       handle(event, live)  state change; `live` false when re-applied after a snapshot
       render() */
  class Connection {
    constructor(page) {
      this.page = page;
      this.lastSeq = null;
      this.source = null;
      this.syncing = null;
      this.buffer = [];
      this.syncs = 0;
      this.online = false;
      this.offlineTimer = null;
      this.reopenTimer = null;
      this.banner = document.getElementById("offline");
    }

    start() {
      this.open();
      setInterval(() => this.sync(), REFRESH_MS);
    }

    open() {
      clearTimeout(this.reopenTimer);
      if (this.source) this.source.close();
      let url = withToken(`${config.api}/events`);
      if (this.lastSeq !== null) url += `&after=${this.lastSeq}`;
      const source = new EventSource(url);
      this.source = source;
      source.onopen = () => { this.setOnline(true); this.sync(); };
      source.onerror = () => {
        this.setOnline(false);
        if (source.readyState === EventSource.CLOSED) {
          this.reopenTimer = setTimeout(() => this.open(), REOPEN_MS);
        }
      };
      for (const type of config.eventTypes) {  // the server names what a display receives
        source.addEventListener(type, (message) => this.receive(message));
      }
      source.addEventListener("resync", (message) => {
        this.remember(message);
        this.sync();
      });
    }

    remember(message) {
      const seq = Number(message.lastEventId);
      if (Number.isFinite(seq) && message.lastEventId !== "") this.lastSeq = seq;
    }

    receive(message) {
      this.remember(message);
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (this.syncing) this.buffer.push(event);
      this.page.handle(event, true);
      this.page.render();
    }

    sync() {
      if (this.syncing) return this.syncing;
      this.buffer = [];
      this.syncing = this.page.loadSnapshot().then((apply) => {
        apply();
        // Events that arrived while the snapshot was on its way are newer than it or
        // equal to it; applying them again is harmless and keeps the newest state.
        for (const event of this.buffer) this.page.handle(event, false);
        this.syncs += 1;
        this.page.render();
        if (this.source && this.source.readyState === EventSource.OPEN) this.setOnline(true);
      }).catch(() => {
        this.setOnline(false);
        if (!this.source || this.source.readyState === EventSource.CLOSED) this.open();
      }).finally(() => {
        this.buffer = [];
        this.syncing = null;
      });
      return this.syncing;
    }

    setOnline(online) {
      this.online = online;
      if (online) {
        clearTimeout(this.offlineTimer);
        this.offlineTimer = null;
        if (this.banner) this.banner.hidden = true;
      } else if (!this.offlineTimer) {
        this.offlineTimer = setTimeout(() => {
          if (!this.online && this.banner) this.banner.hidden = false;
          this.offlineTimer = null;
        }, OFFLINE_AFTER_MS);
      }
    }
  }

  /* The screen says it is alive three times within the silence the server allows (at most
     every 30 s); the console alarms when beats stop.  A failed beat is the next one's job. */
  const heartbeat = { sent: 0 };
  async function beat() {
    try {
      const response = await fetch(withToken(`${config.api}/devices/heartbeat`), { method: "POST", cache: "no-store" });
      if (response.ok) heartbeat.sent += 1;
    } catch (error) {
      // offline: the banner already says so, and the console will notice the silence
    }
  }
  if (config.heartbeatMs > 0) {  // never a busy loop when a page forgets its interval
    beat();
    setInterval(beat, config.heartbeatMs);
  }

  return { config, ACTIVE, CALL_TYPES, now, getJson, bilingual, startClock, Announcer, Connection, heartbeat };
})();
