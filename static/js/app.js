// Behaviour attached to markup through data- attributes (no inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  // A filter <select> with data-autosubmit submits its form on change.
  document.querySelectorAll("[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form && el.form.submit());
  });
  // A progress bar's width comes from data-progress (a percentage), not from an inline style.
  document.querySelectorAll("[data-progress]").forEach((el) => {
    el.style.width = `${Number(el.dataset.progress) || 0}%`;
  });
  // Buttons with data-confirm ask before submitting.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  // A submit button with data-busy is disabled once its form is sent, so a slow import is not sent twice.
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("[data-busy]").forEach((btn) => {
        btn.disabled = true;
        btn.textContent = btn.dataset.busy;
      });
    });
  });
});
