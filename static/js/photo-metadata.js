// Before saving: read a chosen photo's caption, credit and copyright from the file (on the server, which
// also checks the size limits) and fill the fields the editor left empty, saying what was filled.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function note(input, text, isError) {
    var element = input.parentNode.querySelector(".photo-metadata-note");
    if (!element) {
      element = document.createElement("span");
      element.className = "photo-metadata-note";
      element.setAttribute("role", "status");
      input.parentNode.appendChild(element);
    }
    element.textContent = text;
    element.classList.toggle("error", Boolean(isError));
  }

  function fill(input, data) {
    var prefix = input.name.slice(0, input.name.lastIndexOf("-") + 1);
    var filled = [];
    input.dataset.fill.split(",").forEach(function (pair) {
      var parts = pair.split(":");
      var field = input.form.elements[prefix + parts[1]];
      if (field && !field.value && data[parts[0]]) {
        field.value = data[parts[0]];
        filled.push(parts[0]);
      }
    });
    note(input, filled.length ? "Filled from the file: " + filled.join(", ") + "." :
      "The file names no caption, credit or copyright the form lacks.");
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-metadata-url]") || !input.files.length) return;
    var body = new FormData();
    body.append("file", input.files[0]);
    note(input, "Reading the photo…");
    fetch(input.dataset.metadataUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(input.form)}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (result) {
      if (!result.ok) { note(input, result.data.error || "The photo could not be read.", true); return; }
      fill(input, result.data);
    }).catch(function () { note(input, "The photo could not be read now; it is checked again on saving.", true); });
  });
})();
