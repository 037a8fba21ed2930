// The rating page's keyboard entry: on a grid's level buttons, keys 1-4 choose 优秀/合格/基本合格/不合格
// and move to the next grid, so a community is rated without the mouse. A chosen level fires "change",
// which the live quota counter (htmx, hx-trigger="change from:.rating-radio") listens for: it sends the
// checked radios with the formset's keys (hx-include=".rating-key, .rating-radio": each row's hidden grid
// id and the management form), so the server reads the choices through the same formset as a save.
document.addEventListener("DOMContentLoaded", () => {
  const table = document.querySelector("[data-rating-keys]");
  if (!table) return;
  const groups = Array.from(table.querySelectorAll("[role=radiogroup]"));
  table.addEventListener("keydown", (event) => {
    const radio = event.target;
    if (!radio.matches(".rating-radio") || event.altKey || event.ctrlKey || event.metaKey) return;
    const index = "1234".indexOf(event.key);
    if (index < 0 || event.key.length !== 1) return;
    const group = radio.closest("[role=radiogroup]");
    const choice = group.querySelectorAll(".rating-radio")[index];
    if (!choice) return;
    event.preventDefault();
    choice.checked = true;
    choice.dispatchEvent(new Event("change", { bubbles: true }));
    const next = groups[groups.indexOf(group) + 1];
    if (next) (next.querySelector(".rating-radio:checked") || next.querySelector(".rating-radio")).focus();
    else choice.focus();
  });
});
