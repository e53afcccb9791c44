"use strict";
// Autocomplete boxes (select2) are named after their field: its label, or the heading of their
// column in a table of rows (photos, tags). Empty, select2's own naming leaves them nameless.
(function () {
    function fieldName(select) {
        const label = select.id && document.querySelector('label[for="' + select.id + '"]');
        if (label && label.textContent.trim()) {
            return label.textContent.trim();
        }
        const cell = select.closest("td");
        const table = cell && cell.closest("table");
        if (table) {
            const heading = table.querySelectorAll("thead th")[Array.prototype.indexOf.call(cell.parentNode.children, cell)];
            if (heading && heading.textContent.trim()) {
                return heading.textContent.trim();
            }
        }
        return select.name;
    }

    function nameBoxes() {
        document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
            const container = select.nextElementSibling;
            const box = container && container.querySelector('[role="combobox"]');
            if (box && !box.hasAttribute("aria-label")) {
                const name = fieldName(select);
                box.removeAttribute("aria-labelledby");
                box.setAttribute("aria-label", name);
                // The chosen value is shown in a read-only textbox of its own, which needs the name too.
                box.querySelectorAll('[role="textbox"]').forEach(function (shown) {
                    shown.setAttribute("aria-label", name);
                });
            }
        });
    }

    document.addEventListener("DOMContentLoaded", function () { window.setTimeout(nameBoxes, 0); });
    document.addEventListener("formset:added", function () { window.setTimeout(nameBoxes, 0); });
})();
