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
// The review page of an item (review-item.tsx lists these keys on the page): 1–5 rate, s or
// Ctrl+Enter save, n or j next, k previous, e edit the analysis, c comment, Esc leaves a field.
document.addEventListener('keydown', (event) => {
  const form = document.querySelector('form[data-gt="review-form"]');
  if (!(form instanceof HTMLFormElement)) return;
  const target = event.target;
  if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
    event.preventDefault();
    form.requestSubmit();
    return;
  }
  const typing = target instanceof HTMLElement && (target.isContentEditable || target.matches('textarea, select, input:not([type="radio"]):not([type="checkbox"])'));
  if (typing) {
    if (event.key === 'Escape') target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (/^[1-5]$/.test(event.key)) {
    const star = form.querySelector(`input[name="stars"][value="${event.key}"]`);
    if (star instanceof HTMLInputElement) {
      star.checked = true;
      star.focus();
    }
    event.preventDefault();
    return;
  }
  if (event.key === 's') {
    event.preventDefault();
    form.requestSubmit();
    return;
  }
  const focus = { e: '[data-first="1"]', c: '[data-gt="review-comment"]' }[event.key];
  if (focus) {
    const field = form.querySelector(focus);
    if (field instanceof HTMLElement) {
      event.preventDefault();
      field.focus();
    }
    return;
  }
  const link = { n: 'review-next', j: 'review-next', k: 'review-prev' }[event.key];
  if (link) {
    const a = document.querySelector(`a[data-gt="${link}"]`);
    if (a instanceof HTMLAnchorElement) {
      event.preventDefault();
      window.location.assign(a.href);
    }
  }
});
// The queue pages (queues.tsx lists these keys on the page). On a queue's page and a claimed item's
// page: n or j claims the next item (submits the form marked data-key="next"), k goes back to the
// queue. On the item's review form: 1–5 give stars and u / d a thumb to the criterion being rated
// (the one holding the focus, else the first not rated yet), then the focus moves to the next
// criterion; s or Ctrl+Enter submits; c writes a comment; Esc leaves a field.
document.addEventListener('keydown', (event) => {
  if (!document.querySelector('[data-gt="queue-keys"]')) return;
  const target = event.target;
  const form = document.querySelector('form[data-gt="queue-review-form"]');
  if (form instanceof HTMLFormElement && (event.ctrlKey || event.metaKey) && event.key === 'Enter') {
    event.preventDefault();
    form.requestSubmit();
    return;
  }
  const typing = target instanceof HTMLElement && (target.isContentEditable || target.matches('textarea, select, input:not([type="radio"]):not([type="checkbox"])'));
  if (typing) {
    if (event.key === 'Escape') target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (form instanceof HTMLFormElement) {
    const value = /^[1-5]$/.test(event.key) ? event.key : { u: 'up', d: 'down' }[event.key];
    if (value) {
      const sets = [...form.querySelectorAll('fieldset[data-criterion]')];
      const focused = sets.find((f) => f.contains(document.activeElement));
      const current = focused || sets.find((f) => !f.querySelector('input:checked')) || sets[0];
      const input = current && current.querySelector(`input[value="${value}"]`);
      if (input instanceof HTMLInputElement) {
        input.checked = true;
        const after = sets[sets.indexOf(current) + 1];
        const next = after ? after.querySelector('input') : form.querySelector('button[type="submit"]');
        if (next instanceof HTMLElement) next.focus();
      }
      event.preventDefault();
      return;
    }
    if (event.key === 's') {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.key === 'c') {
      const comment = form.querySelector('textarea[name="comment"]');
      if (comment instanceof HTMLElement) {
        event.preventDefault();
        comment.focus();
      }
      return;
    }
  }
  if (event.key === 'n' || event.key === 'j') {
    const next = document.querySelector('form[data-key="next"]');
    if (next instanceof HTMLFormElement) {
      event.preventDefault();
      next.requestSubmit();
    }
    return;
  }
  if (event.key === 'k') {
    const back = document.querySelector('a[data-key="back"]');
    if (back instanceof HTMLAnchorElement) {
      event.preventDefault();
      window.location.assign(back.href);
    }
  }
});
