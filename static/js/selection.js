// A list whose rows are selected for one action (form[data-selection]): a select-all box for the page
// ([data-select-all]) and the number selected ([data-selected-count]). A button that needs a field of its
// own ([data-requires]: the field's id) says so before anything else, before its confirm dialog too; the
// field itself cannot be required, as the form's other action does not use it.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-selection]").forEach((form) => {
    const items = Array.from(form.querySelectorAll("[data-select-item]"));
    const all = form.querySelector("[data-select-all]");
    const count = form.querySelector("[data-selected-count]");
    const update = () => {
      const checked = items.filter((item) => item.checked).length;
      if (count) count.textContent = checked;
      if (all) {
        all.checked = checked > 0 && checked === items.length;
        all.indeterminate = checked > 0 && checked < items.length;
      }
    };
    items.forEach((item) => item.addEventListener("change", update));
    if (all) {
      all.disabled = items.length === 0;
      all.addEventListener("change", () => {
        items.forEach((item) => {
          item.checked = all.checked;
        });
        update();
      });
    }
    update();
    // Capturing on the form runs before the button's own listeners (the data-confirm dialog).
    form.addEventListener(
      "click",
      (event) => {
        // A message left on a field would block the other action's submit: each click starts afresh.
        form.querySelectorAll("[data-requires]").forEach((other) => {
          document.getElementById(other.dataset.requires)?.setCustomValidity("");
        });
        const button = event.target.closest("[data-requires]");
        const field = button && document.getElementById(button.dataset.requires);
        if (!field || field.value.trim()) return;
        event.preventDefault();
        event.stopPropagation();
        field.setCustomValidity(button.dataset.requiresMessage);
        field.reportValidity();
        field.addEventListener("input", () => field.setCustomValidity(""), { once: true });
      },
      true,
    );
  });
});
