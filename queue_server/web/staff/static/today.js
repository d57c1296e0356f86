/* The "today" view: fetches the figures every few seconds and writes them in place. */
"use strict";

(() => {
  const root = document.getElementById("today");
  if (!root) return;
  const every = Number(root.dataset.refreshS || 10) * 1000;
  const show = (value) => (value === null || value === undefined ? "—" : String(value));

  async function refresh() {
    try {
      const answer = await fetch(root.dataset.source, { credentials: "same-origin", cache: "no-store" });
      if (!answer.ok) return;
      const figures = await answer.json();
      for (const [key, value] of Object.entries(figures)) {
        const cell = document.getElementById(`today-${key}`);
        if (cell && cell.textContent !== show(value)) cell.textContent = show(value);
      }
    } catch (error) {
      /* offline for a moment: the next round tries again */
    } finally {
      setTimeout(refresh, every);
    }
  }
  setTimeout(refresh, every);
  document.body.dataset.ready = "yes";
})();
