/* Window/door display: the ticket at this workplace, or "free" / "break" / "closed".
   A call is highlighted for HIGHLIGHT_MS; with ?sound=1 it is also announced. */
"use strict";

(() => {
  const { config, ACTIVE, CALL_TYPES, now, getJson, bilingual, Announcer, Connection } = DisplayCore;
  const HIGHLIGHT_MS = 10000;
  const STATUS_LABELS = { open: "status_free", break: "status_break", closed: "status_closed" };

  const body = document.getElementById("place");
  const ticketBox = document.getElementById("place-ticket");
  const captionBox = document.getElementById("place-caption");
  const announcer = new Announcer(config.sound);
  const state = { status: "open", ticket: null, freshUntil: 0 };
  let freshTimer = null;

  const here = (workplace) => Boolean(workplace) && workplace.id === config.workplace;

  function handle(event, live) {
    if (event.type === "workplace.status_changed") {
      if (here(event.workplace) && event.status) state.status = event.status;
      return;
    }
    const ticket = event.ticket;
    if (!ticket) return;
    if (ACTIVE.has(ticket.status) && here(ticket.workplace)) {
      state.ticket = ticket;
      if (live && CALL_TYPES.has(event.type) && ticket.status === "called") {
        state.freshUntil = now() + HIGHLIGHT_MS;
        announcer.announce(ticket);
      }
    } else if (state.ticket && state.ticket.id === ticket.id) {
      state.ticket = null;
      state.freshUntil = 0;
    }
  }

  async function loadSnapshot() {
    const answer = await getJson("/workplaces");
    const place = answer.workplaces.find((item) => item.id === config.workplace);
    return () => {
      if (!place) return;
      state.status = place.status;
      const ticket = place.ticket && ACTIVE.has(place.ticket.status) ? place.ticket : null;
      if (!ticket || !state.ticket || state.ticket.id !== ticket.id) state.freshUntil = 0;
      state.ticket = ticket;
    };
  }

  function render() {
    const moment = now();
    const fresh = state.ticket !== null && state.freshUntil > moment;
    body.classList.toggle("fresh", fresh);
    body.classList.toggle("status", state.ticket === null);
    body.dataset.status = state.ticket ? state.ticket.status : state.status;
    if (state.ticket) {
      ticketBox.hidden = false;
      ticketBox.textContent = state.ticket.number;
      captionBox.replaceChildren(bilingual(state.ticket.status === "called" ? "please_come" : "now_serving"));
    } else {
      ticketBox.hidden = true;
      ticketBox.textContent = "";
      captionBox.replaceChildren(bilingual(STATUS_LABELS[state.status] || "status_closed"));
    }
    clearTimeout(freshTimer);
    if (fresh) freshTimer = setTimeout(render, state.freshUntil - moment + 20);
  }

  const connection = new Connection({ loadSnapshot, handle, render });
  window.announcementLog = announcer.log;
  window.displayState = { connection, state, announcer };
  connection.start();
})();
