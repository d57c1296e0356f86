/* Hall display: the latest calls as "number → window/room", newest on top and
   highlighted for HIGHLIGHT_MS, each call announced once (a recall again).

   A call stays listed while its ticket is called or served at a workplace of this
   hall's zones; it goes when the visit ends, is redirected or postponed, or the
   workplace calls someone else. */
"use strict";

(() => {
  const { config, ACTIVE, CALL_TYPES, now, getJson, bilingual, startClock, Announcer, Connection } = DisplayCore;
  const HIGHLIGHT_MS = 10000;
  const MAX_TRACKED = 50;
  const COUNTS_EVERY_MS = 3000;

  const callsBox = document.getElementById("calls");
  callsBox.style.setProperty("--rows", callsBox.dataset.rows);  // no inline style: the CSP forbids it
  const emptyBox = document.getElementById("no-calls");
  const waitingBox = document.getElementById("waiting");
  const calls = new Map();  // ticket id -> {id, number, workplace, status, order, freshUntil}
  const announcer = new Announcer(config.sound);
  let servedQueues = null;  // queue ids served in this hall's zones, once the office is known
  let countsTimer = null;
  let countsAt = 0;
  let freshTimer = null;

  const inZone = (workplace) => Boolean(workplace) && (config.zones === null || config.zones.includes(workplace.zone));

  function applyTicket(ticket, order) {
    if (ACTIVE.has(ticket.status) && inZone(ticket.workplace)) {
      for (const [id, row] of calls) {
        if (id !== ticket.id && row.workplace.id === ticket.workplace.id) calls.delete(id);
      }
      const row = calls.get(ticket.id) || { order: 0, freshUntil: 0 };
      row.id = ticket.id;
      row.number = ticket.number;
      row.workplace = ticket.workplace;
      row.status = ticket.status;
      if (order !== undefined) row.order = order;
      calls.set(ticket.id, row);
    } else {
      calls.delete(ticket.id);
    }
    if (calls.size > MAX_TRACKED) {
      const oldest = [...calls.values()].sort((a, b) => a.order - b.order)[0];
      calls.delete(oldest.id);
    }
  }

  function handle(event, live) {
    const ticket = event.ticket;
    if (!ticket) return;
    const isCall = CALL_TYPES.has(event.type);
    applyTicket(ticket, isCall ? event.seq : undefined);
    if (live && isCall && ticket.status === "called" && inZone(ticket.workplace)) {
      const row = calls.get(ticket.id);
      if (row) row.freshUntil = now() + HIGHLIGHT_MS;
      announcer.announce(ticket);
    }
    if (live && config.counts) scheduleCounts();
  }

  async function loadSnapshot() {
    const [workplaces, counts] = await Promise.all([
      getJson("/workplaces"),
      config.counts ? loadCounts() : Promise.resolve(null),
    ]);
    return () => {
      const previous = new Map(calls);
      calls.clear();
      for (const place of workplaces.workplaces) {
        const ticket = place.ticket;
        if (!ticket) continue;
        const known = previous.get(ticket.id);
        applyTicket(ticket, known ? known.order : 0);
        const row = calls.get(ticket.id);
        if (row && known) row.freshUntil = known.freshUntil;
      }
      if (counts) showCounts(counts);
    };
  }

  function render() {
    const rows = [...calls.values()].sort((a, b) => b.order - a.order).slice(0, config.rows);
    const moment = now();
    callsBox.querySelectorAll(".call").forEach((element) => element.remove());
    emptyBox.hidden = rows.length > 0;
    // Only the newest call is highlighted, so the eye finds it at once.
    rows.forEach((row, index) => callsBox.appendChild(rowElement(row, index === 0 && row.freshUntil > moment)));
    clearTimeout(freshTimer);
    if (rows.length && rows[0].freshUntil > moment) freshTimer = setTimeout(render, rows[0].freshUntil - moment + 20);
  }

  function rowElement(row, fresh) {
    const element = document.createElement("div");
    element.className = fresh ? "call fresh" : "call";
    element.dataset.ticket = row.id;
    element.dataset.status = row.status;
    const number = document.createElement("span");
    number.className = "call-number";
    number.textContent = row.number;
    const arrow = document.createElement("span");
    arrow.className = "call-arrow";
    arrow.textContent = "→";
    arrow.setAttribute("aria-hidden", "true");
    const destination = document.createElement("span");
    destination.className = "call-destination";
    destination.appendChild(bilingual(row.workplace.kind === "room" ? "place_room" : "place_window", "call-kind"));
    const place = document.createElement("span");
    place.className = "call-place";
    place.textContent = row.workplace.number;
    destination.appendChild(place);
    element.append(number, arrow, destination);
    return element;
  }

  /* ---- optional waiting counts (?counts=1) ---- */

  async function loadCounts() {
    if (servedQueues === null) {
      const office = await getJson("/office");
      servedQueues = new Set();
      for (const place of office.workplaces) {
        if (inZone(place)) place.serves.forEach((served) => servedQueues.add(served.queue));
      }
    }
    return getJson("/queues");
  }

  function showCounts(answer) {
    waitingBox.replaceChildren(bilingual("waiting_title"));
    for (const queue of answer.queues) {
      if (!servedQueues.has(queue.id)) continue;
      const item = document.createElement("span");
      item.className = "queue-count";
      item.dataset.queue = queue.id;
      const prefix = document.createElement("b");
      prefix.textContent = queue.prefix;
      item.append(prefix, document.createTextNode(String(queue.waiting)));
      waitingBox.appendChild(item);
    }
    waitingBox.hidden = false;
    countsAt = now();
  }

  function scheduleCounts() {
    if (countsTimer) return;
    const wait = Math.max(0, countsAt + COUNTS_EVERY_MS - now());
    countsTimer = setTimeout(() => {
      loadCounts().then(showCounts).catch(() => {}).finally(() => { countsTimer = null; });
    }, wait);
  }

  /* ---- running line of notices (?notice=...) ---- */

  function startTicker() {
    const text = document.getElementById("ticker-text");
    if (!text) return;
    const pixelsPerSecond = window.innerWidth * 0.12;
    text.style.animationDuration = `${Math.max(10, text.scrollWidth / pixelsPerSecond)}s`;
  }

  startClock(document.getElementById("clock"));
  startTicker();
  const connection = new Connection({ loadSnapshot, handle, render });
  window.announcementLog = announcer.log;
  window.displayState = { connection, calls, announcer };
  connection.start();
})();
