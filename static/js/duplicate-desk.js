// The duplicate desk by keyboard: m merges, n marks "not duplicates", u undoes the last decision,
// j opens the next story. Each key presses the button or follows the link marked with data-key.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var controls = document.querySelectorAll('[data-key="' + event.key.toLowerCase() + '"]');
    if (!controls.length) return;
    event.preventDefault();
    controls[controls.length - 1].click();
  });
})();
