// Work that can take more than a second shows that it is under way and cannot be started twice.
//
// <form data-busy>, or a form with a submit button carrying data-busy: once sent, its submit buttons are
// disabled and show a spinner with their data-busy text (or 处理中…), so a slow import, generation or save
// is not sent twice.
// <a data-busy href="….xlsx">: a download is fetched here while the link shows the spinner and ignores
// further clicks; the file is then saved under the server's name. An answer that is not a download (a
// refusal or error page) is opened as a page instead.
(() => {
  const WORKING = "处理中…";

  function showBusy(el, text) {
    if (el.dataset.idleLabel === undefined) el.dataset.idleLabel = el.innerHTML;
    const spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm me-1";
    spinner.setAttribute("aria-hidden", "true");
    el.replaceChildren(spinner, document.createTextNode(text || WORKING));
    el.classList.add("disabled");
    el.setAttribute("aria-busy", "true");
    el.setAttribute("aria-disabled", "true");
  }

  function showIdle(el) {
    if (el.dataset.idleLabel !== undefined) el.innerHTML = el.dataset.idleLabel;
    delete el.dataset.idleLabel;
    el.classList.remove("disabled");
    el.removeAttribute("aria-busy");
    el.removeAttribute("aria-disabled");
    if ("disabled" in el) el.disabled = false;
  }

  function busyButtons(form) {
    const marked = form.hasAttribute("data-busy");
    return [...form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]")].filter(
      (btn) => marked || btn.hasAttribute("data-busy"),
    );
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const buttons = busyButtons(form);
    if (!buttons.length || event.defaultPrevented) return;
    if (form.dataset.sent) {
      event.preventDefault(); // already on its way
      return;
    }
    form.dataset.sent = "1";
    // Disabled after the browser has read the form: a disabled submitter would not send its name.
    setTimeout(() => {
      buttons.forEach((btn) => {
        btn.disabled = true;
        showBusy(btn, btn.dataset.busy || form.dataset.busy);
      });
    }, 0);
  });

  function filenameOf(disposition) {
    const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    if (encoded) return decodeURIComponent(encoded[1]);
    const plain = /filename="?([^";]+)"?/i.exec(disposition);
    return plain ? plain[1] : "";
  }

  async function download(link) {
    showBusy(link, link.dataset.busy);
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      const disposition = response.headers.get("Content-Disposition") || "";
      if (!response.ok || !/attachment/i.test(disposition)) {
        window.location.assign(link.href);
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const save = document.createElement("a");
      save.href = url;
      save.download = filenameOf(disposition);
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      window.location.assign(link.href);
    } finally {
      showIdle(link);
    }
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-busy]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    if (link.getAttribute("aria-busy") !== "true") download(link);
  });

  // Back to a page kept by the browser (back button): its forms may be sent again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach((form) => {
      delete form.dataset.sent;
      busyButtons(form).forEach(showIdle);
    });
  });
})();
