/* Feedback tablet: idle → five faces (visitor's language) → optional reasons → thanks → idle.
   Follows the event stream for "ticket.finished" at this workplace; the snapshot asks the
   server for a visit finished here moments ago (a tablet that reconnects still asks). */
"use strict";

(() => {
  const { config, getJson, Connection } = DisplayCore;
  const root = document.getElementById("feedback");
  const byId = (id) => document.getElementById(id);
  const all = (selector) => Array.from(document.querySelectorAll(selector));
  const rated = new Set();
  let visit = null;
  let rating = null;
  let language = "ru";
  let idleTimer = null;

  function text(key, values = {}) {
    const message = config.texts[key];
    let result = message[language] || message.ru;
    for (const [name, value] of Object.entries(values)) result = result.replace(`{${name}}`, value);
    return result;
  }

  function localize() {
    for (const node of all("[data-text]")) node.textContent = text(node.dataset.text);
    byId("question").textContent = text("question");
    byId("reasons-question").textContent = text("reasons_question");
    byId("ticket-number").textContent = visit ? text("ticket", { number: visit.number }) : "";
    byId("ask").lang = language;
    byId("done").lang = language;
    for (const button of all(".feedback-lang")) {
      button.setAttribute("aria-pressed", String(button.dataset.language === language));
    }
  }

  function show(state) {
    root.dataset.state = state;
    byId("idle").hidden = state !== "idle";
    byId("ask").hidden = state !== "ask";
    byId("done").hidden = state !== "done";
  }

  function idleAfter(ms) {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => { visit = null; rating = null; show("idle"); }, ms);
  }

  function ask(ticket) {
    if (rated.has(ticket.id) || (visit && visit.id === ticket.id)) return;
    visit = ticket;
    rating = null;
    language = config.texts.question[ticket.language] ? ticket.language : "ru";
    for (const button of all(".face, .reason")) button.setAttribute("aria-pressed", "false");
    byId("reasons").hidden = true;
    localize();
    show("ask");
    idleAfter(config.idleAfterMs);
  }

  async function send() {
    if (!visit || rating === null) return;
    const reasons = all(".reason[aria-pressed='true']").map((button) => button.dataset.reason);
    let key = "failed";
    try {
      const answer = await fetch(`${config.api}/feedback?token=${encodeURIComponent(config.token)}`, {
        method: "POST", headers: { "Content-Type": "application/json" }, cache: "no-store",
        body: JSON.stringify({ ticket_id: visit.id, rating, reasons, workplace: config.workplace }),
      });
      if (answer.ok) key = "thanks";
      else if (answer.status === 409) key = "already";
      if (answer.ok || answer.status === 409) rated.add(visit.id);
    } catch (error) {
      key = "failed";
    }
    byId("done-text").textContent = text(key);
    show("done");
    idleAfter(config.thanksMs);
  }

  for (const button of all(".face")) {
    button.addEventListener("click", () => {
      rating = Number(button.dataset.rating);
      for (const face of all(".face")) face.setAttribute("aria-pressed", String(face === button));
      byId("reasons").hidden = false;
      idleAfter(config.idleAfterMs);
    });
  }
  for (const button of all(".reason")) {
    button.addEventListener("click", () => {
      button.setAttribute("aria-pressed", String(button.getAttribute("aria-pressed") !== "true"));
      idleAfter(config.idleAfterMs);
    });
  }
  for (const button of all(".feedback-lang")) {
    button.addEventListener("click", () => { language = button.dataset.language; localize(); });
  }
  byId("send").addEventListener("click", send);

  const page = {
    handle(event, live) {
      const here = event.workplace && event.workplace.id === config.workplace;
      if (live && event.type === "ticket.finished" && here && event.ticket) ask(event.ticket);
    },
    loadSnapshot() {
      return getJson(`/feedback/pending?workplace=${encodeURIComponent(config.workplace)}`).then((answer) => () => {
        if (answer.ticket && root.dataset.state === "idle") ask(answer.ticket);
      });
    },
    render() {},
  };
  localize();
  new Connection(page).start();
  root.dataset.ready = "yes";
})();
