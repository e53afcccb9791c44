// The article form, live: character counts under the headline and standfirst, words and reading time
// under the body (the server writes the same lines first, so they are there without JavaScript), and
// a tag box that suggests existing tags and aliases and takes new ones with a comma or Enter.
(function () {
  "use strict";

  // Characters as the server counts them (code points), not UTF-16 units.
  function length(text) { return Array.from(text).length; }

  function countLine(input) {
    var text = input.value;
    if (input.dataset.wordsPerMinute) {
      var words = text.trim() ? text.trim().split(/\s+/).length : 0;
      if (!words) return {line: "0 words", over: false};
      var minutes = Math.ceil(words / Number(input.dataset.wordsPerMinute));
      return {line: words + " words · about " + minutes + " min to read", over: false};
    }
    var n = length(text), limit = Number(input.dataset.limit || 0), search = input.dataset.searchChars;
    var parts = [limit ? n + " of " + limit + " characters" : n + " characters"];
    if (search) parts.push("search results show about " + search);
    return {line: parts.join(" · "), over: Boolean(limit && n > limit)};
  }

  function updateCount(input) {
    var output = document.querySelector('.text-count[data-count-of="' + input.dataset.counted + '"]');
    if (!output) return;
    var result = countLine(input);
    output.textContent = result.line;
    output.classList.toggle("is-over", result.over);
  }

  // -- tags -------------------------------------------------------------------------------------

  function currentTerm(input) {
    var before = input.value.slice(0, input.selectionStart === null ? input.value.length : input.selectionStart);
    return before.slice(before.lastIndexOf(",") + 1).trim();
  }

  // Replace the name being typed with `name`, and leave the caret after ", " ready for the next one.
  function commit(input, name) {
    var caret = input.selectionStart === null ? input.value.length : input.selectionStart;
    var head = input.value.slice(0, caret), tail = input.value.slice(caret);
    var start = head.lastIndexOf(",") + 1;
    var rest = tail.indexOf(",") === -1 ? "" : tail.slice(tail.indexOf(",") + 1);
    var names = head.slice(0, start).split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    names.push(name.trim());
    var after = rest.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    var value = names.concat(after).join(", ") + ", ";
    input.value = value;
    var position = names.join(", ").length + 2;
    input.setSelectionRange(position, position);
  }

  function TagBox(input) {
    this.input = input;
    this.timer = null;
    this.request = 0;
    this.options = [];
    this.active = -1;
    var box = document.createElement("div");
    box.className = "tag-box";
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    this.list = document.createElement("ul");
    this.list.id = input.id + "_suggestions";
    this.list.className = "tag-suggestions";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Tag suggestions");
    this.list.hidden = true;
    box.appendChild(this.list);
    this.status = document.createElement("span");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    box.appendChild(this.status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    // Focusing a box that already holds tags gets it ready for the next one.
    input.addEventListener("focus", function () {
      if (input.value.trim() && !/,\s*$/.test(input.value)) input.value = input.value.replace(/\s*$/, ", ");
    });
    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKey.bind(this));
    input.addEventListener("blur", function () { setTimeout(this.close.bind(this), 150); }.bind(this));
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var item = event.target.closest("li");
      if (item) this.choose(Number(item.dataset.index));
    }.bind(this));
  }

  TagBox.prototype.onInput = function () {
    clearTimeout(this.timer);
    var term = currentTerm(this.input);
    if (!term) { this.close(); return; }
    this.timer = setTimeout(this.fetch.bind(this, term), 150);
  };

  TagBox.prototype.fetch = function (term) {
    var ticket = ++this.request;
    var url = this.input.dataset.suggestUrl + "?q=" + encodeURIComponent(term);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (data) {
        if (ticket === this.request) this.show(term, data.results || []);
      }.bind(this))
      .catch(function () { this.close(); }.bind(this));
  };

  TagBox.prototype.show = function (term, results) {
    var exact = results.some(function (r) {
      return r.name.toLowerCase() === term.toLowerCase() || r.alias.toLowerCase() === term.toLowerCase();
    });
    this.options = results.map(function (r) {
      return {name: r.name, text: r.alias ? r.alias + " → " + r.name : r.name, alias: Boolean(r.alias)};
    });
    if (!exact) this.options.push({name: term, text: "New tag: " + term, alias: false});
    this.list.textContent = "";
    this.options.forEach(function (option, index) {
      var item = document.createElement("li");
      item.id = this.list.id + "_" + index;
      item.dataset.index = index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = option.text;
      if (option.alias) item.className = "tag-alias";
      this.list.appendChild(item);
    }, this);
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.status.textContent = results.length + (results.length === 1 ? " suggestion" : " suggestions");
  };

  TagBox.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  TagBox.prototype.move = function (step) {
    if (this.list.hidden || !this.options.length) return;
    var items = this.list.children;
    if (this.active >= 0) items[this.active].setAttribute("aria-selected", "false");
    this.active = (this.active + step + this.options.length) % this.options.length;
    items[this.active].setAttribute("aria-selected", "true");
    items[this.active].scrollIntoView({block: "nearest"});
    this.input.setAttribute("aria-activedescendant", items[this.active].id);
  };

  TagBox.prototype.choose = function (index) {
    commit(this.input, this.options[index].name);
    this.close();
    this.status.textContent = "Tag " + this.options[index].name + " added.";
  };

  TagBox.prototype.onKey = function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); this.move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); this.move(-1); }
    else if (event.key === "Escape" && !this.list.hidden) { event.preventDefault(); this.close(); }
    else if (event.key === "Enter") {
      // Enter takes the tag being typed, instead of submitting the whole form.
      if (!this.list.hidden && this.active >= 0) { event.preventDefault(); this.choose(this.active); return; }
      var term = currentTerm(this.input);
      if (term) { event.preventDefault(); clearTimeout(this.timer); this.request++; commit(this.input, term); this.close(); }
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-counted]").forEach(function (input) {
      input.addEventListener("input", function () { updateCount(input); });
    });
    document.querySelectorAll("input[data-suggest-url]").forEach(function (input) { new TagBox(input); });
  });
})();
