/* The operator workplace: one visitor card, the actions, the side panels; live. */
"use strict";

(() => {
  const root = document.getElementById("operator");
  const workplaceId = root.dataset.workplace;
  const $ = (id) => document.getElementById(id);
  const state = { names: null, norm: 15, day: null, queues: [], detail: null };

  // --- loading ------------------------------------------------------------------------

  async function loadOnce() {
    if (!state.names) {
      const office = await Staff.api("GET", "/api/v1/office");
      if (office.status !== 200) return;
      state.names = OfficeNames(office.body);
      state.norm = office.body.rules.wait_norm_min;
      fillStaticChoices();
    }
    const [day, queues] = await Promise.all([
      Staff.pageData(`/staff/data/workplace/${encodeURIComponent(workplaceId)}`),
      Staff.api("GET", "/api/v1/queues"),
    ]);
    if (day) state.day = day;
    if (queues.status === 200) state.queues = queues.body.queues;
    const current = state.day && state.day.current;
    state.detail = null;
    if (current) {
      const detail = await Staff.api("GET", `/api/v1/tickets/${current.id}`);
      if (detail.status === 200) state.detail = detail.body;
    }
    render();
  }

  const reload = Staff.singleFlight(loadOnce);
  const reloadSoon = Staff.coalesce(reload);

  // --- rendering ----------------------------------------------------------------------

  function render() {
    Staff.keepFocus(renderAll);
  }

  function renderAll() {
    if (!state.names || !state.day) return;
    renderStatus();
    renderVisitor();
    renderQueues();
    renderPostponed();
    renderToday();
    document.body.dataset.ready = "yes";
  }

  function renderStatus() {
    const status = state.day.status;
    const badge = $("workplace-status");
    badge.dataset.status = status;
    badge.textContent = Staff.text(`status_${status}`);
    const toggle = $("break-toggle");  // absent for a role that may not set the status
    if (!toggle) return;
    const label = { open: "go_on_break", break: "back_to_work" }[status] || "start_work";
    toggle.firstChild.textContent = `${Staff.text(label)} `;
  }

  function renderVisitor() {
    const ticket = state.day.current;
    $("visitor-empty").hidden = Boolean(ticket);
    $("visitor").hidden = !ticket;
    root.dataset.ticket = ticket ? ticket.id : "";
    root.dataset.ticketStatus = ticket ? ticket.status : "";
    const allowed = {
      "call-next": !ticket,
      recall: ticket && ticket.status === "called",
      start: ticket && ticket.status === "called",
      redirect: Boolean(ticket),
      postpone: Boolean(ticket),
      "no-show": ticket && ticket.status === "called",
      finish: ticket && ticket.status === "serving",
      situation: Boolean(ticket),
    };
    for (const button of document.querySelectorAll(".actions [data-action]")) {
      button.disabled = !allowed[button.dataset.action];
    }
    if (!ticket) return;
    const names = state.names;
    $("visitor-number").textContent = ticket.number;
    $("visitor-status").textContent = Staff.text(`ticket_${ticket.status}`);
    $("visitor-priority").hidden = !ticket.priority;
    $("visitor-situation").textContent = names.situation(ticket.life_situation);
    $("visitor-language").textContent = names.language(ticket.language);
    $("visitor-comment-box").hidden = !ticket.comment;
    $("visitor-comment").textContent = ticket.comment || "";
    renderCounters();
    const events = (state.detail && state.detail.events) || [];
    $("visitor-history").replaceChildren(...events.map(historyItem));
  }

  function historyItem(event) {
    const names = state.names;
    const data = event.data || {};
    const what = Staff.text(`history_${event.type.replace(/^ticket\./, "")}`);
    const parts = [Staff.el("time", { datetime: event.at }, names.time(event.at)), " ", what];
    if (event.workplace) parts.push(" · ", names.workplace(event.workplace));
    if (data.to_workplace) parts.push(" → ", names.workplace(data.to_workplace));
    else if (data.to_queue) parts.push(" → ", names.queue(data.to_queue));
    if (data.life_situation && event.type === "ticket.situation_changed") parts.push(": ", names.situation(data.life_situation));
    const item = Staff.el("li", {}, parts);
    if (data.comment) item.append(Staff.el("blockquote", { class: "history-comment" }, data.comment));
    if (data.services && data.services.length) {
      item.append(Staff.el("p", { class: "history-services" }, Staff.text("history_services_count", { count: data.services.length })));
    }
    return item;
  }

  function renderCounters() {
    const ticket = state.day && state.day.current;
    if (!ticket) return;
    $("visitor-waited").textContent = Staff.duration(
      ticket.called_at ? (Date.parse(ticket.called_at) - Date.parse(ticket.issued_at)) / 1000 : Staff.secondsSince(ticket.issued_at));
    $("visitor-in-service").textContent = ticket.started_at ? Staff.duration(Staff.secondsSince(ticket.started_at)) : "—";
  }

  function myQueueIds() {
    const place = state.names.workplaceRecord(workplaceId);
    return place ? place.serves.map((served) => served.queue) : [];
  }

  function renderQueues() {
    const mine = new Set(myQueueIds());
    const items = state.queues.filter((queue) => mine.has(queue.id)).map((queue) => {
      const waiting = (queue.tickets || []).filter((t) => !t.target_workplace);
      const longest = Math.max(0, ...waiting.map((t) => t.wait_min));
      const level = Staff.waitLevel(longest, state.norm);
      return Staff.el("li", { class: "queue-line", dataset: { queue: queue.id, waiting: String(waiting.length) } },
        Staff.el("span", { class: "queue-name" }, Staff.local(queue.name)),
        Staff.el("span", { class: "queue-count" }, Staff.text("waiting_count", { count: waiting.length })),
        waiting.length ? Staff.el("span", { class: `wait wait-${level}` },
          Staff.text("longest_wait", { minutes: Math.floor(longest), norm: state.norm })) : null,
        Staff.el("span", { class: "queue-numbers" }, waiting.map((t) => t.number).join(" ")));
    });
    $("my-queues").replaceChildren(...(items.length ? items : [Staff.el("li", { class: "empty" }, Staff.text("nothing"))]));

    const personal = state.queues.flatMap((queue) => queue.tickets || [])
      .filter((t) => t.target_workplace === workplaceId);
    $("personal").replaceChildren(...(personal.length ? personal.map((t) => ticketLine(t,
      t.returning ? Staff.text("returning_to_you") : Staff.text("waited_minutes", { minutes: Math.floor(t.wait_min) })))
      : [Staff.el("li", { class: "empty" }, Staff.text("nothing"))]));
  }

  function renderPostponed() {
    const postponed = state.day.postponed;
    $("postponed").replaceChildren(...(postponed.length ? postponed.map((t) => ticketLine(t,
      t.postponed_until ? Staff.text("postponed_until", { time: state.names.time(t.postponed_until) }) : Staff.text("postponed_open")))
      : [Staff.el("li", { class: "empty" }, Staff.text("nothing"))]));
  }

  function ticketLine(ticket, note) {
    return Staff.el("li", { class: "ticket-line", dataset: { ticket: ticket.id } },
      Staff.el("span", { class: "ticket-number" }, ticket.number),
      ticket.priority ? Staff.el("span", { class: "badge badge-priority" }, Staff.text("priority_short")) : null,
      Staff.el("span", { class: "ticket-note" }, note),
      Staff.el("button", { type: "button", class: "button button-small", disabled: Boolean(state.day.current),
        "aria-label": Staff.text("call_ticket", { number: ticket.number }),
        onclick: () => act(() => Staff.api("POST", `/api/v1/tickets/${ticket.id}/call`, { workplace: workplaceId })) },
      Staff.text("call")));
  }

  function renderToday() {
    const handled = state.day.handled;
    $("today").textContent = handled.length
      ? `${Staff.text("today_count", { count: handled.length })}: ${handled.map((t) => t.number).join(", ")}`
      : Staff.text("nothing");
  }

  // --- actions ------------------------------------------------------------------------

  async function act(request, quietStatuses = []) {
    const message = $("action-message");
    message.textContent = "";
    const result = await request();
    if (result.status >= 200 && result.status < 300) {
      if (result.status === 204) message.textContent = Staff.text("queue_empty");
    } else if (!quietStatuses.includes(result.status)) {
      message.textContent = Staff.failure(result);
    }
    await reload();
    return result;
  }

  const current = () => state.day && state.day.current;
  const ticketAction = (action, body = {}) => {
    const ticket = current();
    if (!ticket) return Promise.resolve();
    return act(() => Staff.api("POST", `/api/v1/tickets/${ticket.id}/${action}`, { workplace: workplaceId, ...body }));
  };

  const handlers = {
    "call-next": () => act(() => Staff.api("POST", `/api/v1/workplaces/${encodeURIComponent(workplaceId)}/call-next`)),
    recall: () => ticketAction("recall"),
    start: () => ticketAction("start"),
    "no-show": () => ticketAction("no-show"),
    redirect: () => { $("redirect-form").reset(); $("redirect-dialog").showModal(); },
    postpone: () => { $("postpone-form").reset(); $("postpone-dialog").showModal(); },
    finish: openFinish,
    situation: openSituation,
  };
  for (const button of document.querySelectorAll(".actions [data-action]")) {
    button.addEventListener("click", () => handlers[button.dataset.action]());
  }

  if ($("break-toggle")) {
    $("break-toggle").addEventListener("click", () => {
      const next = state.day && state.day.status === "open" ? "break" : "open";
      act(() => Staff.api("POST", `/api/v1/workplaces/${encodeURIComponent(workplaceId)}/status`, { status: next }));
    });
  }

  $("redirect-form").addEventListener("submit", (event) => {
    const ticket = current();
    if (!ticket) return;
    const form = event.target;
    const body = { ...targetBody(form.target.value), comment: form.comment.value.trim(),
                   return_to_me: form.return_to_me.checked };
    act(() => Staff.api("POST", `/api/v1/tickets/${ticket.id}/redirect`, body));
  });

  $("postpone-form").addEventListener("submit", (event) => {
    const minutes = event.target.minutes.value ? Number(event.target.minutes.value) : undefined;
    ticketAction("postpone", minutes ? { minutes } : {});
  });

  function openFinish() {
    const ticket = current();
    if (!ticket) return;
    const names = state.names;
    const situation = names.situationRecord(ticket.life_situation);
    const ids = (situation && situation.services) || [];
    $("finish-services-hint").textContent = ids.length
      ? Staff.text("finish_services_hint", { situation: names.situation(ticket.life_situation), count: ids.length })
      : Staff.text("finish_no_complex");
    const groups = new Map();
    for (const id of ids) {
      const service = names.service(id);
      if (!service) continue;
      if (!groups.has(service.group)) groups.set(service.group, []);
      groups.get(service.group).push(service);
    }
    const blocks = [...groups].map(([group, services]) => Staff.el("div", { class: "service-group" },
      Staff.el("h3", {}, Staff.text(`service_group_${group}`)),
      services.map((service) => Staff.el("label", { class: "check" },
        Staff.el("input", { type: "checkbox", name: "services", value: service.id }), " ", Staff.local(service.name)))));
    $("finish-services").replaceChildren(...blocks);
    $("finish-result").selectedIndex = 0;
    $("finish-dialog").showModal();
  }

  $("finish-form").addEventListener("submit", (event) => {
    const services = [...event.target.querySelectorAll('input[name="services"]:checked')].map((box) => box.value);
    ticketAction("finish", { services, result: event.target.result.value });
  });

  function openSituation() {
    const ticket = current();
    if (!ticket || !$("situation-dialog")) return;
    $("situation-form").reset();
    $("situation-select").value = ticket.life_situation;
    $("situation-dialog").showModal();
  }

  if ($("situation-form")) {
    $("situation-form").addEventListener("submit", async (event) => {
      const form = event.target;
      const ticket = current();
      if (!ticket) return;
      if (form.pass_on.checked && !form.consent.checked) {
        event.preventDefault(); // keep the dialog open: passing on needs the visitor's consent
        $("situation-consent").focus();
        $("situation-consent").setAttribute("aria-invalid", "true");
        return;
      }
      const situation = form.life_situation.value;
      const changed = await act(() => Staff.api("POST", `/api/v1/tickets/${ticket.id}/situation`,
        { life_situation: situation, workplace: workplaceId }));
      if (changed.status === 200 && form.pass_on.checked) {
        const queue = state.names.situationRecord(situation).queue;
        await act(() => Staff.api("POST", `/api/v1/tickets/${ticket.id}/redirect`,
          { queue, comment: Staff.text("consent_comment") }));
      }
    });
  }

  function fillStaticChoices() {
    state.names.targetOptions($("redirect-target"), workplaceId);
    if ($("situation-select")) {
      $("situation-select").replaceChildren(...state.names.office.life_situations.map((item) =>
        Staff.el("option", { value: item.id }, Staff.local(item.name))));
    }
  }

  // --- live -----------------------------------------------------------------------------

  Staff.enableShortcuts();
  Staff.follow({ onEvent: reloadSoon, reload: reloadSoon, indicator: $("connection") });
  setInterval(renderCounters, 1000);
})();
