// Tells the server this article is still open here, and shows who else has it open.
(function () {
  "use strict";
  var notice = document.getElementById("presence-notice");
  if (!notice || !window.fetch) { return; }
  var url = notice.getAttribute("data-url");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  function report() {
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : ""}
    }).then(function (response) { return response.ok ? response.json() : null; }).then(function (data) {
      if (!data) { return; }
      notice.textContent = data.message;
      notice.hidden = !data.message;
    }).catch(function () {});
  }
  setInterval(report, 30000);
})();
