// The dashboard's only script (served from /dashboard/assets/dashboard.js; the CSP allows no other).
// Every page works without it: it only adds conveniences.
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  const source = document.getElementById(button.getAttribute('data-copy') || '');
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.textContent || '').then(() => {
      button.textContent = 'Copied';
    });
  }
});
// Ask before destructive forms (revoking a token).
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
