// Verity modal: include <script src="https://<verity>/js/verity.js"></script> on your page, then
//   const verity = Verity();                       // a publishable key may be passed; it is not needed
//   const result = await verity.verifyIdentity(clientSecret);
//   // { verificationSession: { id } } when the user finished or closed the modal, { error: { code, message } } otherwise
// The flow runs in an iframe served by Verity. The client secret goes to that iframe by postMessage (never in a
// URL); messages are exchanged only with Verity's origin and only with that iframe's window.
(function () {
  'use strict';

  // Verity's origin is where this script came from (the frame and every message use it).
  var script = document.currentScript || document.querySelector('script[src*="/js/verity.js"]');
  var ORIGIN = new URL(script && script.src ? script.src : location.href).origin;
  var L = {
    en: { label: 'Identity verification', close: 'Close', leave: 'Leave identity verification? Your photos have not been submitted.' },
    fr: { label: 'Vérification d’identité', close: 'Fermer', leave: 'Quitter la vérification d’identité ? Vos photos n’ont pas été envoyées.' },
    ar: { label: 'التحقق من الهوية', close: 'إغلاق', leave: 'هل تريد مغادرة التحقق من الهوية؟ لم يتم إرسال صورك.' },
  };
  var ERRORS = {
    link_invalid: 'The client secret is not valid for any verification session.',
    link_expired: 'The verification session link has expired.',
    session_submitted: 'This verification session has already been submitted.',
    session_canceled: 'This verification session was canceled.',
    modal_open: 'A verification is already open.',
  };
  var STYLE_ID = 'verity-modal-style';
  var open = null;

  function lang() {
    var l = (document.documentElement.lang || navigator.language || 'en').slice(0, 2).toLowerCase();
    return L[l] ? l : 'en';
  }

  function sessionIdFrom(secret) {
    var i = secret.indexOf('_secret_');
    return i > 0 ? secret.slice(0, i) : null;
  }

  // Styles are set through the CSSOM (not a style attribute or <style> text) so that pages with a strict CSP
  // can still use the modal.
  function css(el, props) {
    Object.keys(props).forEach(function (k) {
      el.style.setProperty(k, props[k]);
    });
    return el;
  }

  function verifyIdentity(clientSecret) {
    return new Promise(function (resolve) {
      if (typeof clientSecret !== 'string' || !sessionIdFrom(clientSecret)) {
        return resolve({ error: { code: 'link_invalid', message: ERRORS.link_invalid } });
      }
      if (open) return resolve({ error: { code: 'modal_open', message: ERRORS.modal_open } });
      var t = L[lang()];
      var opener = document.activeElement;
      var sessionId = sessionIdFrom(clientSecret);
      var captured = false;
      var finished = false;

      var overlay = css(document.createElement('div'), {
        position: 'fixed', inset: '0', 'z-index': '2147483647', background: 'rgba(10,12,16,.6)',
        display: 'flex', 'align-items': 'center', 'justify-content': 'center',
      });
      var dialog = css(document.createElement('div'), {
        position: 'relative', background: '#fff', width: '100%', height: '100%', 'max-width': '34rem', 'max-height': '100%',
        display: 'flex', 'flex-direction': 'column', 'box-shadow': '0 10px 40px rgba(0,0,0,.4)',
      });
      if (window.matchMedia && window.matchMedia('(min-width: 40rem)').matches) css(dialog, { height: '90vh', 'border-radius': '12px', overflow: 'hidden' });
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
      dialog.setAttribute('aria-label', t.label);
      var bar = css(document.createElement('div'), { display: 'flex', 'justify-content': 'flex-end', padding: '4px', 'border-bottom': '1px solid #d6d9e0' });
      var close = css(document.createElement('button'), {
        'min-width': '44px', 'min-height': '44px', font: '600 16px system-ui, sans-serif', background: '#fff', color: '#1a1d24',
        border: '2px solid #4a5160', 'border-radius': '8px', cursor: 'pointer', padding: '0 12px',
      });
      close.type = 'button';
      close.textContent = t.close;
      var frame = css(document.createElement('iframe'), { flex: '1', width: '100%', border: '0' });
      frame.title = t.label;
      frame.setAttribute('allow', 'camera');
      frame.src = ORIGIN + '/verify/embed?origin=' + encodeURIComponent(location.origin) + '&locale=' + lang();
      // Focus sentinels keep Tab inside the dialog (close button ↔ frame).
      var first = document.createElement('span');
      var last = document.createElement('span');
      first.tabIndex = last.tabIndex = 0;
      first.addEventListener('focus', function () { frame.focus(); });
      last.addEventListener('focus', function () { close.focus(); });
      bar.appendChild(close);
      dialog.appendChild(first);
      dialog.appendChild(bar);
      dialog.appendChild(frame);
      dialog.appendChild(last);
      overlay.appendChild(dialog);

      // Everything else on the page is inert while the dialog is open (no focus, no clicks, hidden from AT).
      var inerted = [];
      Array.prototype.forEach.call(document.body.children, function (el) {
        if (!el.inert) {
          el.inert = true;
          inerted.push(el);
        }
      });
      var scroll = document.documentElement.style.overflow;
      document.documentElement.style.overflow = 'hidden';
      document.body.appendChild(overlay);
      close.focus();

      function finish(result) {
        if (finished) return;
        finished = true;
        window.removeEventListener('message', onMessage);
        document.removeEventListener('keydown', onKey, true);
        overlay.remove();
        inerted.forEach(function (el) { el.inert = false; });
        document.documentElement.style.overflow = scroll;
        open = null;
        if (opener && opener.focus) opener.focus();
        resolve(result);
      }

      function requestClose() {
        if (captured && !window.confirm(t.leave)) return;
        finish({ verificationSession: { id: sessionId } });
      }

      function onMessage(e) {
        if (e.origin !== ORIGIN || e.source !== frame.contentWindow) return; // look-alikes from elsewhere are ignored
        var m = e.data || {};
        switch (m.type) {
          case 'verity:ready':
            frame.contentWindow.postMessage({ type: 'verity:init', clientSecret: clientSecret }, ORIGIN);
            break;
          case 'verity:loaded':
            if (typeof m.session === 'string') sessionId = m.session;
            break;
          case 'verity:captured':
            captured = true;
            break;
          case 'verity:submitted':
            captured = false;
            break;
          case 'verity:complete':
            finish({ verificationSession: { id: sessionId } });
            break;
          case 'verity:close':
            finish({ verificationSession: { id: sessionId } });
            break;
          case 'verity:escape':
            requestClose();
            break;
          case 'verity:error':
            finish({ error: { code: String(m.code || 'link_invalid'), message: ERRORS[m.code] || ERRORS.link_invalid } });
            break;
        }
      }

      function onKey(e) {
        if (e.key === 'Escape') {
          e.preventDefault();
          requestClose();
        }
      }

      close.addEventListener('click', requestClose);
      window.addEventListener('message', onMessage);
      document.addEventListener('keydown', onKey, true);
      open = { finish: finish };
    });
  }

  function Verity() {
    return { verifyIdentity: verifyIdentity };
  }
  Verity.verifyIdentity = verifyIdentity;
  window.Verity = Verity;
})();
