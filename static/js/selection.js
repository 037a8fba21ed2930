// A list whose rows are selected for one action (form[data-selection]): a select-all box for the page
// ([data-select-all]) and the number selected ([data-selected-count]).
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
  });
});
