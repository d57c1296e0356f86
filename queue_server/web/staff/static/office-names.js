/* Names from the office configuration (GET /api/v1/office) in the page language. */
"use strict";

const OfficeNames = (office) => {
  const byId = (items, id) => (items || []).find((item) => item.id === id);
  return {
    office,
    workplace(id) {
      const place = byId(office.workplaces, id);
      if (!place) return id || "";
      const key = place.kind === "window" ? "window_number" : "room_number";
      return Staff.text("workplace_title", { place: Staff.text(key, { number: place.number }), label: Staff.local(place.label) });
    },
    queue(id) { const queue = byId(office.queues, id); return queue ? Staff.local(queue.name) : id || ""; },
    situation(id) { const item = byId(office.life_situations, id); return item ? Staff.local(item.name) : id || ""; },
    situationRecord(id) { return byId(office.life_situations, id); },
    service(id) { return byId(office.services, id); },
    workplaceRecord(id) { return byId(office.workplaces, id); },
    language(code) { return Staff.text(`language_${code}`); },
    time(iso) {
      if (!iso) return "";
      return new Date(iso).toLocaleTimeString(Staff.language === "tt" ? "ru" : Staff.language,
        { hour: "2-digit", minute: "2-digit", timeZone: office.time_zone });
    },
    /** <select> options: queues, then workplaces (except ``exclude``). */
    targetOptions(select, exclude) {
      select.replaceChildren(
        Staff.el("optgroup", { label: Staff.text("target_queues") },
          office.queues.map((queue) => Staff.el("option", { value: `queue:${queue.id}` }, Staff.local(queue.name)))),
        Staff.el("optgroup", { label: Staff.text("target_workplaces") },
          office.workplaces.filter((place) => place.id !== exclude && place.serves.length)
            .map((place) => Staff.el("option", { value: `workplace:${place.id}` }, this.workplace(place.id)))),
      );
    },
  };
};

/** "queue:x" / "workplace:y" from a target <select> as an API body. */
function targetBody(value) {
  const [kind, id] = value.split(":");
  return kind === "workplace" ? { workplace: id } : { queue: id };
}
