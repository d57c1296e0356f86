/* The hall administrator's console: every queue and workplace live, issuing tickets,
   acting on any waiting ticket, help calls and device faults until acknowledged. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const FAULTS = new Set(["offline", "paper_out", "error"]);
  const DISMISSED_KEY = "odno-okno.dismissed-faults";
  const state = {
    names: null, norm: 15, queues: [], workplaces: [], helpCalls: [], devices: [],
    restorable: [], dismissedFaults: loadDismissed(), selected: null,
  };

  // A fault report, once acknowledged on this console, stays acknowledged across reloads;
  // a new report from the same kiosk (a new time) shows again.
  function loadDismissed() {
    try { return new Set(JSON.parse(localStorage.getItem(DISMISSED_KEY) || "[]")); } catch { return new Set(); }
  }
  function dismissFault(device) {
    state.dismissedFaults.add(faultKey(device));
    try { localStorage.setItem(DISMISSED_KEY, JSON.stringify([...state.dismissedFaults].slice(-100))); } catch { /* private mode */ }
    render();
  }

  async function loadOnce() {
    if (!state.names) {
      const office = await Staff.api("GET", "/api/v1/office");
      if (office.status !== 200) return;
      state.names = OfficeNames(office.body);
      state.norm = office.body.rules.wait_norm_min;
      fillChoices();
    }
    const [queues, workplaces, help, devices, restorable] = await Promise.all([
      Staff.api("GET", "/api/v1/queues"),
      Staff.api("GET", "/api/v1/workplaces"),
      Staff.api("GET", "/api/v1/help-calls"),
      Staff.api("GET", "/api/v1/devices"),
      Staff.pageData("/staff/data/restorable"),
    ]);
    if (queues.status === 200) state.queues = queues.body.queues;
    if (workplaces.status === 200) state.workplaces = workplaces.body.workplaces;
    if (help.status === 200) state.helpCalls = help.body.help_calls;
    if (devices.status === 200) {
      state.devices = devices.body.devices;
      fillPrinters();
    }
    if (restorable) state.restorable = restorable.tickets;
    render();
  }

  const reload = Staff.singleFlight(loadOnce);
  const reloadSoon = Staff.coalesce(reload);

  // --- rendering ----------------------------------------------------------------------

  function render() {
    Staff.keepFocus(renderAll);
  }

  function renderAll() {
    if (!state.names) return;
    renderAlerts();
    renderQueues();
    renderWorkplaces();
    renderRestorable();
    document.body.dataset.ready = "yes";
  }

  function renderAlerts() {
    const help = state.helpCalls.map((call) => Staff.el("li", { class: "alert alert-help", dataset: { help: String(call.id) } },
      Staff.el("span", { class: "alert-text" }, Staff.text("help_call", { device: call.device, time: state.names.time(call.at) })),
      Staff.el("button", { type: "button", class: "button button-primary", onclick: () => acknowledge(call.id) },
        Staff.text("acknowledge"))));
    const faults = state.devices.filter((device) => FAULTS.has(device.printer) && !state.dismissedFaults.has(faultKey(device)))
      .map((device) => Staff.el("li", { class: "alert alert-fault", dataset: { device: device.name } },
        Staff.el("span", { class: "alert-text" }, Staff.text(`printer_${device.printer}`, { device: device.name }),
          device.printer_detail ? ` (${device.printer_detail})` : "",
          device.seen_at ? Staff.el("time", { datetime: device.seen_at },
            Staff.text("reported_at", { time: state.names.time(device.seen_at) })) : null),
        Staff.el("button", { type: "button", class: "button", onclick: () => dismissFault(device) },
          Staff.text("acknowledge"))));
    // A kiosk or screen without a heartbeat: the alarm stays until it is heard from again.
    const silentText = (device) => {
      const values = { device: device.name, time: state.names.time(device.seen_at) };
      return device.kind === "kiosk" ? Staff.text("silent_kiosk", values) : Staff.text("silent_display", values);
    };
    const silent = state.devices.filter((device) => device.silent)
      .map((device) => Staff.el("li", { class: "alert alert-fault alert-silent", dataset: { silent: device.name } },
        Staff.el("span", { class: "alert-text" }, silentText(device))));
    $("alerts").replaceChildren(...help, ...silent, ...faults);
  }

  const faultKey = (device) => `${device.name}|${device.printer}|${device.seen_at}`;

  function renderQueues() {
    const columns = state.queues.map((queue) => {
      const tickets = queue.tickets || [];
      return Staff.el("section", { class: "queue-column", dataset: { queue: queue.id } },
        Staff.el("h3", {}, Staff.local(queue.name)),
        Staff.el("p", { class: "queue-meta" },
          Staff.el("strong", { class: "queue-count" }, Staff.text("waiting_count", { count: queue.waiting })),
          " · ", Staff.text("open_workplaces", { count: queue.open_workplaces })),
        Staff.el("ul", { class: "ticket-chips" }, tickets.map((ticket) => {
          const level = Staff.waitLevel(ticket.wait_min, state.norm);
          return Staff.el("li", {}, Staff.el("button", {
            type: "button", class: `chip wait-${level}`, dataset: { ticket: ticket.id, number: ticket.number },
            onclick: () => openTicket(ticket),
          },
          // The name is the visible text, then a hidden hint (WCAG 2.5.3 label in name).
          Staff.el("span", { class: "chip-number" }, ticket.number),
          ticket.priority ? Staff.el("span", { class: "chip-flag" }, Staff.text("priority_short")) : null,
          ticket.target_workplace ? Staff.el("span", { class: "chip-flag" }, `→ ${state.names.workplaceRecord(ticket.target_workplace)?.number ?? ""}`) : null,
          Staff.el("span", { class: "chip-wait" }, Staff.text("minutes_short", { minutes: Math.floor(ticket.wait_min) })),
          Staff.el("span", { class: "visually-hidden" }, Staff.text("chip_hint"))));
        })));
    });
    $("queues").replaceChildren(...columns);
  }

  function renderWorkplaces() {
    const rows = state.workplaces.map((place) => Staff.el("tr", { dataset: { workplace: place.id, status: place.status } },
      Staff.el("th", { scope: "row" }, state.names.workplace(place.id)),
      Staff.el("td", {}, place.user || "—"),
      Staff.el("td", {}, Staff.el("span", { class: `badge status-${place.status}` }, Staff.text(`status_${place.status}`))),
      Staff.el("td", { class: "workplace-ticket" }, place.ticket
        ? `${place.ticket.number} · ${Staff.text(`ticket_${place.ticket.status}`)}` : "—")));
    $("workplaces").replaceChildren(...rows);
  }

  function renderRestorable() {
    const items = state.restorable.map((ticket) => Staff.el("li", { class: "ticket-line", dataset: { ticket: ticket.id } },
      Staff.el("span", { class: "ticket-number" }, ticket.number),
      Staff.el("span", { class: "ticket-note" }, Staff.text(`ticket_${ticket.status}`)),
      Staff.el("button", { type: "button", class: "button button-small",
        "aria-label": Staff.text("restore_ticket", { number: ticket.number }), onclick: () => openRestore(ticket) },
      Staff.text("restore"))));
    $("restorable").replaceChildren(...(items.length ? items : [Staff.el("li", { class: "empty" }, Staff.text("nothing"))]));
  }

  // --- acting ---------------------------------------------------------------------------

  async function acknowledge(callId) {
    const result = await Staff.api("POST", `/api/v1/help-calls/${callId}/acknowledge`);
    if (result.status >= 300) window.alert(Staff.failure(result));
    reload();
  }

  function openTicket(ticket) {
    state.selected = ticket;
    $("ticket-form").reset();
    $("ticket-message").textContent = "";
    $("ticket-dialog-title").textContent = Staff.text("ticket_dialog_title", {
      number: ticket.number, queue: state.names.queue(ticket.queue) });
    $("ticket-priority-label").textContent = Staff.text(ticket.priority ? "ticket_action_priority_lower" : "ticket_action_priority_raise");
    $("ticket-dialog").showModal();
  }

  $("ticket-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const ticket = state.selected;
    const reason = form.reason.value.trim();
    if (!reason) { $("ticket-message").textContent = Staff.text("reason_required"); form.reason.focus(); return; }
    const action = form.action.value;
    const body = action === "redirect" ? { ...targetBody(form.target.value), comment: reason }
      : action === "priority" ? { priority: !ticket.priority, reason } : { reason };
    const result = await Staff.api("POST", `/api/v1/tickets/${ticket.id}/${action}`, body);
    if (result.status >= 300) { $("ticket-message").textContent = Staff.failure(result); return; }
    $("ticket-dialog").close();
    reload();
  });

  function openRestore(ticket) {
    state.selected = ticket;
    $("restore-form").reset();
    $("restore-message").textContent = "";
    $("restore-title").textContent = Staff.text("restore_title", { number: ticket.number });
    $("restore-dialog").showModal();
  }

  $("restore-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = event.target.reason.value.trim();
    if (!reason) { $("restore-message").textContent = Staff.text("reason_required"); return; }
    const result = await Staff.api("POST", `/api/v1/tickets/${state.selected.id}/restore`, { reason });
    if (result.status >= 300) { $("restore-message").textContent = Staff.failure(result); return; }
    $("restore-dialog").close();
    reload();
  });

  $("issue-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const output = form.output.value;
    const body = {
      life_situation: form.life_situation.value, language: form.language.value,
      priority: form.priority.checked, request_id: `console-${crypto.randomUUID()}`,
    };
    if (output !== "screen") body.print_on = output;
    const result = await Staff.api("POST", "/api/v1/tickets", body);
    const box = $("issued");
    box.hidden = false;
    if (result.status >= 300) {
      $("issued-number").textContent = "";
      $("issued-detail").textContent = Staff.failure(result);
      return;
    }
    const ticket = result.body;
    box.dataset.ticket = ticket.id;
    box.dataset.language = ticket.language;
    $("issued-number").textContent = ticket.number;
    let detail = Staff.text("issued_detail", { queue: state.names.queue(ticket.queue), ahead: ticket.people_ahead });
    if (output !== "screen") {
      detail += " " + Staff.text(ticket.print_requested ? "issued_printing" : "issued_print_unavailable", { device: output });
    }
    $("issued-detail").textContent = detail;
    form.reset();
    reload();
  });

  $("issued-speak").addEventListener("click", () => {
    const box = $("issued");
    if (!box.dataset.ticket) return;
    const audio = new Audio(`/staff/speech/${encodeURIComponent(box.dataset.ticket)}.wav`);
    audio.addEventListener("error", () => { $("issued-detail").textContent = Staff.text("speech_unavailable"); });
    audio.play().then(() => { box.dataset.spoken = String(Number(box.dataset.spoken || 0) + 1); })
      .catch(() => { $("issued-detail").textContent = Staff.text("speech_unavailable"); });
  });

  function fillChoices() {
    const names = state.names;
    $("issue-situation").replaceChildren(...names.office.life_situations.map((item) =>
      Staff.el("option", { value: item.id }, Staff.local(item.name))));
    names.targetOptions($("ticket-target"), null);
  }

  function fillPrinters() {
    const select = $("issue-output");
    const chosen = select.value;
    const kiosks = state.devices.filter((device) => device.kind === "kiosk");
    select.replaceChildren(Staff.el("option", { value: "screen" }, Staff.text("issue_output_screen")),
      ...kiosks.map((kiosk) => Staff.el("option", { value: kiosk.name }, Staff.text("issue_output_kiosk", { device: kiosk.name }))));
    if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
  }

  // Visitors to meet at the entrance: the server-drawn list again after the office's events
  // (a check-in, a call) and every minute (a booking made after the page opened, a slot
  // coming into the next hours).  Not while the administrator is on one of its buttons:
  // the focus must not vanish under them.
  const door = $("door-list");
  async function refreshDoor() {
    if (door.contains(document.activeElement)) return;
    try {
      const answer = await fetch(door.dataset.refreshUrl, { credentials: "same-origin", cache: "no-store" });
      if (!answer.ok) return;
      const html = await answer.text();
      if (html !== door.dataset.drawn && !door.contains(document.activeElement)) {
        door.innerHTML = html;
        door.dataset.drawn = html;
      }
    } catch { /* offline: the connection indicator says so; the next minute tries again */ }
  }
  const doorSoon = Staff.coalesce(Staff.singleFlight(refreshDoor));
  setInterval(doorSoon, Number(door.dataset.refreshMs) || 60000);

  // --- live -----------------------------------------------------------------------------

  const ALERTING = new Set(["help.requested", "device.silent"]);
  function onEvent(type, data) {
    if (ALERTING.has(type) || (type === "device.status" && FAULTS.has(data.data && data.data.printer))) Staff.chime();
    reloadSoon();
    doorSoon();
  }

  Staff.follow({ onEvent, reload: reloadSoon, indicator: $("connection") });
  // Waits grow while nothing happens: refresh the colours every 20 seconds.
  setInterval(reloadSoon, 20000);
})();
