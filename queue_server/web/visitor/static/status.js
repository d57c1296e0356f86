// The status page follows its ticket over server-sent events (EventSource reconnects by
// itself).  Only the texts change; the live region reads a new state line aloud.
(function () {
  "use strict";
  var main = document.getElementById("status");
  if (!main || !window.EventSource) { return; }
  var line = document.getElementById("line");
  var way = document.getElementById("way");
  var position = document.getElementById("position");
  var connection = document.getElementById("connection");

  function show(state) {
    if (line.textContent !== state.line) { line.textContent = state.line; }
    line.classList.toggle("called", state.called);
    way.textContent = state.way;
    way.hidden = !state.way;
    position.hidden = state.people_ahead === null;
    document.getElementById("ahead").textContent = state.people_ahead_text;
    document.getElementById("wait").textContent = state.wait_text;
    main.setAttribute("data-seq", String(state.seq));
    main.setAttribute("data-status", state.status);
  }

  var source = new EventSource(main.getAttribute("data-events"));
  source.addEventListener("state", function (event) {
    connection.hidden = true;
    show(JSON.parse(event.data));
  });
  source.onerror = function () {
    connection.textContent = main.getAttribute("data-offline");
    connection.hidden = false;
  };
}());
