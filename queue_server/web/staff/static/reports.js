/* Report and journal pages: the print button (the print layout is in staff.css, @media print). */
"use strict";

(() => {
  const button = document.getElementById("print-report");
  if (button) button.addEventListener("click", () => window.print());
  document.body.dataset.ready = "yes";
})();
