// Behaviour attached to markup through data- attributes (no inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  // A filter <select> with data-autosubmit submits its form on change.
  document.querySelectorAll("[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form && el.form.submit());
  });
  // A progress bar's width comes from data-progress (a percentage), not from an inline style; also in what
  // htmx swaps in (a background job's status, polled every second).
  const showProgress = (root) => {
    root.querySelectorAll("[data-progress]").forEach((el) => {
      el.style.width = `${Number(el.dataset.progress) || 0}%`;
    });
  };
  showProgress(document);
  document.body.addEventListener("htmx:load", (event) => showProgress(event.detail.elt.parentNode || document));
  // A <select data-follows="street"> offers only the options whose data-street is the value chosen in the
  // form's `street` select (a 村（社区） of the chosen 街镇); an option no longer offered is unselected.
  document.querySelectorAll("select[data-follows]").forEach((select) => {
    const leader = select.form && select.form.elements[select.dataset.follows];
    if (!leader) return;
    const follow = () => {
      [...select.options].forEach((option) => {
        option.hidden = Boolean(leader.value && option.dataset.street && option.dataset.street !== leader.value);
        if (option.hidden && option.selected) select.value = "";
      });
    };
    leader.addEventListener("change", follow);
    follow();
  });
  // Buttons with data-confirm ask before submitting, once the form's own checks (a required reason) pass:
  // the question would otherwise come before the browser says the form is incomplete.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (el.form && !el.form.noValidate && !el.form.reportValidity()) {
        event.preventDefault();
        return;
      }
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
});
