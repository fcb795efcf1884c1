// The language menu switches as soon as a language is chosen (a script file: the CSP allows no inline handlers).
for (const menu of document.querySelectorAll("select[data-submit-on-change]")) {
  menu.addEventListener("change", () => menu.form.submit());
}
